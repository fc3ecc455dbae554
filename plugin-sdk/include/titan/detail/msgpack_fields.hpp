// Reading fields of msgpack maps with string keys, without throwing.
#pragma once

#include <string_view>

#include <msgpack.hpp>

namespace titan::detail {

// The text of a STR object; empty for anything else.
inline std::string_view str_of(const msgpack::object& o) {
  return o.type == msgpack::type::STR ? std::string_view(o.via.str.ptr, o.via.str.size) : std::string_view();
}

// The value under `key` in a MAP; nullptr when absent or not a map.
inline const msgpack::object* map_field(const msgpack::object& map, std::string_view key) {
  if (map.type != msgpack::type::MAP) return nullptr;
  for (const auto& kv : map.via.map)
    if (kv.key.type == msgpack::type::STR && str_of(kv.key) == key) return &kv.val;
  return nullptr;
}

}  // namespace titan::detail
