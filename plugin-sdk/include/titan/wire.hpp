// Wire protocol v1 (see plugin-sdk/PROTOCOL.md): a header frame and a body frame.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include <msgpack.hpp>

namespace titan::wire {

inline constexpr std::uint64_t protocol_version = 1;

enum class kind : std::uint8_t {
  call = 1,
  reply = 2,
  error = 3,
  stream_item = 4,
  stream_end = 5,
  cancel = 6,
  credit = 7,
  ping = 8,
  pong = 9,
};

std::string_view to_string(kind k) noexcept;

// The meta map. Unknown keys are ignored on decode.
struct meta {
  std::uint64_t deadline_ms = 0;  // relative; 0 = none
  std::string_view traceparent;   // W3C trace context; empty = none
  // On a CALL: the caller speaks streams (PROTOCOL.md "Streams") and can
  // take this many STREAM_ITEMs before its first CREDIT. 0 = a unary call.
  std::uint64_t credit = 0;
};

// A decoded header frame. Its string_views point into the frame's bytes.
struct header {
  kind msg_kind = kind::call;
  std::uint64_t id = 0;
  std::string_view method;
  struct meta meta;
};

// Bounds for decoding anything that came off a socket. Sizes are further
// capped by the length of the frame (a frame of n bytes cannot hold more
// than n array elements), so a tiny frame can never make us allocate much.
struct decode_limits {
  std::size_t max_depth = 64;
  std::size_t max_container = 1u << 20;
  std::size_t max_string = 16u << 20;
};

// Why a frame could not be decoded. `id` is set when the frame still told us
// which call it belongs to, so the receiver can answer with an ERROR.
struct decode_error {
  std::string message;
  std::optional<std::uint64_t> id;
};

void encode_header(msgpack::sbuffer& out, kind k, std::uint64_t id, std::string_view method,
                   const meta& m = {});

// Decodes a header frame. Returns nullopt on success (filling `out`).
std::optional<decode_error> decode_header(const char* data, std::size_t size, msgpack::zone& zone,
                                          header& out, const decode_limits& limits = {});

// Unpacks one msgpack value that fills `data` exactly, within `limits`.
// Strings and binaries reference `data` (no copy): keep it alive while the
// object is used. Returns nullopt on success.
std::optional<std::string> decode_body(const char* data, std::size_t size, msgpack::zone& zone,
                                       msgpack::object& out, const decode_limits& limits = {});

// Checks, as decode_body would, that `data` is exactly one msgpack value
// within `limits`, without building it; `top` gets the value's type.
// Returns nullopt when it is well-formed.
std::optional<std::string> check_body(const char* data, std::size_t size, msgpack::type::object_type& top,
                                      const decode_limits& limits = {});

// ERROR body: {"code": "INVALID_ARGUMENT", "message": "..."}, plus
// "not_executed": true when the host refused the call without running any
// of it (it is draining or handing over): any call, idempotent or not, may
// then be sent to another host.
void encode_error_body(msgpack::sbuffer& out, std::string_view code, std::string_view message,
                       bool not_executed = false);

}  // namespace titan::wire

namespace titan::wire {
// Reads an ERROR body. Returns false (and a generic text in `message`) when
// the body is not the {"code", "message"} map. `not_executed`, when given,
// tells whether the host said it did not run the call.
bool decode_error_body(const char* data, std::size_t size, msgpack::zone& zone, std::string& code,
                       std::string& message, bool* not_executed = nullptr);
}  // namespace titan::wire
