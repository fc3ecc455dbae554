// A JSON-like value, the kind MessagePack carries, as a plain C++ value: a
// workflow's input, its stages' argument templates and their outputs.
// Copyable and comparable; it needs no MessagePack header
// (titan/workflow_msgpack.hpp converts).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <variant>
#include <vector>

namespace titan {

class workflow_value {
 public:
  using array = std::vector<workflow_value>;
  // A map with string keys, in the order they came (msgpack maps are ordered).
  using object = std::vector<std::pair<std::string, workflow_value>>;
  using bytes = std::vector<std::uint8_t>;  // msgpack bin

  enum class kind { nil, boolean, integer, floating, string, bytes, array, object };

  workflow_value() = default;  // nil
  workflow_value(std::nullptr_t) {}
  workflow_value(bool b) : v_(b) {}
  // Integers: non-negative ones are kept unsigned, so that 3 equals a 3 read
  // back from MessagePack (which has no signed positive integers).
  template <class I>
    requires(std::is_integral_v<I> && !std::is_same_v<I, bool> && !std::is_same_v<I, char>)
  workflow_value(I i) {
    if constexpr (std::is_signed_v<I>) {
      if (i < 0) {
        v_ = static_cast<std::int64_t>(i);
        return;
      }
    }
    v_ = static_cast<std::uint64_t>(i);
  }
  workflow_value(double d) : v_(d) {}
  workflow_value(const char* s) : v_(std::string(s)) {}
  workflow_value(std::string s) : v_(std::move(s)) {}
  workflow_value(std::string_view s) : v_(std::string(s)) {}
  workflow_value(array a) : v_(std::move(a)) {}
  workflow_value(object o) : v_(std::move(o)) {}
  workflow_value(bytes b) : v_(std::move(b)) {}

  kind type() const;
  bool is_nil() const { return std::holds_alternative<std::monostate>(v_); }
  bool is_string() const { return std::holds_alternative<std::string>(v_); }
  bool is_array() const { return std::holds_alternative<array>(v_); }
  bool is_object() const { return std::holds_alternative<object>(v_); }

  // nullptr when the value is not of that type.
  const bool* if_bool() const { return std::get_if<bool>(&v_); }
  const std::int64_t* if_negative() const { return std::get_if<std::int64_t>(&v_); }
  const std::uint64_t* if_unsigned() const { return std::get_if<std::uint64_t>(&v_); }
  const double* if_double() const { return std::get_if<double>(&v_); }
  const std::string* if_string() const { return std::get_if<std::string>(&v_); }
  const bytes* if_bytes() const { return std::get_if<bytes>(&v_); }
  const array* if_array() const { return std::get_if<array>(&v_); }
  const object* if_object() const { return std::get_if<object>(&v_); }
  array* if_array() { return std::get_if<array>(&v_); }
  object* if_object() { return std::get_if<object>(&v_); }

  // An object's member; nullptr when this is not an object or has no such key.
  const workflow_value* find(std::string_view key) const;
  // An array's element; nullptr when this is not an array or it is too short.
  const workflow_value* at(std::size_t index) const;
  std::size_t size() const;  // elements of an array or object, bytes of bytes; 0 otherwise

  // Compact JSON (bytes as an array of numbers), for messages and logs.
  std::string to_json() const;

  bool operator==(const workflow_value& other) const { return v_ == other.v_; }

 private:
  std::variant<std::monostate, bool, std::int64_t, std::uint64_t, double, std::string, bytes, array, object> v_;
};

// "nil", "bool", "int", "float", "string", "bytes", "array", "map".
std::string_view type_name(workflow_value::kind k);

}  // namespace titan
