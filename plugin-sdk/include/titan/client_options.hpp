#pragma once

#include <chrono>
#include <cstddef>
#include <optional>
#include <string_view>

namespace titan {

// How a client spreads calls over the members of a service.
enum class balance {
  round_robin,      // each member in turn
  least_loaded,     // the member with the fewest calls in flight from this client
  random,
  consistent_hash,  // by the method's key argument: the same key reaches the same member
};
std::string_view to_string(balance b);
std::optional<balance> balance_from_string(std::string_view name);  // "round-robin", "least-loaded", ...

inline constexpr std::chrono::milliseconds default_call_timeout{5000};

struct client_options {
  // Deadline of each call unless overridden with with_timeout(). Unset:
  // the call_timeout the manager announces for a discovered name (a
  // topology's call_timeout), else default_call_timeout.
  std::optional<std::chrono::milliseconds> timeout{};
  // Replies larger than this are refused by the socket (ZMQ_MAXMSGSIZE).
  std::size_t max_message_size = 16u << 20;
  // For a service with several members (pools, discover).
  balance strategy = balance::round_robin;
  // A stream's credit: its host sends at most stream_window items ahead of
  // the reader and, once item sizes are known, about stream_window_bytes
  // worth of them (at least 2 items); the first grant is
  // min(stream_window, 64). Together they bound what a slow reader buffers.
  std::uint32_t stream_window = 4096;
  std::size_t stream_window_bytes = 4u << 20;
};

}  // namespace titan
