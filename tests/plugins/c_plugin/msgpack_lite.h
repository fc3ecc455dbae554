/* Just enough MessagePack for the C test plugin: read an array header,
 * integers and strings; write integers, strings, nil, arrays and maps
 * through a titan_output. Not a general-purpose codec. */
#ifndef TITAN_TEST_MSGPACK_LITE_H
#define TITAN_TEST_MSGPACK_LITE_H

#include <stddef.h>
#include <stdint.h>

#include <titan/plugin_abi.h>

typedef struct mp_reader {
  const unsigned char* p;
  const unsigned char* end;
} mp_reader;

void mp_reader_init(mp_reader* r, const char* data, size_t size);
/* Each returns 1 and advances when the next value has that type, else 0
 * (and leaves the reader where it was). */
int mp_read_array(mp_reader* r, uint32_t* count);
int mp_read_map(mp_reader* r, uint32_t* count);
int mp_read_int(mp_reader* r, int64_t* value); /* any integer encoding that fits an int64 */
int mp_read_str(mp_reader* r, const char** str, uint32_t* size);
/* Steps over one value of any type: 1, or 0 when it is malformed. */
int mp_skip(mp_reader* r);
/* The schema name of the next value's type (nil, bool, int, uint, float,
 * string, bytes, array, map, ext), for error messages. */
const char* mp_peek_type(const mp_reader* r);

/* Writes through a titan_output; `failed` sticks once a write failed. */
typedef struct mp_writer {
  const titan_output* out;
  int failed;
} mp_writer;

void mp_writer_init(mp_writer* w, const titan_output* out);
void mp_write_raw(mp_writer* w, const char* data, size_t size);
void mp_write_nil(mp_writer* w);
void mp_write_int(mp_writer* w, int64_t v);
void mp_write_str(mp_writer* w, const char* s, size_t size);
void mp_write_array(mp_writer* w, uint32_t count);
void mp_write_map(mp_writer* w, uint32_t count);

#endif
