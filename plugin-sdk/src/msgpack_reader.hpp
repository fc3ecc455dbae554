// A bounded, allocation-free msgpack parser for frames that come off a socket.
//
// msgpack-c's unpack allocates a parse stack on every call and trusts
// declared lengths until its limits stop it; this reader builds the same
// msgpack::object tree in a caller's (reused) zone, points strings into the
// frame, and refuses any declared length that the remaining bytes cannot hold.
// Without a zone it only checks the bytes: the same errors, nothing built
// (the top value's type is still set, its containers are left empty).
#pragma once

#include <cstddef>
#include <string>

#include <msgpack.hpp>

namespace titan::detail {

struct reader_limits {
  std::size_t max_depth;
  std::size_t max_container;
  std::size_t max_string;
};

class msgpack_reader {
 public:
  msgpack_reader(const char* data, std::size_t size, msgpack::zone& zone, const reader_limits& limits)
      : p_(reinterpret_cast<const unsigned char*>(data)), end_(p_ + size), zone_(&zone), limits_(limits) {}
  // Checks only (see above).
  msgpack_reader(const char* data, std::size_t size, const reader_limits& limits)
      : p_(reinterpret_cast<const unsigned char*>(data)), end_(p_ + size), zone_(nullptr), limits_(limits) {}

  // Parses one value. False with error() set on malformed input.
  bool read(msgpack::object& out) { return value(out, 0); }
  bool at_end() const { return p_ == end_; }
  std::size_t remaining() const { return static_cast<std::size_t>(end_ - p_); }
  const std::string& error() const { return error_; }

 private:
  bool value(msgpack::object& out, std::size_t depth);
  bool container(msgpack::object& out, std::size_t count, bool is_map, std::size_t depth);
  bool bytes(msgpack::object& out, std::size_t n, msgpack::type::object_type type);
  bool ext(msgpack::object& out, std::size_t n);
  template <class T>
  bool number(T& v);
  bool fail(std::string why) {
    error_ = std::move(why);
    return false;
  }

  const unsigned char* p_;
  const unsigned char* end_;
  msgpack::zone* zone_;  // null: check only
  const reader_limits& limits_;
  std::string error_;
};

}  // namespace titan::detail
