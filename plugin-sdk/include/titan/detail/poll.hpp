// zmq_poll that treats a signal as a wake-up: cppzmq's zmq::poll throws on
// EINTR, which would leave a caller's loop (and its state) half done.
#pragma once

#include <cerrno>
#include <chrono>
#include <cstddef>

#include <zmq.hpp>

namespace titan::detail {

// Returns the number of ready items; 0 on timeout or when a signal
// interrupted the wait (the caller just looks again). Other errors throw.
inline int poll(zmq::pollitem_t* items, std::size_t count, std::chrono::milliseconds timeout) {
  const int rc = zmq_poll(items, static_cast<int>(count), static_cast<long>(timeout.count()));
  if (rc >= 0) return rc;
  if (zmq_errno() != EINTR) throw zmq::error_t();
  for (std::size_t i = 0; i < count; ++i) items[i].revents = 0;
  return 0;
}

}  // namespace titan::detail
