/*
 * @dtd/native: max pooling's binding (pool.c), registered on the addon's exports by addon.c.
 */
#ifndef DTD_POOL_H
#define DTD_POOL_H
#define NAPI_VERSION 8
#include <node_api.h>

/* Sets exports.maxPool2d (pool.c); returns 0, or -1 with a pending JavaScript exception. */
int dtd_register_pool(napi_env env, napi_value exports);

#endif
