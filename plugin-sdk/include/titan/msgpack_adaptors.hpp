// MessagePack for the values plain msgpack-c does not carry the way Titan's
// wire does, adapted once for every caller:
//
//   std::chrono durations of whole milliseconds (ms, s, min, h)
//                              an integer number of milliseconds
//   system_clock time points   integer milliseconds since the Unix epoch
//   enums that opt in (titan::wire_enum<E>), and titan::status_code
//                              their name: to_string(e) ("running", "INVALID_ARGUMENT")
//   structs that describe their fields once (titan::wire_record<T>)
//                              a map with those keys
//
// A record decodes tolerantly, so that two versions one change apart still
// talk: a missing key keeps the member's default, an unknown key is ignored.
// A value of the wrong kind throws titan::decode_error (INVALID_ARGUMENT)
// saying where: "process_info.state: unknown process_state 'zombie'",
// "workflow_spec.stages[1].timeout_ms: expected integer milliseconds, got string".
//
// One function describes a record both ways (packing calls it on a const
// value, decoding on a mutable one):
//
//   template <> struct titan::wire_record<job> {
//     template <class V, class R> static void fields(V& v, R& j) {
//       v("name", j.name);
//       v("timeout_ms", j.timeout);                               // std::chrono::milliseconds
//       v("retry_ms", titan::wire_field::zero_when_unset(j.retry));  // titan/wire_field.hpp
//     }
//   };
//
// Include this header wherever such a value is packed or unpacked;
// titan/titan.hpp does not, so a plugin that never uses it pays nothing.
#pragma once

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstring>
#include <limits>
#include <optional>
#include <ratio>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#include <msgpack.hpp>

#include "titan/client_options.hpp"
#include "titan/codec.hpp"
#include "titan/detail/msgpack_fields.hpp"
#include "titan/status.hpp"

#ifndef MSGPACK_NO_BOOST
// msgpack-c's Boost part packs time points as timestamp extensions: a
// translation unit without this header would silently disagree with one that has it.
#error "titan/msgpack_adaptors.hpp needs MSGPACK_NO_BOOST (titan::sdk defines it)"
#endif

namespace titan {

// A value that does not decode: where (`path` below a value of type `type`,
// such as "stages[1].timeout_ms") and why.
class decode_error : public Error {
 public:
  decode_error(std::string type, std::string path, std::string reason)
      : Error(status_code::invalid_argument, describe(type, path, reason)),
        path_(std::move(path)),
        reason_(std::move(reason)) {}

  const std::string& path() const noexcept { return path_; }
  const std::string& reason() const noexcept { return reason_; }

  // `inner` below `outer`: "a.b", "a[1]".
  static std::string join(std::string_view outer, std::string_view inner) {
    if (outer.empty()) return std::string(inner);
    if (inner.empty()) return std::string(outer);
    return std::string(outer) + (inner.front() == '[' ? "" : ".") + std::string(inner);
  }

 private:
  static std::string describe(const std::string& type, const std::string& path, const std::string& reason) {
    const std::string where = join(type, path);
    return where.empty() ? reason : where + ": " + reason;
  }

  std::string path_, reason_;
};

// True: E goes on the wire as its name. E's enumerators must run from 0
// without gaps, and its to_string(E) (found by ADL) must name a value past
// the last one with a placeholder ("?").
template <class E>
inline constexpr bool wire_enum = false;
template <>
inline constexpr bool wire_enum<balance> = true;
template <>
inline constexpr bool wire_enum<status_code> = true;  // sparse, read by status_code_from_string

// Specialize with a static fields(V&, R&) (see the top of this header).
template <class T>
struct wire_record;

namespace detail {

// Visits without doing anything: the visitor wire_record<T>::fields must accept.
struct field_probe {
  template <class F>
  void operator()(std::string_view, F&&) const {}
};

template <class T>
concept is_wire_record = requires(field_probe& v, const T& r) { wire_record<T>::fields(v, r); };

// A field that packs and reads itself (titan/wire_field.hpp).
template <class F>
concept custom_field = requires(const F& f, msgpack::packer<msgpack::sbuffer>& p, const msgpack::object& o) {
  f.wire_pack(p);
  f.wire_read(o);
};

template <class T>
inline constexpr bool is_bytes_v = std::is_same_v<T, std::vector<char>> || std::is_same_v<T, std::vector<unsigned char>>;

inline std::string shown(std::string_view text) {  // a name from the wire, in a message
  return text.size() <= 64 ? std::string(text) : std::string(text.substr(0, 64)) + "...";
}

// Decodes `o` into `out`; throws decode_error. Vectors go element by
// element, so that an error names its index.
template <class T>
void read_value(const msgpack::object& o, T& out);

template <class T, class ReadOne>
void read_elements(const msgpack::object& o, std::vector<T>& out, ReadOne&& read_one) {
  if (o.type != msgpack::type::ARRAY)
    throw decode_error({}, {}, "expected array, got " + std::string(wire_type_name(o)));
  out.clear();
  out.resize(o.via.array.size);
  for (std::uint32_t i = 0; i < o.via.array.size; ++i) {
    try {
      read_one(o.via.array.ptr[i], out[i]);
    } catch (const decode_error& e) {
      throw decode_error({}, decode_error::join("[" + std::to_string(i) + "]", e.path()), e.reason());
    }
  }
}

template <class T>
void read_value(const msgpack::object& o, T& out) {
  if constexpr (is_specialization_v<T, std::vector> && !is_bytes_v<T>) {
    read_elements(o, out, [](const msgpack::object& e, auto& x) { read_value(e, x); });
  } else {
    try {
      o.convert(out);
    } catch (const decode_error&) {
      throw;
    } catch (const std::exception&) {
      throw decode_error({}, {}, "expected " + type_name<T>() + ", got " + std::string(wire_type_name(o)));
    }
  }
}

// A float64, whatever its value. msgpack-c packs a double that holds an
// integer as an integer; a record's float field stays a float on the wire,
// so that what prints it (the titan CLI's --json) still says 0.0, not 0.
template <class Stream>
void pack_float64(msgpack::packer<Stream>& p, double d) {
  std::uint64_t bits = 0;
  std::memcpy(&bits, &d, sizeof bits);
  char buf[9];
  buf[0] = static_cast<char>(0xcb);
  for (int i = 0; i < 8; ++i) buf[1 + i] = static_cast<char>(bits >> (56 - 8 * i));
  p.pack_str_body(buf, sizeof buf);  // appends the bytes as they are
}

struct field_counter {
  std::uint32_t count = 0;
  template <class F>
  void operator()(std::string_view, F&&) {
    ++count;
  }
};

template <class Stream>
struct field_packer {
  msgpack::packer<Stream>& p;
  template <class F>
  void operator()(std::string_view key, const F& f) const {
    p.pack_str(static_cast<std::uint32_t>(key.size()));
    p.pack_str_body(key.data(), static_cast<std::uint32_t>(key.size()));
    if constexpr (custom_field<F>)
      f.wire_pack(p);
    else if constexpr (std::is_floating_point_v<F>)
      pack_float64(p, f);
    else
      p.pack(f);
  }
};

struct field_reader {
  const msgpack::object& map;
  std::string_view type;
  template <class F>
  void operator()(std::string_view key, F&& f) const {
    const msgpack::object* value = map_field(map, key);
    if (value == nullptr) return;  // from a version without it: keeps its default
    try {
      if constexpr (custom_field<std::remove_cvref_t<F>>)
        f.wire_read(*value);
      else
        read_value(*value, f);
    } catch (const decode_error& e) {
      throw decode_error(std::string(type), decode_error::join(key, e.path()), e.reason());
    }
  }
};

// A map of what `fields(visitor)` visits: visitor(key, value) for each field.
template <class Stream, class Fields>
void pack_fields(msgpack::packer<Stream>& p, Fields&& fields) {
  field_counter counter;
  fields(counter);
  p.pack_map(counter.count);
  field_packer<Stream> packer{p};
  fields(packer);
}

// Reads the fields `fields(visitor)` visits out of map `o` (see the top).
template <class Fields>
void read_fields(const msgpack::object& o, std::string_view type, Fields&& fields) {
  if (o.type != msgpack::type::MAP)
    throw decode_error(std::string(type), {}, "expected map, got " + std::string(wire_type_name(o)));
  field_reader reader{o, type};
  fields(reader);
}

template <class Period>
inline constexpr bool whole_ms = std::ratio_divide<Period, std::milli>::den == 1;

// An integer of the wire, as int64 (what milliseconds are).
inline std::int64_t wire_int64(const msgpack::object& o, std::string_view what) {
  if (o.type == msgpack::type::NEGATIVE_INTEGER) return o.via.i64;
  if (o.type == msgpack::type::POSITIVE_INTEGER && o.via.u64 <= std::uint64_t(std::numeric_limits<std::int64_t>::max()))
    return static_cast<std::int64_t>(o.via.u64);
  const std::string got = o.type == msgpack::type::POSITIVE_INTEGER ? "a larger integer" : std::string(wire_type_name(o));
  throw decode_error({}, {}, "expected " + std::string(what) + ", got " + got);
}

// `ms` milliseconds as a D, exactly (no rounding, no overflow).
template <class D>
D from_ms(std::int64_t ms) {
  using std::chrono::milliseconds;
  if constexpr (whole_ms<typename D::period>) {  // ms or coarser: a division, checked by going back
    const D d = std::chrono::duration_cast<D>(milliseconds(ms));
    if (std::chrono::duration_cast<milliseconds>(d).count() == ms) return d;
  } else {  // finer: a multiplication, checked before
    constexpr std::int64_t limit = std::chrono::duration_cast<milliseconds>(D::max()).count();
    if (ms <= limit && ms >= -limit) return std::chrono::duration_cast<D>(milliseconds(ms));
  }
  throw decode_error({}, {}, std::to_string(ms) + " ms: out of range, or not a whole number of the field's unit");
}

template <class E>
E enum_from_wire(const msgpack::object& o) {
  const std::string enum_name(raw_type_name<E>());
  if (o.type != msgpack::type::STR)
    throw decode_error({}, {}, "expected the name of a " + enum_name + ", got " + std::string(wire_type_name(o)));
  const std::string_view name = str_of(o);
  if constexpr (std::is_same_v<E, status_code>) {
    if (auto code = status_code_from_string(name)) return *code;
  } else {
    using U = std::underlying_type_t<E>;
    constexpr int end = static_cast<int>(std::min<long long>(256, std::numeric_limits<U>::max()));
    const std::string_view placeholder = to_string(static_cast<E>(end));
    for (int i = 0; i < end; ++i)
      if (const std::string_view n = to_string(static_cast<E>(i)); n == name && n != placeholder)
        return static_cast<E>(i);
  }
  throw decode_error({}, {}, "unknown " + enum_name + " '" + shown(name) + "'");
}

}  // namespace detail

}  // namespace titan

namespace msgpack {
MSGPACK_API_VERSION_NAMESPACE(MSGPACK_DEFAULT_API_NS) {
  namespace adaptor {

  template <class Rep, class Period>
  struct convert<std::chrono::duration<Rep, Period>,
                 std::enable_if_t<std::is_integral_v<Rep> && titan::detail::whole_ms<Period>>> {
    const msgpack::object& operator()(const msgpack::object& o, std::chrono::duration<Rep, Period>& d) const {
      d = titan::detail::from_ms<std::chrono::duration<Rep, Period>>(
          titan::detail::wire_int64(o, "integer milliseconds"));
      return o;
    }
  };
  template <class Rep, class Period>
  struct pack<std::chrono::duration<Rep, Period>,
              std::enable_if_t<std::is_integral_v<Rep> && titan::detail::whole_ms<Period>>> {
    template <class S>
    msgpack::packer<S>& operator()(msgpack::packer<S>& p, const std::chrono::duration<Rep, Period>& d) const {
      return p.pack(static_cast<std::int64_t>(std::chrono::duration_cast<std::chrono::milliseconds>(d).count()));
    }
  };

  template <class D>
  struct convert<std::chrono::time_point<std::chrono::system_clock, D>,
                 std::enable_if_t<std::is_integral_v<typename D::rep>>> {
    const msgpack::object& operator()(const msgpack::object& o,
                                      std::chrono::time_point<std::chrono::system_clock, D>& t) const {
      const auto ms = titan::detail::wire_int64(o, "integer milliseconds since the epoch");
      t = std::chrono::time_point<std::chrono::system_clock, D>(titan::detail::from_ms<D>(ms));
      return o;
    }
  };
  template <class D>
  struct pack<std::chrono::time_point<std::chrono::system_clock, D>,
              std::enable_if_t<std::is_integral_v<typename D::rep>>> {
    template <class S>
    msgpack::packer<S>& operator()(msgpack::packer<S>& p,
                                   const std::chrono::time_point<std::chrono::system_clock, D>& t) const {
      const auto ms = std::chrono::floor<std::chrono::milliseconds>(t.time_since_epoch()).count();
      return p.pack(static_cast<std::int64_t>(ms));
    }
  };

  template <class E>
  struct convert<E, std::enable_if_t<titan::wire_enum<E>>> {
    const msgpack::object& operator()(const msgpack::object& o, E& e) const {
      e = titan::detail::enum_from_wire<E>(o);
      return o;
    }
  };
  template <class E>
  struct pack<E, std::enable_if_t<titan::wire_enum<E>>> {
    template <class S>
    msgpack::packer<S>& operator()(msgpack::packer<S>& p, const E& e) const {
      const std::string_view name = to_string(e);
      p.pack_str(static_cast<std::uint32_t>(name.size()));
      return p.pack_str_body(name.data(), static_cast<std::uint32_t>(name.size()));
    }
  };

  template <class T>
  struct convert<T, std::enable_if_t<titan::detail::is_wire_record<T>>> {
    const msgpack::object& operator()(const msgpack::object& o, T& v) const {
      titan::detail::read_fields(o, titan::detail::raw_type_name<T>(),
                                 [&v](auto& visitor) { titan::wire_record<T>::fields(visitor, v); });
      return o;
    }
  };
  template <class T>
  struct pack<T, std::enable_if_t<titan::detail::is_wire_record<T>>> {
    template <class S>
    msgpack::packer<S>& operator()(msgpack::packer<S>& p, const T& v) const {
      titan::detail::pack_fields(p, [&v](auto& visitor) { titan::wire_record<T>::fields(visitor, v); });
      return p;
    }
  };

  }  // namespace adaptor
}  // MSGPACK_API_VERSION_NAMESPACE(MSGPACK_DEFAULT_API_NS)
}  // namespace msgpack
