// titan/control.hpp's messages as bytes: packed by the codec, written by
// hand as another implementation of the protocol would, decoded, and the
// shape of a packed map. Shared by control_messages_test.cpp and
// control_decode_test.cpp.
#pragma once

#include <catch2/catch.hpp>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>

#include <titan/control.hpp>

namespace titan::test::control_fixture {

inline std::string bytes(const msgpack::sbuffer& b) { return std::string(b.data(), b.size()); }

template <class T>
std::string packed(const T& value) {
  msgpack::sbuffer buf;
  msgpack::pack(buf, value);
  return bytes(buf);
}

// Bytes written by hand with a packer, the way another implementation of
// the protocol would write them.
inline std::string by_hand(const std::function<void(msgpack::packer<msgpack::sbuffer>&)>& fn) {
  msgpack::sbuffer buf;
  msgpack::packer<msgpack::sbuffer> p(buf);
  fn(p);
  return bytes(buf);
}

// A map's keys and the msgpack type of each value.
inline std::map<std::string, msgpack::type::object_type> shape(const std::string& map_bytes) {
  auto h = msgpack::unpack(map_bytes.data(), map_bytes.size());
  const msgpack::object& o = h.get();
  REQUIRE(o.type == msgpack::type::MAP);
  std::map<std::string, msgpack::type::object_type> out;
  for (std::uint32_t i = 0; i < o.via.map.size; ++i) {
    REQUIRE(o.via.map.ptr[i].key.type == msgpack::type::STR);
    out[o.via.map.ptr[i].key.as<std::string>()] = o.via.map.ptr[i].val.type;
  }
  REQUIRE(out.size() == o.via.map.size);  // no key twice
  return out;
}

inline std::set<std::string> keys(const std::map<std::string, msgpack::type::object_type>& s) {
  std::set<std::string> out;
  for (const auto& [k, t] : s) out.insert(k);
  return out;
}

// Decodes `message_bytes` (one map) as a report body `[{...}]` would be decoded.
template <class Report>
std::optional<Report> decode_map_bytes(const std::string& message_bytes) {
  auto h = msgpack::unpack(message_bytes.data(), message_bytes.size());
  return control::decode_map<Report>(h.get());
}

template <class Report>
std::optional<Report> decode_body_bytes(const std::string& body_bytes) {
  auto h = msgpack::unpack(body_bytes.data(), body_bytes.size());
  return control::decode<Report>(h.get());
}

// [{...}] around a map written by `fn`.
inline std::string body_of(const std::function<void(msgpack::packer<msgpack::sbuffer>&)>& fn) {
  return by_hand([&](auto& p) {
    p.pack_array(1);
    fn(p);
  });
}

inline constexpr auto STR = msgpack::type::STR;
inline constexpr auto BOOLEAN = msgpack::type::BOOLEAN;
inline constexpr auto UINT = msgpack::type::POSITIVE_INTEGER;
inline constexpr auto ARRAY = msgpack::type::ARRAY;

inline control::ready_report sample_ready() {
  control::ready_report r;
  r.id = "17";
  r.name = "users-1";
  r.service = "demo.Users";
  r.version = "1.2.3";
  r.build_id = "a1b2c3";
  r.stateful = true;
  r.pid = 4242;
  r.endpoints = {"ipc:///run/titan/host-17.sock", "tcp://127.0.0.1:5555"};
  r.methods = {"get", "put"};
  return r;
}

}  // namespace titan::test::control_fixture
