/* @dtd/native: the convolutions' Node-API functions (convAddon.c). */
#ifndef DTD_CONV_ADDON_H
#define DTD_CONV_ADDON_H

#include <node_api.h>

/* Sets conv2ds[isa_name], backprops[isa_name] and quotients[isa_name] to the convolutions of that instruction set
 * (none for an unknown name). Called by addon.c for each instruction set the CPU runs. */
napi_status dtd_conv_export(napi_env env, const char *isa_name, napi_value conv2ds, napi_value backprops, napi_value quotients);

#endif
