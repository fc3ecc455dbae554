/* A Titan plugin in plain C, written from plugin-sdk/PLUGIN_ABI.md and
 * titan/plugin_abi.h alone: no C++, no libtitan_sdk. It serves
 *   add(int, int) -> int            [idempotent]
 *   echo(string) -> string          [idempotent]
 *   fail(string) -> nil             always NOT_FOUND "no such thing: ARG"
 *   whoami() -> {"name": str, "greeting": str}   the instance name and the
 *                                   --config key `greeting` (default
 *                                   "hello"); logs a line at info
 *   count(int) -> stream<int>       0, 1, ..., n-1
 *   sum(stream<int>) -> int         the sum of the input items
 *   break_health() -> nil           $health reports NOT_SERVING from then on */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <titan/plugin_abi.h>

#include "msgpack_lite.h"

typedef struct c_service {
  const titan_host* host;
  char greeting[64];
  int broken;
} c_service;

/* Replaces the output with an error message; returns `code`. */
static int32_t fail_with(const titan_output* out, int32_t code, const char* message) {
  out->reset(out->handle);
  out->write(out->handle, message, strlen(message));
  return code;
}

/* Reads the argument array header and checks its length. */
static int32_t expect_args(mp_reader* r, const titan_call* call, uint32_t want, const char* types) {
  uint32_t n = 0;
  char why[128];
  mp_reader_init(r, call->args, call->args_size);
  if (!mp_read_array(r, &n)) return fail_with(call->out, TITAN_INVALID_ARGUMENT, "arguments must be an array");
  if (n != want) {
    snprintf(why, sizeof why, "expected %u argument%s (%s), got %u", want, want == 1 ? "" : "s", types, n);
    return fail_with(call->out, TITAN_INVALID_ARGUMENT, why);
  }
  return TITAN_OK;
}

static int32_t wrong_type(const titan_call* call, int index, const char* expected, const mp_reader* r) {
  char why[128];
  snprintf(why, sizeof why, "argument %d: expected %s, got %s", index, expected, mp_peek_type(r));
  return fail_with(call->out, TITAN_INVALID_ARGUMENT, why);
}

static int32_t result_of(const mp_writer* w, const titan_call* call) {
  return w->failed ? fail_with(call->out, TITAN_RESOURCE_EXHAUSTED, "the host could not take the result") : TITAN_OK;
}

static int32_t add(void* instance, const titan_call* call) {
  mp_reader r;
  mp_writer w;
  int64_t a, b;
  int32_t st = expect_args(&r, call, 2, "int, int");
  (void)instance;
  if (st != TITAN_OK) return st;
  if (!mp_read_int(&r, &a)) return wrong_type(call, 1, "int", &r);
  if (!mp_read_int(&r, &b)) return wrong_type(call, 2, "int", &r);
  mp_writer_init(&w, call->out);
  mp_write_int(&w, a + b);
  return result_of(&w, call);
}

static int32_t echo(void* instance, const titan_call* call) {
  mp_reader r;
  mp_writer w;
  const char* s;
  uint32_t n;
  int32_t st = expect_args(&r, call, 1, "string");
  (void)instance;
  if (st != TITAN_OK) return st;
  if (!mp_read_str(&r, &s, &n)) return wrong_type(call, 1, "string", &r);
  mp_writer_init(&w, call->out);
  mp_write_str(&w, s, n);
  return result_of(&w, call);
}

static int32_t fail(void* instance, const titan_call* call) {
  mp_reader r;
  const char* s;
  uint32_t n;
  char why[128];
  int32_t st = expect_args(&r, call, 1, "string");
  (void)instance;
  if (st != TITAN_OK) return st;
  if (!mp_read_str(&r, &s, &n)) return wrong_type(call, 1, "string", &r);
  snprintf(why, sizeof why, "no such thing: %.*s", (int)n, s);
  return fail_with(call->out, TITAN_NOT_FOUND, why);
}

static void log_info(const c_service* self, const char* line) {
  if (self->host->log_level <= TITAN_LOG_INFO) self->host->log(self->host->handle, TITAN_LOG_INFO, line, strlen(line));
}

static int32_t whoami(void* instance, const titan_call* call) {
  c_service* self = (c_service*)instance;
  mp_reader r;
  mp_writer w;
  int32_t st = expect_args(&r, call, 0, "");
  if (st != TITAN_OK) return st;
  log_info(self, "c_plugin: whoami was called");
  mp_writer_init(&w, call->out);
  mp_write_map(&w, 2);
  mp_write_str(&w, "name", 4);
  mp_write_str(&w, self->host->name, self->host->name_size);
  mp_write_str(&w, "greeting", 8);
  mp_write_str(&w, self->greeting, strlen(self->greeting));
  return result_of(&w, call);
}

/* A stream that ended: its code, with the host's reason as the message. */
static int32_t stream_ended(const titan_call* call, int32_t code) {
  const char* text = NULL;
  size_t size = 0;
  call->stream->reason(call->stream->handle, &text, &size);
  call->out->reset(call->out->handle);
  call->out->write(call->out->handle, text, size);
  return code;
}

static int32_t count(void* instance, const titan_call* call) {
  mp_reader r;
  int64_t n, i;
  int32_t st = expect_args(&r, call, 1, "int");
  (void)instance;
  if (st != TITAN_OK) return st;
  if (!mp_read_int(&r, &n)) return wrong_type(call, 1, "int", &r);
  for (i = 0; i < n; ++i) {
    /* One item: at most 9 bytes of MessagePack, packed on the stack. */
    char item[9];
    size_t size;
    if (i <= 0x7f) {
      item[0] = (char)i;
      size = 1;
    } else {
      int k;
      item[0] = (char)0xd3;
      for (k = 0; k < 8; ++k) item[1 + k] = (char)((uint64_t)i >> (8 * (7 - k)));
      size = 9;
    }
    st = call->stream->write(call->stream->handle, item, size);
    if (st != TITAN_OK) return stream_ended(call, st);
  }
  call->out->write(call->out->handle, "\xc0", 1); /* nil: a stream's method returns nothing */
  return TITAN_OK;
}

static int32_t sum(void* instance, const titan_call* call) {
  mp_reader r;
  mp_writer w;
  int64_t total = 0, v;
  uint64_t index = 0;
  int32_t st = expect_args(&r, call, 0, "");
  (void)instance;
  if (st != TITAN_OK) return st;
  for (;;) {
    const char* item = NULL;
    size_t size = 0;
    mp_reader ir;
    st = call->stream->read(call->stream->handle, &item, &size);
    if (st != TITAN_OK) return stream_ended(call, st);
    if (item == NULL) break; /* the client ended its input */
    ++index;
    mp_reader_init(&ir, item, size);
    if (!mp_read_int(&ir, &v)) {
      char why[96];
      snprintf(why, sizeof why, "input item %llu: expected int, got %s", (unsigned long long)index, mp_peek_type(&ir));
      return fail_with(call->out, TITAN_INVALID_ARGUMENT, why);
    }
    total += v;
  }
  mp_writer_init(&w, call->out);
  mp_write_int(&w, total);
  return result_of(&w, call);
}

static int32_t break_health(void* instance, const titan_call* call) {
  mp_reader r;
  int32_t st = expect_args(&r, call, 0, "");
  if (st != TITAN_OK) return st;
  ((c_service*)instance)->broken = 1;
  call->out->write(call->out->handle, "\xc0", 1);
  return TITAN_OK;
}

/* The schemas $describe shows, as MessagePack written by hand. */
#define SCHEMA(bytes)                                       \
  do {                                                      \
    static const char s[] = bytes;                          \
    return out->write(out->handle, s, sizeof s - 1);        \
  } while (0)
/* {"args": [...], "result": ...}: 82 a4 "args" ... a6 "result" ... */
#define ARGS "\x82\xa4" "args"
#define RESULT "\xa6" "result"
static int32_t describe_add(const titan_output* out) { SCHEMA(ARGS "\x92\xa3int\xa3int" RESULT "\xa3int"); }
static int32_t describe_echo(const titan_output* out) { SCHEMA(ARGS "\x91\xa6string" RESULT "\xa6string"); }
static int32_t describe_fail(const titan_output* out) { SCHEMA(ARGS "\x91\xa6string" RESULT "\xa3nil"); }
static int32_t describe_whoami(const titan_output* out) { SCHEMA(ARGS "\x90" RESULT "\xb3map<string, string>"); }
static int32_t describe_count(const titan_output* out) { SCHEMA(ARGS "\x91\xa3int" RESULT "\xabstream<int>"); }
static int32_t describe_sum(const titan_output* out) { SCHEMA(ARGS "\x91\xabstream<int>" RESULT "\xa3int"); }
static int32_t describe_nil(const titan_output* out) { SCHEMA(ARGS "\x90" RESULT "\xa3nil"); }

/* The `greeting` key of the config map, if it is a string that fits. */
static void read_greeting(const titan_host* host, char* out, size_t cap) {
  mp_reader r;
  uint32_t n, i;
  strcpy(out, "hello");
  mp_reader_init(&r, host->config, host->config_size);
  if (!mp_read_map(&r, &n)) return;
  for (i = 0; i < n; ++i) {
    const char* key;
    const char* val;
    uint32_t key_size, val_size;
    if (!mp_read_str(&r, &key, &key_size)) return; /* TOML keys are strings */
    if (key_size == 8 && memcmp(key, "greeting", 8) == 0 && mp_read_str(&r, &val, &val_size)) {
      if (val_size < cap) {
        memcpy(out, val, val_size);
        out[val_size] = '\0';
      }
      return;
    }
    if (!mp_skip(&r)) return;
  }
}

static int32_t create(const titan_host* host, void** instance, const titan_output* error) {
  c_service* self = (c_service*)calloc(1, sizeof *self);
  if (self == NULL) return fail_with(error, TITAN_RESOURCE_EXHAUSTED, "out of memory");
  self->host = host;
  read_greeting(host, self->greeting, sizeof self->greeting);
  if (strcmp(self->greeting, "refuse") == 0) {
    free(self);
    return fail_with(error, TITAN_FAILED_PRECONDITION, "the greeting 'refuse' refuses to start");
  }
  *instance = self;
  return TITAN_OK;
}

static void destroy(void* instance) { free(instance); }

static int32_t health(void* instance, const titan_output* reason) {
  if (!((c_service*)instance)->broken) return TITAN_OK;
  return fail_with(reason, TITAN_UNAVAILABLE, "broken on request");
}

static const titan_method methods[] = {
    {"add", TITAN_METHOD_IDEMPOTENT, 0, add, describe_add},
    {"echo", TITAN_METHOD_IDEMPOTENT, -1, echo, describe_echo},
    {"fail", 0, -1, fail, describe_fail},
    {"whoami", TITAN_METHOD_IDEMPOTENT, -1, whoami, describe_whoami},
    {"count", TITAN_METHOD_STREAMS_OUT, -1, count, describe_count},
    {"sum", TITAN_METHOD_STREAMS_IN, -1, sum, describe_sum},
    {"break_health", 0, -1, break_health, describe_nil},
};

static const titan_plugin_descriptor descriptor = {
    TITAN_ABI_VERSION,
    sizeof(titan_plugin_descriptor),
    "c",
    "c-plugin",
    "1.2.3",
    methods,
    sizeof methods / sizeof methods[0],
    sizeof(titan_method),
    create,
    destroy,
    NULL, /* snapshot: no state to hand over */
    NULL, /* restore */
    health,
};

TITAN_EXPORT_DESCRIPTOR(descriptor);
