// One streaming call on the host (PROTOCOL.md "Streams"): the credit the
// client gave, its input items, and whether the stream is still wanted.
//
// The thread that runs the method writes and reads through the titan_stream
// the plugin gets (plugin_abi.h; a C++ plugin's Stream<T>/Source<T> sit on
// it); the thread that serves the socket feeds in what the client sends
// (CREDIT, STREAM_ITEM, STREAM_END, CANCEL). Items
// leave through the server's reply queue, so they reach the socket in the
// order they were written and before the call's final answer.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <mutex>
#include <string>
#include <vector>

#include <msgpack.hpp>
#include <zmq.hpp>

#include "call_queue.hpp"
#include "titan/plugin_abi.h"
#include "titan/status.hpp"

namespace titan::host {

class stream_channel {
 public:
  using clock = std::chrono::steady_clock;

  // Items the host lets a client send before it grants more.
  static constexpr std::uint64_t input_window = 128;

  stream_channel(const zmq::message_t& routing_id, std::uint64_t id, std::uint64_t credit, bool input,
                 reply_queue& out);

  stream_channel(const stream_channel&) = delete;  // abi_ points at this object
  stream_channel& operator=(const stream_channel&) = delete;

  // What the method gets: its callbacks are write, read, cancelled and why.
  const titan_stream* abi() const { return &abi_; }

  // The method's thread. write and read return ok, or the code the stream
  // ended with (then why() says why).
  status_code write(const char* data, std::size_t size);
  // `data` is null once the client ended its input.
  status_code read(const char*& data, std::size_t& size);
  bool cancelled() noexcept;
  // Set once, when the stream ends, and never changed after: the method's
  // thread reads it after write or read told it the stream is over.
  const std::string& why() const { return end_why_; }

  // The method's thread, before it runs the method: the deadline, and the
  // client's first input credit (a CREDIT frame) for an input stream.
  void open(clock::time_point deadline);

  // The socket thread.
  void add_credit(std::uint64_t n);
  // Ends the stream for the method: its next write or read throws `code`.
  void end(status_code code, std::string why);
  // An input item; false (and the stream ended) when it is over the credit.
  bool push_input(zmq::message_t body);
  void end_input();
  // True when the method has waited on the client for over `after` and
  // no probe went out for as long: the caller checks the client is there.
  bool wants_probe(clock::time_point now, clock::duration after);

  const zmq::message_t& routing_id() const { return routing_id_; }
  std::uint64_t id() const { return id_; }
  std::uint64_t items_sent() const;

 private:
  void send(std::uint8_t kind, const char* body, std::size_t size);  // through the reply queue
  void wait(std::unique_lock<std::mutex>& lock);  // until notified, ended or the deadline

  const zmq::message_t routing_id_;
  const std::uint64_t id_;
  const bool takes_input_;
  reply_queue& out_;
  std::vector<reply_frames> batch_;  // the method's thread only
  msgpack::sbuffer header_{32};
  titan_stream abi_;

  // Guards everything below: the method's thread and the socket thread
  // both use it.
  mutable std::mutex mu_;
  std::condition_variable cv_;
  clock::time_point deadline_ = clock::time_point::max();
  std::uint64_t credit_;            // items the client can take now
  std::uint64_t sent_ = 0;
  bool ended_ = false;
  status_code end_code_ = status_code::ok;
  std::string end_why_;
  std::deque<zmq::message_t> input_;
  zmq::message_t current_;          // the item read() handed out last
  std::uint64_t input_granted_ = 0;  // in all
  std::uint64_t input_received_ = 0;
  std::uint64_t input_read_ = 0;
  bool input_ended_ = false;
  clock::time_point waiting_since_{};  // the method waits on the client; {} = not
  clock::time_point last_probe_{};
};

}  // namespace titan::host
