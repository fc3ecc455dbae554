// The result of a call that is in flight.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <type_traits>
#include <utility>

#include <msgpack.hpp>

#include "titan/codec.hpp"
#include "titan/detail/client_core.hpp"
#include "titan/status.hpp"
#include "titan/wire.hpp"

namespace titan {

namespace detail {
// What a call returning T gives back: msgpack::object results come as an
// object_handle, which owns the memory the object points into.
template <class T>
using reply_type = std::conditional_t<std::is_same_v<T, msgpack::object>, msgpack::object_handle, T>;

// A zone reused by one thread for decoding replies.
msgpack::zone& reply_zone();

template <class T>
void decode_reply(void* ctx, const char* data, std::size_t size) {
  T& out = *static_cast<T*>(ctx);
  msgpack::zone& zone = reply_zone();
  msgpack::object obj;
  if (auto err = wire::decode_body(data, size, zone, obj)) throw Error(status_code::internal, "bad reply: " + *err);
  std::string why;
  bool ok = try_convert(obj, out, why);
  zone.clear();
  if (!ok) throw Error(status_code::internal, "unexpected reply type: " + why);
}

inline void decode_handle(void* ctx, const char* data, std::size_t size) {
  auto& out = *static_cast<msgpack::object_handle*>(ctx);
  auto zone = std::make_unique<msgpack::zone>();
  msgpack::object obj;
  if (auto err = wire::decode_body(data, size, *zone, obj)) throw Error(status_code::internal, "bad reply: " + *err);
  // decode_body references `data`; copy the value into the zone that the handle owns.
  out = msgpack::object_handle(msgpack::object(obj, *zone), std::move(zone));
}
}  // namespace detail

// Move-only. get() blocks until the call ends and returns its result or
// throws titan::Error (code(): INVALID_ARGUMENT, DEADLINE_EXCEEDED, ...).
// Many futures of one client may be pending at once; waiting on one also
// collects the replies of the others.
template <class T>
class Future {
  static_assert(!std::is_same_v<T, msgpack::object>,
                "a msgpack::object cannot own its memory: use Future<msgpack::object_handle>");

 public:
  Future(std::shared_ptr<detail::client_core> core, std::uint64_t id) : core_(std::move(core)), id_(id) {}
  Future(Future&& o) noexcept : core_(std::move(o.core_)), id_(o.id_) {}
  Future& operator=(Future&& o) noexcept {
    if (this != &o) {
      release();
      core_ = std::move(o.core_);
      id_ = o.id_;
    }
    return *this;
  }
  Future(const Future&) = delete;
  Future& operator=(const Future&) = delete;
  ~Future() { release(); }

  T get() {
    auto core = take();
    if constexpr (std::is_void_v<T>) {
      core->wait(id_, [](void*, const char*, std::size_t) {}, nullptr);
    } else if constexpr (std::is_same_v<T, msgpack::object_handle>) {
      msgpack::object_handle out;
      core->wait(id_, &detail::decode_handle, &out);
      return out;
    } else {
      T out{};
      core->wait(id_, &detail::decode_reply<T>, &out);
      return out;
    }
  }

  // True when get() would not block.
  bool ready() const { return core_ && core_->ready(id_); }
  bool valid() const { return core_ != nullptr; }
  std::uint64_t id() const { return id_; }

 private:
  std::shared_ptr<detail::client_core> take() {
    if (!core_) throw Error(status_code::failed_precondition, "get() on an empty or already used Future");
    return std::move(core_);
  }
  void release() noexcept {
    if (core_) core_->forget(id_);
    core_.reset();
  }

  std::shared_ptr<detail::client_core> core_;
  std::uint64_t id_;
};

}  // namespace titan
