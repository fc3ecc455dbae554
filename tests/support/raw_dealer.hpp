// A bare ZeroMQ DEALER for driving titan-host with hand-built frames, below
// the SDK's client: for malformed messages and protocol corner cases.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <titan/wire.hpp>
#include <zmq.hpp>

namespace titan::test {

using namespace std::chrono_literals;

// One message as received: header fields, body bytes and every raw frame.
struct raw_reply {
  wire::kind kind = wire::kind::reply;
  std::uint64_t id = 0;
  std::string body;
  std::vector<std::string> frames;

  // For ERROR replies: the body's "code" and "message".
  std::string error_code() const;
  std::string error_message() const;
};

class raw_dealer {
 public:
  explicit raw_dealer(const std::string& endpoint, int max_message_size = -1);

  // Sends `frames` as one multipart message.
  void send(const std::vector<std::string>& frames);
  // A well-formed CALL: header [1, CALL, id, method, meta] and `args` (packed).
  void send_call(std::uint64_t id, std::string_view method, const std::string& args, const wire::meta& meta = {});
  // The next message, or nullopt after `timeout`. Throws when the header
  // cannot be decoded (the host must never send such a thing).
  std::optional<raw_reply> recv(std::chrono::milliseconds timeout = 10s);
  // Receives until the message for `id` (others are skipped) or `timeout`.
  std::optional<raw_reply> recv_for(std::uint64_t id, std::chrono::milliseconds timeout = 10s);
  // Receives until there is a message for each of `ids` (others are skipped)
  // or `timeout`; returns those that came, by id.
  std::map<std::uint64_t, raw_reply> recv_each(const std::vector<std::uint64_t>& ids,
                                               std::chrono::milliseconds timeout = 10s);

  zmq::socket_t& socket() { return socket_; }

 private:
  zmq::context_t ctx_;
  zmq::socket_t socket_;
};

// Header and body bytes for hand-built frames.
std::string header_frame(wire::kind k, std::uint64_t id, std::string_view method, const wire::meta& meta = {});
template <class T>
std::string packed(const T& value) {
  msgpack::sbuffer buf;
  msgpack::pack(buf, value);
  return std::string(buf.data(), buf.size());
}

}  // namespace titan::test
