// The connection behind a Client: an interface, so that no ZeroMQ header
// reaches code that only makes calls. Implemented in src/zmq_client_core.cpp.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "titan/client_options.hpp"

namespace titan::detail {

// What the client needs to know about one call besides its bytes.
struct call_flags {
  bool idempotent = false;                // may be sent again to another member
  std::optional<std::uint64_t> key_hash;  // for balance::consistent_hash
};

// How a streaming call streams (PROTOCOL.md "Streams").
struct stream_flags {
  bool output = false;         // the host sends items (STREAM_ITEM)
  bool input = false;          // we send items, as the host grants credit
  std::uint32_t window = 0;    // most items the host may send ahead of our reading; 0: client_options::stream_window
};

enum class stream_step { item, input_credit, ended };

class client_core {
 public:
  virtual ~client_core() = default;

  // Sends a call whose body is an already packed msgpack array. Never
  // throws: a call that cannot be sent fails when it is waited for.
  // `timeout` unset: default_timeout().
  virtual std::uint64_t send(std::string_view method, const char* body, std::size_t size,
                             std::optional<std::chrono::milliseconds> timeout, const call_flags& flags) = 0;

  // What the manager announced as the name's call_timeout, else
  // default_call_timeout.
  virtual std::chrono::milliseconds default_timeout() = 0;

  using reply_fn = void (*)(void* ctx, const char* data, std::size_t size);
  // Blocks until call `id` ends. A REPLY body is handed to `fn` (while its
  // bytes are alive); an error, a deadline or a lost host throws titan::Error.
  // The call is forgotten afterwards.
  virtual void wait(std::uint64_t id, reply_fn fn, void* ctx) = 0;

  // True once call `id` has ended (never blocks).
  virtual bool ready(std::uint64_t id) = 0;

  // Drops a call nobody will wait for; its reply is discarded on arrival.
  // An open stream is cancelled (CANCEL), so its producer stops.
  virtual void forget(std::uint64_t id) noexcept = 0;

  // Starts a streaming call. `timeout` unset: no deadline (a stream lasts
  // as long as its reader wants it).
  virtual std::uint64_t open_stream(std::string_view method, const char* body, std::size_t size,
                                    std::optional<std::chrono::milliseconds> timeout, const call_flags& flags,
                                    const stream_flags& stream) = 0;

  // Blocks until stream `id` has something: an item (handed to `fn`;
  // returns item), room for input when `want_input` (input_credit), or its
  // end (ended; the stream is forgotten). An ERROR, the deadline or a lost
  // host throw titan::Error once the items received before it are taken.
  // With `fn` null no item is taken and an ended call is left for wait().
  virtual stream_step next(std::uint64_t id, reply_fn fn, void* ctx, bool want_input) = 0;

  // Sends one input item; needs credit (next() said input_credit).
  // Returns the credit left.
  virtual std::uint64_t send_item(std::uint64_t id, const char* data, std::size_t size) = 0;
  virtual void end_input(std::uint64_t id) = 0;

  // The endpoint for a one-host client; "NAME@MANAGER" for a discovering one.
  virtual const std::string& endpoint() const = 0;

  // Endpoints of the members calls may go to now.
  virtual std::vector<std::string> members() = 0;
};

// A client of the one host at `endpoint`.
std::shared_ptr<client_core> make_client_core(const std::string& endpoint, const client_options& options);
// A client of whatever the manager at `manager_endpoint` has registered as
// `name`, following its membership as the manager pushes changes.
std::shared_ptr<client_core> make_discovering_client_core(const std::string& manager_endpoint, const std::string& name,
                                                          const client_options& options);


}  // namespace titan::detail
