// The connection behind a Client: an interface, so that no ZeroMQ header
// reaches code that only makes calls. Implemented in src/zmq_client_core.cpp.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "titan/client_options.hpp"

namespace titan::detail {

class client_core {
 public:
  virtual ~client_core() = default;

  // Sends a call whose body is an already packed msgpack array. Never
  // throws: a call that cannot be sent fails when it is waited for.
  virtual std::uint64_t send(std::string_view method, const char* body, std::size_t size,
                             std::chrono::milliseconds timeout) = 0;

  using reply_fn = void (*)(void* ctx, const char* data, std::size_t size);
  // Blocks until call `id` ends. A REPLY body is handed to `fn` (while its
  // bytes are alive); an error, a deadline or a lost host throws titan::Error.
  // The call is forgotten afterwards.
  virtual void wait(std::uint64_t id, reply_fn fn, void* ctx) = 0;

  // True once call `id` has ended (never blocks).
  virtual bool ready(std::uint64_t id) = 0;

  // Drops a call nobody will wait for; its reply is discarded on arrival.
  virtual void forget(std::uint64_t id) noexcept = 0;

  virtual const std::string& endpoint() const = 0;
};

std::shared_ptr<client_core> make_client_core(const std::string& endpoint, const client_options& options);


}  // namespace titan::detail
