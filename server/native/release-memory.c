/*
 * Gives back to the system the memory glibc's allocator keeps after it was freed.
 *
 * glibc never returns a freed chunk from the middle of an arena, and a thread's arena outlives
 * the thread: after a worker thread stops, what it allocated stays resident. `malloc_trim(0)`
 * walks every arena and releases each free page. Node has no binding for it, so this is one.
 * Other C libraries (macOS, Windows, musl) have no malloc_trim: there `supported` is false.
 */
#include <node_api.h>
#include <stdbool.h>

#if defined(__GLIBC__)
#include <malloc.h>
#define SUPPORTED true
#else
#define SUPPORTED false
#endif

/* release(): true when some memory went back to the system. */
static napi_value Release(napi_env env, napi_callback_info info) {
  (void)info;
  bool released = false;
#if defined(__GLIBC__)
  released = malloc_trim(0) == 1;
#endif
  napi_value result;
  napi_get_boolean(env, released, &result);
  return result;
}

NAPI_MODULE_INIT() {
  napi_value release, supported;
  if (napi_create_function(env, "release", NAPI_AUTO_LENGTH, Release, NULL, &release) != napi_ok) return NULL;
  napi_get_boolean(env, SUPPORTED, &supported);
  napi_set_named_property(env, exports, "release", release);
  napi_set_named_property(env, exports, "supported", supported);
  return exports;
}
