/*
 * @dtd/native: the per-row sums' binding (rowSums.c), registered on the addon's exports by addon.c.
 */
#ifndef DTD_ROW_SUMS_H
#define DTD_ROW_SUMS_H
#define NAPI_VERSION 8
#include <node_api.h>

/* Sets exports.rowSums (rowSums.c); returns 0, or -1 with a pending JavaScript exception. */
int dtd_register_row_sums(napi_env env, napi_value exports);

#endif
