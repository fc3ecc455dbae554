// The hand-off between the socket thread and the service threads.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <vector>

#include <zmq.hpp>

#include "titan/detail/unique_fd.hpp"

namespace titan::host {

class stream_channel;

// One call, as received: its routing id, header fields and body.
struct call_job {
  zmq::message_t routing_id;
  zmq::message_t body;
  std::uint64_t id = 0;
  int method = -1;
  std::chrono::steady_clock::time_point deadline = std::chrono::steady_clock::time_point::max();
  std::shared_ptr<stream_channel> stream;  // a streaming method's call
};

// A reply ready to be sent: routing id, header, body.
struct reply_frames {
  zmq::message_t routing_id;
  zmq::message_t header;
  zmq::message_t body;
};

// Many producers, many consumers; close() wakes every consumer.
template <class T>
class blocking_queue {
 public:
  void push(T item) {
    {
      std::lock_guard lock(mu_);
      items_.push_back(std::move(item));
    }
    cv_.notify_one();
  }

  // Moves up to `max` items into `out`; blocks while empty. False once
  // closed and empty.
  bool pop(std::vector<T>& out, std::size_t max) {
    std::unique_lock lock(mu_);
    cv_.wait(lock, [&] { return closed_ || !items_.empty(); });
    if (items_.empty()) return false;
    while (!items_.empty() && out.size() < max) {
      out.push_back(std::move(items_.front()));
      items_.pop_front();
    }
    return true;
  }

  // Consumers still get what is queued, unless `discard`.
  void close(bool discard = false) {
    {
      std::lock_guard lock(mu_);
      closed_ = true;
      if (discard) items_.clear();
    }
    cv_.notify_all();
  }

 private:
  std::mutex mu_;  // guards items_ and closed_: the socket thread pushes, service threads pop
  std::condition_variable cv_;
  std::deque<T> items_;
  bool closed_ = false;
};

// Replies from service threads to the socket thread, which polls `fd()`
// (an eventfd, written only when the queue goes from empty to non-empty).
class reply_queue {
 public:
  reply_queue();
  reply_queue(const reply_queue&) = delete;
  reply_queue& operator=(const reply_queue&) = delete;

  void push(std::vector<reply_frames>& batch);  // empties `batch`
  void take(std::vector<reply_frames>& out);    // swaps everything out, clears the signal
  int fd() const { return fd_.get(); }

 private:
  std::mutex mu_;  // guards items_: service threads push replies, the socket thread takes them
  std::vector<reply_frames> items_;
  titan::detail::unique_fd fd_;
};

}  // namespace titan::host
