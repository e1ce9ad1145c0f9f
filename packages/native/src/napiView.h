/*
 * A JavaScript typed array seen from C: its element type, length and data pointer (napi_get_typedarray_info; the
 * pointer already includes the view's byte offset). Shared by every binding of the addon (addon.c, convAddon.c,
 * pool.c), which read their arguments in place, without copies.
 */
#ifndef DTD_NAPI_VIEW_H
#define DTD_NAPI_VIEW_H

#include <node_api.h>
#include <stdbool.h>
#include <stddef.h>

typedef struct view {
  napi_typedarray_type type;
  size_t length;
  void *data;
} view;

/* 1 and *out filled when v is a typed array, else 0. */
static inline int get_view(napi_env env, napi_value v, view *out) {
  bool is_ta = false;
  if (napi_is_typedarray(env, v, &is_ta) != napi_ok || !is_ta) return 0;
  napi_value ab;
  size_t byte_offset;
  return napi_get_typedarray_info(env, v, &out->type, &out->length, &out->data, &ab, &byte_offset) == napi_ok;
}

#endif
