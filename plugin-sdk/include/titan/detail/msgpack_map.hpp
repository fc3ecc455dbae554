// TITAN_MSGPACK_MAP(fields...): MSGPACK_DEFINE_MAP, except that a
// std::optional field that is empty is left out of the packed map instead of
// being packed as nil. Decoding is msgpack-c's: unknown keys are ignored and
// missing ones keep the member's default. Messages then read as the
// protocol documents them ("call_timeout_ms" only when there is one).
#pragma once

#include <cstddef>
#include <optional>
#include <tuple>
#include <utility>

#include <msgpack.hpp>

namespace titan::detail {

template <class T>
constexpr bool msgpack_present(const T&) { return true; }
template <class T>
constexpr bool msgpack_present(const std::optional<T>& v) { return v.has_value(); }

template <class Packer, class T>
void msgpack_pack_present(Packer& pk, const T& v) { pk.pack(v); }
template <class Packer, class T>
void msgpack_pack_present(Packer& pk, const std::optional<T>& v) { pk.pack(*v); }

// `fields` is msgpack-c's (name, member, name, member, ...) tuple.
template <class Packer, class Tuple, std::size_t... I>
void pack_present_fields(Packer& pk, const Tuple& fields, std::index_sequence<I...>) {
  std::uint32_t n = 0;
  ((n += msgpack_present(std::get<2 * I + 1>(fields)) ? 1 : 0), ...);
  pk.pack_map(n);
  ((msgpack_present(std::get<2 * I + 1>(fields))
        ? (pk.pack(std::get<2 * I>(fields)), msgpack_pack_present(pk, std::get<2 * I + 1>(fields)), 0)
        : 0),
   ...);
}

template <class Packer, class... Args>
void pack_present(Packer& pk, const msgpack::type::define_map<Args...>& map) {
  static_assert(sizeof...(Args) % 2 == 0);
  pack_present_fields(pk, map.a, std::make_index_sequence<sizeof...(Args) / 2>());
}

}  // namespace titan::detail

// msgpack-c's own field list macro (MSGPACK_DEFINE_MAP_IMPL) names the fields.
#define TITAN_MSGPACK_MAP(...)                                                                        \
  template <typename Packer>                                                                         \
  void msgpack_pack(Packer& msgpack_pk) const {                                                      \
    ::titan::detail::pack_present(msgpack_pk, msgpack::type::make_define_map MSGPACK_DEFINE_MAP_IMPL(__VA_ARGS__)); \
  }                                                                                                  \
  void msgpack_unpack(msgpack::object const& msgpack_o) {                                            \
    msgpack::type::make_define_map MSGPACK_DEFINE_MAP_IMPL(__VA_ARGS__).msgpack_unpack(msgpack_o);   \
  }
