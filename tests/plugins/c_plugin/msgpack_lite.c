#include "msgpack_lite.h"

void mp_reader_init(mp_reader* r, const char* data, size_t size) {
  r->p = (const unsigned char*)data;
  r->end = r->p + size;
}

static size_t left(const mp_reader* r) { return (size_t)(r->end - r->p); }

static uint64_t be(const unsigned char* p, size_t n) {
  uint64_t v = 0;
  size_t i;
  for (i = 0; i < n; ++i) v = (v << 8) | p[i];
  return v;
}

/* A container header: fix form (`fix_lo`..`fix_lo + 15`) or 16/32-bit form. */
static int read_container(mp_reader* r, uint32_t* count, unsigned fix_lo, unsigned b16, unsigned b32) {
  unsigned b;
  if (left(r) < 1) return 0;
  b = r->p[0];
  if (b >= fix_lo && b <= fix_lo + 15) {
    *count = b - fix_lo;
    r->p += 1;
    return 1;
  }
  if (b == b16 && left(r) >= 3) {
    *count = (uint32_t)be(r->p + 1, 2);
    r->p += 3;
    return 1;
  }
  if (b == b32 && left(r) >= 5) {
    *count = (uint32_t)be(r->p + 1, 4);
    r->p += 5;
    return 1;
  }
  return 0;
}

int mp_read_array(mp_reader* r, uint32_t* count) { return read_container(r, count, 0x90, 0xdc, 0xdd); }
int mp_read_map(mp_reader* r, uint32_t* count) { return read_container(r, count, 0x80, 0xde, 0xdf); }

int mp_read_int(mp_reader* r, int64_t* value) {
  unsigned b;
  size_t n = 0;
  int is_signed = 0;
  uint64_t u;
  if (left(r) < 1) return 0;
  b = r->p[0];
  if (b <= 0x7f || b >= 0xe0) {
    *value = (int8_t)b;
    r->p += 1;
    return 1;
  }
  switch (b) {
    case 0xcc: n = 1; break;
    case 0xcd: n = 2; break;
    case 0xce: n = 4; break;
    case 0xcf: n = 8; break;
    case 0xd0: n = 1; is_signed = 1; break;
    case 0xd1: n = 2; is_signed = 1; break;
    case 0xd2: n = 4; is_signed = 1; break;
    case 0xd3: n = 8; is_signed = 1; break;
    default: return 0;
  }
  if (left(r) < 1 + n) return 0;
  u = be(r->p + 1, n);
  if (is_signed) {
    /* sign-extend from n bytes */
    if (n < 8 && (u >> (8 * n - 1)) != 0) u |= ~(uint64_t)0 << (8 * n);
    *value = (int64_t)u;
  } else {
    if (u > (uint64_t)INT64_MAX) return 0;
    *value = (int64_t)u;
  }
  r->p += 1 + n;
  return 1;
}

int mp_read_str(mp_reader* r, const char** str, uint32_t* size) {
  unsigned b;
  size_t head;
  uint32_t n;
  if (left(r) < 1) return 0;
  b = r->p[0];
  if (b >= 0xa0 && b <= 0xbf) {
    head = 1;
    n = b - 0xa0;
  } else if (b == 0xd9 && left(r) >= 2) {
    head = 2;
    n = (uint32_t)be(r->p + 1, 1);
  } else if (b == 0xda && left(r) >= 3) {
    head = 3;
    n = (uint32_t)be(r->p + 1, 2);
  } else if (b == 0xdb && left(r) >= 5) {
    head = 5;
    n = (uint32_t)be(r->p + 1, 4);
  } else {
    return 0;
  }
  if (left(r) < head + n) return 0;
  *str = (const char*)r->p + head;
  *size = n;
  r->p += head + n;
  return 1;
}

/* Bytes after the type byte, or the payload of a bin/str/ext, for mp_skip. */
static int skip_bytes(mp_reader* r, size_t n) {
  if (left(r) < n) return 0;
  r->p += n;
  return 1;
}

static int skip_sized(mp_reader* r, size_t len_bytes, size_t extra) {
  uint64_t n;
  if (left(r) < 1 + len_bytes) return 0;
  n = be(r->p + 1, len_bytes);
  r->p += 1 + len_bytes;
  return skip_bytes(r, (size_t)n + extra);
}

int mp_skip(mp_reader* r) {
  uint32_t n, i;
  unsigned b;
  if (mp_read_array(r, &n)) {
    for (i = 0; i < n; ++i)
      if (!mp_skip(r)) return 0;
    return 1;
  }
  if (mp_read_map(r, &n)) {
    for (i = 0; i < 2 * n; ++i)
      if (!mp_skip(r)) return 0;
    return 1;
  }
  if (left(r) < 1) return 0;
  b = r->p[0];
  if (b <= 0x7f || b >= 0xe0 || b == 0xc0 || b == 0xc2 || b == 0xc3) return skip_bytes(r, 1);
  if (b >= 0xa0 && b <= 0xbf) return skip_bytes(r, 1 + (b - 0xa0));
  switch (b) {
    case 0xcc: case 0xd0: return skip_bytes(r, 2);
    case 0xcd: case 0xd1: return skip_bytes(r, 3);
    case 0xce: case 0xd2: case 0xca: return skip_bytes(r, 5);
    case 0xcf: case 0xd3: case 0xcb: return skip_bytes(r, 9);
    case 0xc4: case 0xd9: return skip_sized(r, 1, 0);
    case 0xc5: case 0xda: return skip_sized(r, 2, 0);
    case 0xc6: case 0xdb: return skip_sized(r, 4, 0);
    case 0xc7: return skip_sized(r, 1, 1);
    case 0xc8: return skip_sized(r, 2, 1);
    case 0xc9: return skip_sized(r, 4, 1);
    case 0xd4: return skip_bytes(r, 3);
    case 0xd5: return skip_bytes(r, 4);
    case 0xd6: return skip_bytes(r, 6);
    case 0xd7: return skip_bytes(r, 10);
    case 0xd8: return skip_bytes(r, 18);
    default: return 0;
  }
}

const char* mp_peek_type(const mp_reader* r) {
  unsigned b;
  if (left(r) < 1) return "nothing";
  b = r->p[0];
  if (b <= 0x7f) return "uint";
  if (b >= 0xe0) return "int";
  if (b <= 0x8f) return "map";
  if (b <= 0x9f) return "array";
  if (b <= 0xbf) return "string";
  switch (b) {
    case 0xc0: return "nil";
    case 0xc2: case 0xc3: return "bool";
    case 0xc4: case 0xc5: case 0xc6: return "bytes";
    case 0xca: case 0xcb: return "float";
    case 0xcc: case 0xcd: case 0xce: case 0xcf: return "uint";
    case 0xd0: case 0xd1: case 0xd2: case 0xd3: return "int";
    case 0xd9: case 0xda: case 0xdb: return "string";
    case 0xdc: case 0xdd: return "array";
    case 0xde: case 0xdf: return "map";
    default: return "ext";
  }
}

void mp_writer_init(mp_writer* w, const titan_output* out) {
  w->out = out;
  w->failed = 0;
}

void mp_write_raw(mp_writer* w, const char* data, size_t size) {
  if (!w->failed && w->out->write(w->out->handle, data, size) != TITAN_OK) w->failed = 1;
}

/* A type byte followed by `n` big-endian bytes of `v`. */
static void write_head(mp_writer* w, unsigned char type, uint64_t v, size_t n) {
  unsigned char buf[9];
  size_t i;
  buf[0] = type;
  for (i = 0; i < n; ++i) buf[1 + i] = (unsigned char)(v >> (8 * (n - 1 - i)));
  mp_write_raw(w, (const char*)buf, 1 + n);
}

void mp_write_nil(mp_writer* w) { write_head(w, 0xc0, 0, 0); }

void mp_write_int(mp_writer* w, int64_t v) {
  if (v >= 0 && v <= 0x7f) write_head(w, (unsigned char)v, 0, 0);
  else if (v < 0 && v >= -32) write_head(w, (unsigned char)(int8_t)v, 0, 0);
  else if (v >= 0 && v <= 0xffff) write_head(w, 0xcd, (uint64_t)v, 2);
  else if (v >= 0) write_head(w, 0xcf, (uint64_t)v, 8);
  else write_head(w, 0xd3, (uint64_t)v, 8);
}

void mp_write_str(mp_writer* w, const char* s, size_t size) {
  if (size <= 31) write_head(w, (unsigned char)(0xa0 | size), 0, 0);
  else if (size <= 0xff) write_head(w, 0xd9, size, 1);
  else if (size <= 0xffff) write_head(w, 0xda, size, 2);
  else write_head(w, 0xdb, size, 4);
  mp_write_raw(w, s, size);
}

void mp_write_array(mp_writer* w, uint32_t count) {
  if (count <= 15) write_head(w, (unsigned char)(0x90 | count), 0, 0);
  else write_head(w, 0xdd, count, 4);
}

void mp_write_map(mp_writer* w, uint32_t count) {
  if (count <= 15) write_head(w, (unsigned char)(0x80 | count), 0, 0);
  else write_head(w, 0xdf, count, 4);
}
