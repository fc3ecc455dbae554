#pragma once

#include <chrono>
#include <cstddef>

namespace titan {

struct client_options {
  // Deadline of each call unless overridden with with_timeout().
  std::chrono::milliseconds timeout{5000};
  // Replies larger than this are refused by the socket (ZMQ_MAXMSGSIZE).
  std::size_t max_message_size = 16u << 20;
};

}  // namespace titan
