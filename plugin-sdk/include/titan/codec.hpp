// Type names for schemas and checked conversion of msgpack arguments.
#pragma once

#include <array>
#include <cstdint>
#include <deque>
#include <list>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <tuple>
#include <type_traits>
#include <unordered_map>
#include <unordered_set>
#include <utility>
#include <vector>

#include <msgpack.hpp>

#include "titan/status.hpp"

namespace titan {

namespace detail {

template <class T, template <class...> class Tmpl>
struct is_specialization : std::false_type {};
template <template <class...> class Tmpl, class... A>
struct is_specialization<Tmpl<A...>, Tmpl> : std::true_type {};
template <class T, template <class...> class Tmpl>
inline constexpr bool is_specialization_v = is_specialization<std::remove_cvref_t<T>, Tmpl>::value;

template <class T>
inline constexpr bool is_std_array_v = false;
template <class T, std::size_t N>
inline constexpr bool is_std_array_v<std::array<T, N>> = true;

// The unqualified C++ name of T, from the compiler's pretty function name.
template <class T>
constexpr std::string_view raw_type_name() {
  std::string_view s = __PRETTY_FUNCTION__;
  const std::string_view key = "T = ";
  auto begin = s.find(key) + key.size();
  auto end = s.find_first_of(";]", begin);
  s = s.substr(begin, end - begin);
  // Drop namespaces but keep template arguments intact.
  auto lt = s.find('<');
  auto colon = s.substr(0, lt).rfind("::");
  return colon == std::string_view::npos ? s : s.substr(colon + 2);
}

template <class... T>
std::string join_type_names();

}  // namespace detail

// The schema name of T as shown by `$describe` and in conversion errors:
// int, uint, float, bool, string, bytes, array<T>, map<K, V>, optional<T>,
// tuple<A, B>, any, nil, or the C++ name of a user struct.
template <class T>
std::string type_name() {
  using U = std::remove_cvref_t<T>;
  if constexpr (std::is_void_v<U>) return "nil";
  else if constexpr (std::is_same_v<U, bool>) return "bool";
  else if constexpr (std::is_integral_v<U> && std::is_signed_v<U>) return "int";
  else if constexpr (std::is_integral_v<U>) return "uint";
  else if constexpr (std::is_floating_point_v<U>) return "float";
  else if constexpr (std::is_same_v<U, std::string> || std::is_same_v<U, std::string_view> ||
                     std::is_same_v<U, const char*>)
    return "string";
  else if constexpr (std::is_same_v<U, std::vector<char>> || std::is_same_v<U, std::vector<unsigned char>>)
    return "bytes";
  else if constexpr (std::is_same_v<U, msgpack::object> || std::is_same_v<U, msgpack::object_handle>)
    return "any";
  else if constexpr (detail::is_specialization_v<U, std::optional>)
    return "optional<" + type_name<typename U::value_type>() + ">";
  else if constexpr (detail::is_specialization_v<U, std::vector> || detail::is_specialization_v<U, std::list> ||
                     detail::is_specialization_v<U, std::deque> || detail::is_specialization_v<U, std::set> ||
                     detail::is_specialization_v<U, std::unordered_set> || detail::is_std_array_v<U>)
    return "array<" + type_name<typename U::value_type>() + ">";
  else if constexpr (detail::is_specialization_v<U, std::map> || detail::is_specialization_v<U, std::unordered_map>)
    return "map<" + type_name<typename U::key_type>() + ", " + type_name<typename U::mapped_type>() + ">";
  else if constexpr (detail::is_specialization_v<U, std::tuple> || detail::is_specialization_v<U, std::pair>)
    return []<class... E>(std::type_identity<std::tuple<E...>>) {
      return "tuple<" + detail::join_type_names<E...>() + ">";
    }(std::type_identity<decltype(std::tuple_cat(std::declval<std::tuple<>>(), std::declval<U>()))>{});
  else
    return std::string(detail::raw_type_name<U>());
}

namespace detail {
template <class... T>
std::string join_type_names() {
  std::string out;
  ((out += (out.empty() ? "" : ", ") + type_name<T>()), ...);
  return out;
}
}  // namespace detail

// What a msgpack value on the wire is: nil, bool, uint, int, float, string,
// bytes, array, map or ext.
std::string_view wire_type_name(const msgpack::object& o) noexcept;

// Converts `o` to T. On mismatch returns false and sets `why` to a message
// such as "expected int, got string", or the message of the titan::Error an
// adaptor threw (titan/msgpack_adaptors.hpp: "process_info.state: unknown ...").
template <class T>
bool try_convert(const msgpack::object& o, T& out, std::string& why) {
  try {
    o.convert(out);
    return true;
  } catch (const Error& e) {
    why = e.message();
    return false;
  } catch (const std::exception&) {
    why = "expected " + type_name<T>() + ", got " + std::string(wire_type_name(o));
    return false;
  }
}

}  // namespace titan
