/*
 * @dtd/native: eq. (4)'s quotient's binding (quotient.c), registered on the addon's exports by addon.c.
 */
#ifndef DTD_QUOTIENT_H
#define DTD_QUOTIENT_H
#define NAPI_VERSION 8
#include <node_api.h>

/* Sets exports.quotient (quotient.c); returns 0, or -1 with a pending JavaScript exception. */
int dtd_register_quotient(napi_env env, napi_value exports);

#endif
