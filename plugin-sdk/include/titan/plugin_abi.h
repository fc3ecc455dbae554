/* The Titan plugin ABI, version 3: what a plugin exports and what titan-host
 * hands it. Plain C (C99 and C++), no other header of the SDK needed; the
 * contract is documented in plugin-sdk/PLUGIN_ABI.md.
 *
 * Rules that hold for every struct here:
 *  - `struct_size` is sizeof the struct as its writer was built. Fields are
 *    only ever appended: a reader uses a field only when struct_size covers
 *    it, and treats a missing one as 0/NULL.
 *  - Strings are UTF-8. A `const char*` with a `*_size` beside it is not
 *    NUL-terminated; one without is.
 *  - Nothing here throws, unwinds or longjmps across the boundary.
 */
#ifndef TITAN_PLUGIN_ABI_H
#define TITAN_PLUGIN_ABI_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* The first field of the descriptor, forever. ABI 1 and 2 were the C++
 * descriptor of SDK 0.1; a host of ABI 3 refuses them. */
#define TITAN_ABI_VERSION 3u

/* The exported data symbol: a pointer to the plugin's descriptor. */
#define TITAN_PLUGIN_SYMBOL "titan_plugin"

/* Status codes: gRPC's numbers (the wire sends their names). */
#define TITAN_OK 0
#define TITAN_CANCELLED 1
#define TITAN_UNKNOWN 2
#define TITAN_INVALID_ARGUMENT 3
#define TITAN_DEADLINE_EXCEEDED 4
#define TITAN_NOT_FOUND 5
#define TITAN_RESOURCE_EXHAUSTED 8
#define TITAN_FAILED_PRECONDITION 9
#define TITAN_UNIMPLEMENTED 12
#define TITAN_INTERNAL 13
#define TITAN_UNAVAILABLE 14

/* titan_method.flags */
#define TITAN_METHOD_IDEMPOTENT 0x1u  /* safe to retry on another host */
#define TITAN_METHOD_STREAMS_OUT 0x2u /* streams its results (titan_call.stream->write) */
#define TITAN_METHOD_STREAMS_IN 0x4u  /* reads an input stream (titan_call.stream->read) */

/* Log levels (spdlog's numbers). */
#define TITAN_LOG_TRACE 0
#define TITAN_LOG_DEBUG 1
#define TITAN_LOG_INFO 2
#define TITAN_LOG_WARN 3
#define TITAN_LOG_ERROR 4
#define TITAN_LOG_CRITICAL 5
#define TITAN_LOG_OFF 6

/* Where a plugin writes what a function produces: a result, or the message
 * of an error. Owned by the host; valid during the one function call it was
 * passed to, on that thread. */
typedef struct titan_output {
  uint32_t struct_size;
  void* handle;
  /* Appends `size` bytes. TITAN_OK, or TITAN_RESOURCE_EXHAUSTED when the
   * host could not take them (then fail the function). */
  int32_t (*write)(void* handle, const char* data, size_t size);
  /* Drops everything written so far (before writing an error message
   * after part of a result went out). */
  void (*reset)(void* handle);
} titan_output;

/* A streaming call's stream (PROTOCOL.md 4a). Only the thread that runs
 * the method uses it, and only until invoke returns. */
typedef struct titan_stream {
  uint32_t struct_size;
  void* handle;
  /* Sends one item, exactly one MessagePack value. Blocks while the client
   * has no credit. TITAN_OK, or the code the stream ended with
   * (CANCELLED, DEADLINE_EXCEEDED, UNAVAILABLE, ...): stop producing. */
  int32_t (*write)(void* handle, const char* item, size_t size);
  /* The next input item (one MessagePack value, valid until the next read):
   * TITAN_OK with *item set; TITAN_OK with *item = NULL once the client
   * ended its input; or the code the stream ended with. */
  int32_t (*read)(void* handle, const char** item, size_t* size);
  /* Non-zero once the stream is over for the client: poll it between
   * items when producing one is slow. */
  int32_t (*cancelled)(void* handle);
  /* Why the stream ended, after write or read returned a code; the text
   * stays valid until invoke returns. */
  void (*reason)(void* handle, const char** text, size_t* size);
} titan_stream;

/* One call of a method. */
typedef struct titan_call {
  uint32_t struct_size;
  /* The CALL body: one MessagePack array of the arguments (streams are not
   * in it). The host has checked that it is exactly one well-formed array. */
  const char* args;
  size_t args_size;
  /* The result (one MessagePack value; nil for none) on TITAN_OK, else the
   * error message as UTF-8 text (not MessagePack). */
  const titan_output* out;
  /* Non-NULL exactly when the method has a TITAN_METHOD_STREAMS_* flag. */
  const titan_stream* stream;
} titan_call;

/* What the host gives the service at create(); valid, with every byte it
 * points to, until destroy() returns. */
typedef struct titan_host {
  uint32_t struct_size;
  void* handle;
  const char* name; /* the instance name (titan-host --name) */
  size_t name_size;
  const char* config; /* the --config table as one MessagePack map (0x80 when none) */
  size_t config_size;
  const char* manager_endpoint; /* the manager's control endpoint; size 0 without one */
  size_t manager_endpoint_size;
  int32_t log_level; /* the least level the host writes: skip formatting below it */
  /* Writes one log line (no newline needed) at a TITAN_LOG_* level. Any
   * thread, any time until destroy() returns. */
  void (*log)(void* handle, int32_t level, const char* text, size_t size);
} titan_host;

/* One method. The table is an array with a stride of method_size bytes. */
typedef struct titan_method {
  const char* name;
  uint32_t flags;  /* TITAN_METHOD_* */
  int32_t key_arg; /* the argument a consistent-hash pool routes by; -1: none */
  /* Runs one call: TITAN_OK with the result in call->out, or a status code
   * with the message in call->out. */
  int32_t (*invoke)(void* instance, const titan_call* call);
  /* Writes the schema `$describe` shows, one MessagePack map:
   * {"args": [type name, ...], "result": type name}. TITAN_OK. */
  int32_t (*describe)(const titan_output* out);
} titan_method;

typedef struct titan_plugin_descriptor {
  uint32_t abi_version; /* TITAN_ABI_VERSION; first, forever */
  uint32_t struct_size; /* sizeof(titan_plugin_descriptor) */
  const char* sdk_version;
  const char* service_name;
  const char* service_version;
  const titan_method* methods;
  uint32_t method_count;
  uint32_t method_size; /* sizeof(titan_method): the table's stride */
  /* Makes the instance: TITAN_OK with *instance set, or a code with the
   * reason in `error` (then nothing needs destroying). */
  int32_t (*create)(const titan_host* host, void** instance, const titan_output* error);
  void (*destroy)(void* instance);
  /* Optional state hooks (NULL when absent), for hot reload and $health.
   * snapshot: TITAN_OK with *version set and the state's bytes in `out`,
   * or a code with the message in `out`. Runs when no call does. */
  int32_t (*snapshot)(void* instance, uint32_t* version, const titan_output* out);
  /* restore: before the first call; TITAN_OK, or a code with why the state
   * was refused in `error`. */
  int32_t (*restore)(void* instance, uint32_t version, const char* data, size_t size, const titan_output* error);
  /* health: TITAN_OK when healthy, else a code with the reason in `reason`.
   * May run on another thread while a call runs. */
  int32_t (*health)(void* instance, const titan_output* reason);
} titan_plugin_descriptor;

/* Exports `descriptor` (a titan_plugin_descriptor with static storage) as
 * the plugin's TITAN_PLUGIN_SYMBOL. Use once, at file scope. */
#ifdef __cplusplus
#define TITAN_EXPORT_DESCRIPTOR(descriptor) \
  extern "C" {                              \
  __attribute__((visibility("default"))) const void* titan_plugin = &(descriptor); \
  }
#else
#define TITAN_EXPORT_DESCRIPTOR(descriptor) \
  __attribute__((visibility("default"))) const void* titan_plugin = &(descriptor)
#endif

#ifdef __cplusplus
}
#endif

#endif /* TITAN_PLUGIN_ABI_H */
