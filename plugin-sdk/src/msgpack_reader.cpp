#include "msgpack_reader.hpp"

#include <cstring>

namespace titan::detail {
namespace {

template <class T>
T load_be(const unsigned char* p) {
  T v;
  if constexpr (sizeof(T) == 1) {
    std::memcpy(&v, p, 1);
  } else {
    unsigned char b[sizeof(T)];
    for (std::size_t i = 0; i < sizeof(T); ++i) b[i] = p[sizeof(T) - 1 - i];
    std::memcpy(&v, b, sizeof(T));
  }
  return v;
}

}  // namespace

template <class T>
bool msgpack_reader::number(T& v) {
  if (remaining() < sizeof(T)) return fail("truncated msgpack");
  v = load_be<T>(p_);
  p_ += sizeof(T);
  return true;
}

bool msgpack_reader::bytes(msgpack::object& out, std::size_t n, msgpack::type::object_type type) {
  if (n > remaining()) return fail("a declared length is larger than the frame");
  if (n > limits_.max_string) return fail("a string or binary is longer than the limit");
  out.type = type;
  if (type == msgpack::type::STR) {
    out.via.str.ptr = reinterpret_cast<const char*>(p_);
    out.via.str.size = static_cast<std::uint32_t>(n);
  } else {
    out.via.bin.ptr = reinterpret_cast<const char*>(p_);
    out.via.bin.size = static_cast<std::uint32_t>(n);
  }
  p_ += n;
  return true;
}

bool msgpack_reader::ext(msgpack::object& out, std::size_t n) {
  // msgpack-c keeps the type byte in front of the data.
  if (n + 1 > remaining()) return fail("a declared length is larger than the frame");
  if (n > limits_.max_string) return fail("an ext value is longer than the limit");
  out.type = msgpack::type::EXT;
  out.via.ext.ptr = reinterpret_cast<const char*>(p_);
  out.via.ext.size = static_cast<std::uint32_t>(n);
  p_ += n + 1;
  return true;
}

bool msgpack_reader::container(msgpack::object& out, std::size_t count, bool is_map, std::size_t depth) {
  if (depth >= limits_.max_depth) return fail("nesting deeper than " + std::to_string(limits_.max_depth));
  // Every element takes at least one byte, so a count larger than what is
  // left cannot be honest; checking it first bounds what we allocate.
  if (count > remaining() / (is_map ? 2 : 1)) return fail("a declared length is larger than the frame");
  if (count > limits_.max_container) return fail("a container has more elements than the limit");
  if (zone_ == nullptr) {  // check only: read the elements into a scratch object
    out.type = is_map ? msgpack::type::MAP : msgpack::type::ARRAY;
    out.via.array = {0, nullptr};
    msgpack::object scratch;
    for (std::size_t i = 0; i < count * (is_map ? 2 : 1); ++i)
      if (!value(scratch, depth + 1)) return false;
    return true;
  }
  if (is_map) {
    out.type = msgpack::type::MAP;
    out.via.map.size = static_cast<std::uint32_t>(count);
    out.via.map.ptr = count == 0 ? nullptr
                                 : static_cast<msgpack::object_kv*>(
                                       zone_->allocate_align(sizeof(msgpack::object_kv) * count,
                                                            alignof(msgpack::object_kv)));
    for (std::size_t i = 0; i < count; ++i) {
      if (!value(out.via.map.ptr[i].key, depth + 1) || !value(out.via.map.ptr[i].val, depth + 1)) return false;
    }
  } else {
    out.type = msgpack::type::ARRAY;
    out.via.array.size = static_cast<std::uint32_t>(count);
    out.via.array.ptr = count == 0 ? nullptr
                                   : static_cast<msgpack::object*>(
                                         zone_->allocate_align(sizeof(msgpack::object) * count, alignof(msgpack::object)));
    for (std::size_t i = 0; i < count; ++i)
      if (!value(out.via.array.ptr[i], depth + 1)) return false;
  }
  return true;
}

bool msgpack_reader::value(msgpack::object& out, std::size_t depth) {
  if (p_ == end_) return fail("truncated msgpack");
  const unsigned char b = *p_++;
  if (b <= 0x7f) {
    out.type = msgpack::type::POSITIVE_INTEGER;
    out.via.u64 = b;
    return true;
  }
  if (b >= 0xe0) {
    out.type = msgpack::type::NEGATIVE_INTEGER;
    out.via.i64 = static_cast<std::int8_t>(b);
    return true;
  }
  if (b <= 0x8f) return container(out, b & 0x0f, true, depth);
  if (b <= 0x9f) return container(out, b & 0x0f, false, depth);
  if (b <= 0xbf) return bytes(out, b & 0x1f, msgpack::type::STR);

  auto set_signed = [&](std::int64_t v) {
    if (v < 0) {
      out.type = msgpack::type::NEGATIVE_INTEGER;
      out.via.i64 = v;
    } else {
      out.type = msgpack::type::POSITIVE_INTEGER;
      out.via.u64 = static_cast<std::uint64_t>(v);
    }
    return true;
  };
  auto set_unsigned = [&](std::uint64_t v) {
    out.type = msgpack::type::POSITIVE_INTEGER;
    out.via.u64 = v;
    return true;
  };
  std::uint8_t u8;
  std::uint16_t u16;
  std::uint32_t u32;
  std::uint64_t u64;
  switch (b) {
    case 0xc0: out.type = msgpack::type::NIL; return true;
    case 0xc2:
    case 0xc3:
      out.type = msgpack::type::BOOLEAN;
      out.via.boolean = b == 0xc3;
      return true;
    case 0xc4: return number(u8) && bytes(out, u8, msgpack::type::BIN);
    case 0xc5: return number(u16) && bytes(out, u16, msgpack::type::BIN);
    case 0xc6: return number(u32) && bytes(out, u32, msgpack::type::BIN);
    case 0xc7: return number(u8) && ext(out, u8);
    case 0xc8: return number(u16) && ext(out, u16);
    case 0xc9: return number(u32) && ext(out, u32);
    case 0xca: {
      float f;
      if (!number(u32)) return false;
      std::memcpy(&f, &u32, sizeof f);
      out.type = msgpack::type::FLOAT32;
      out.via.f64 = f;
      return true;
    }
    case 0xcb: {
      if (!number(u64)) return false;
      out.type = msgpack::type::FLOAT64;
      std::memcpy(&out.via.f64, &u64, sizeof u64);
      return true;
    }
    case 0xcc: return number(u8) && set_unsigned(u8);
    case 0xcd: return number(u16) && set_unsigned(u16);
    case 0xce: return number(u32) && set_unsigned(u32);
    case 0xcf: return number(u64) && set_unsigned(u64);
    case 0xd0: return number(u8) && set_signed(static_cast<std::int8_t>(u8));
    case 0xd1: return number(u16) && set_signed(static_cast<std::int16_t>(u16));
    case 0xd2: return number(u32) && set_signed(static_cast<std::int32_t>(u32));
    case 0xd3: return number(u64) && set_signed(static_cast<std::int64_t>(u64));
    case 0xd4: return ext(out, 1);
    case 0xd5: return ext(out, 2);
    case 0xd6: return ext(out, 4);
    case 0xd7: return ext(out, 8);
    case 0xd8: return ext(out, 16);
    case 0xd9: return number(u8) && bytes(out, u8, msgpack::type::STR);
    case 0xda: return number(u16) && bytes(out, u16, msgpack::type::STR);
    case 0xdb: return number(u32) && bytes(out, u32, msgpack::type::STR);
    case 0xdc: return number(u16) && container(out, u16, false, depth);
    case 0xdd: return number(u32) && container(out, u32, false, depth);
    case 0xde: return number(u16) && container(out, u16, true, depth);
    case 0xdf: return number(u32) && container(out, u32, true, depth);
    default: return fail("invalid msgpack byte 0xc1");
  }
}

}  // namespace titan::detail
