/*
 * A JavaScript typed array seen from C: its element type, length and data pointer (napi_get_typedarray_info; the
 * pointer already includes the view's byte offset). Shared by every binding of the addon (addon.c, convAddon.c,
 * pool.c, quotient.c, positivePart.c, rowSums.c), which read their arguments in place, without copies, and export
 * their functions with dtd_export_function.
 */
#ifndef DTD_NAPI_VIEW_H
#define DTD_NAPI_VIEW_H

#include <node_api.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

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

/* exports[name] = a JavaScript function that runs fn: 0, or -1 with a JavaScript error pending. */
static inline int dtd_export_function(napi_env env, napi_value exports, const char *name, napi_callback fn) {
  napi_value f;
  if (napi_create_function(env, name, NAPI_AUTO_LENGTH, fn, NULL, &f) != napi_ok || napi_set_named_property(env, exports, name, f) != napi_ok) {
    char message[96];
    snprintf(message, sizeof message, "@dtd/native: could not register %s", name);
    napi_throw_error(env, NULL, message);
    return -1;
  }
  return 0;
}

#endif
