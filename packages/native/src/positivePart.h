/*
 * @dtd/native: x⁺'s binding (positivePart.c), registered on the addon's exports by addon.c.
 */
#ifndef DTD_POSITIVE_PART_H
#define DTD_POSITIVE_PART_H
#define NAPI_VERSION 8
#include <node_api.h>

/* Sets exports.positivePart (positivePart.c); returns 0, or -1 with a pending JavaScript exception. */
int dtd_register_positive_part(napi_env env, napi_value exports);

#endif
