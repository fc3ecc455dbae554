// Packing a value and looking at what went on the wire, for the record tests.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <msgpack.hpp>
#include <titan/status.hpp>

namespace titan::test {

template <class T>
std::string pack(const T& v) {
  msgpack::sbuffer b;
  msgpack::pack(b, v);
  return {b.data(), b.size()};
}

template <class T>
T unpack(const std::string& bytes) {
  const msgpack::object_handle h = msgpack::unpack(bytes.data(), bytes.size());
  T out{};
  h.get().convert(out);
  return out;
}

template <class T>
T round_trip(const T& v) {
  return unpack<T>(pack(v));
}

// The titan::Error that decoding `bytes` as a T throws; nullopt when it decodes.
template <class T>
std::optional<Error> decode_error_of(const std::string& bytes) {
  try {
    unpack<T>(bytes);
  } catch (const Error& e) {
    return e;
  }
  return std::nullopt;
}

// A packed map: its keys in wire order, and its values by key.
class wire_map {
 public:
  explicit wire_map(const std::string& bytes) : h_(msgpack::unpack(bytes.data(), bytes.size())) {}
  explicit wire_map(const msgpack::object& o) : o_(&o) {}

  const msgpack::object& object() const { return o_ ? *o_ : h_.get(); }
  bool is_map() const { return object().type == msgpack::type::MAP; }

  std::vector<std::string> keys() const {
    std::vector<std::string> out;
    for (const auto& kv : object().via.map) out.push_back(kv.key.as<std::string>());
    return out;
  }
  const msgpack::object& operator[](std::string_view key) const {
    for (const auto& kv : object().via.map)
      if (kv.key.type == msgpack::type::STR && kv.key.as<std::string_view>() == key) return kv.val;
    throw std::out_of_range("no key " + std::string(key));
  }
  template <class T>
  T get(std::string_view key) const {
    return (*this)[key].as<T>();
  }
  bool is_nil(std::string_view key) const { return (*this)[key].type == msgpack::type::NIL; }
  bool is_float64(std::string_view key) const { return (*this)[key].type == msgpack::type::FLOAT64; }

 private:
  msgpack::object_handle h_;
  const msgpack::object* o_ = nullptr;
};

// `bytes` (a map) with `key` set to `value`: replaced, or added at the end.
template <class V>
std::string with(const std::string& bytes, std::string_view key, const V& value) {
  const msgpack::object_handle h = msgpack::unpack(bytes.data(), bytes.size());
  const msgpack::object& m = h.get();
  bool found = false;
  for (const auto& kv : m.via.map) found = found || kv.key.as<std::string_view>() == key;
  msgpack::sbuffer b;
  msgpack::packer<msgpack::sbuffer> p(b);
  p.pack_map(m.via.map.size + (found ? 0 : 1));
  for (const auto& kv : m.via.map) {
    p.pack(kv.key);
    if (kv.key.as<std::string_view>() == key)
      p.pack(value);
    else
      p.pack(kv.val);
  }
  if (!found) {
    p.pack(key);
    p.pack(value);
  }
  return {b.data(), b.size()};
}

}  // namespace titan::test
