// Serves one service instance on a ROUTER socket.
//
// One call at a time (the default, actor semantics): the socket thread runs
// each call itself, so a short call costs no thread hand-off. A standby
// thread watches: once a call has run for `takeover_after`, it takes the
// socket over and keeps answering pings, $-methods and bad input, and
// queues new calls, until the call ends and the socket thread asks for the
// socket back. So the socket never waits on a long call.
//
// With --concurrency N > 1 the socket thread hands calls to N service
// threads through a queue; replies come back through an eventfd-signalled
// queue.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include <spdlog/logger.h>
#include <zmq.hpp>

#include "titan/detail/unique_fd.hpp"

#include "call_queue.hpp"
#include "service_instance.hpp"
#include "stream_channel.hpp"
#include "titan/wire.hpp"

namespace titan::host {

struct server_options {
  std::string name;
  unsigned concurrency = 1;
  std::size_t max_message_size = 16u << 20;
  std::chrono::milliseconds takeover_after{2};
  // Called this often by whichever thread serves the socket, so a host
  // whose socket is stuck (or the process stopped) stops beating. 0 = never.
  std::chrono::milliseconds heartbeat{0};
  std::chrono::milliseconds drain_quiet{100};
};

struct server_counters {
  std::atomic<std::uint64_t> calls{0};
  std::atomic<std::uint64_t> errors{0};
  std::atomic<std::uint64_t> malformed{0};
  std::atomic<std::uint64_t> in_flight{0};
};

// Per-thread buffers for running calls.
struct call_scratch {
  msgpack::sbuffer out{1024};
  msgpack::sbuffer header{64};
};

class host_server {
 public:
  host_server(zmq::context_t& ctx, service_instance& service, server_options options, spdlog::logger& log);
  ~host_server();

  // Binds one endpoint; returns the resolved address (tcp://127.0.0.1:*
  // becomes its real port). Throws host_error(bind_failed).
  std::string bind(const std::string& endpoint);

  // Serves until `stop_fd` (a signalfd or eventfd) becomes readable, then
  // drains: new calls get UNAVAILABLE (marked not executed, so clients send
  // them elsewhere), calls already received finish and are answered. It
  // ends once nothing is in flight and no call has been refused for
  // `drain_quiet` (clients that had not yet heard that it left have then
  // all been told). A second event on `stop_fd` stops without waiting.
  void run(int stop_fd);

  const server_counters& counters() const { return counters_; }
  // What a heartbeat does (send to the manager); set before run().
  void on_heartbeat(std::function<void(const server_counters&)> fn) { heartbeat_ = std::move(fn); }

 private:
  bool inline_mode() const { return options_.concurrency <= 1; }

  // Socket work: only by the thread that holds socket_mu_.
  void on_socket_readable();
  void on_stop_signal();
  void handle_message(std::vector<zmq::message_t>& frames);
  void handle_reserved(zmq::message_t& routing_id, const wire::header& h, const zmq::message_t& body);
  void send_reply(zmq::message_t& routing_id, wire::kind k, std::uint64_t id, const char* body, std::size_t size);
  void send_error(zmq::message_t& routing_id, std::uint64_t id, status_code code, std::string_view message,
                  bool not_executed = false);
  // Hot reload (the manager's side is manager_reload.cpp).
  void begin_snapshot(zmq::message_t& routing_id, const wire::header& h);
  void finish_snapshot();
  void handle_restore(zmq::message_t& routing_id, const wire::header& h, const zmq::message_t& body);
  void send_health(zmq::message_t& routing_id, std::uint64_t id);
  // False when the client is gone (ROUTER_MANDATORY); a full queue drops
  // the message, as a ROUTER does.
  bool send_frames(reply_frames& r);
  bool finished() const;

  // Streaming calls (host_server_streams.cpp).
  std::shared_ptr<stream_channel> open_stream(const zmq::message_t& routing_id, std::uint64_t id,
                                              std::uint64_t credit, bool input);
  void close_stream(const stream_channel& c);
  status_code run_stream(call_job& job, msgpack::sbuffer& out);  // on a checked body
  void handle_stream_frame(const zmq::message_t& routing_id, const wire::header& h, zmq::message_t& body);
  void probe_streams();  // every open stream whose method waits on a client that left ends
  void end_streams(status_code code, const std::string& why);
  std::chrono::milliseconds poll_timeout() const;

  // Running calls (host_server_calls.cpp).
  reply_frames execute(call_job& job, call_scratch& scratch);
  void run_pending(std::unique_lock<std::mutex>& socket_lock);
  void standby_loop();
  void serve_during_call(std::int64_t call_started);
  void worker_loop();
  void flush_replies();
  void beat();  // the heartbeat timer fired

  std::mutex socket_mu_;  // held by whichever thread does socket work
  zmq::socket_t socket_;
  service_instance& service_;
  server_options options_;
  spdlog::logger& log_;
  server_counters counters_;
  int stop_fd_ = -1;
  int stop_events_ = 0;
  bool draining_ = false;
  bool stop_now_ = false;
  // Handing over ($snapshot): new calls are refused as not executed, like
  // when draining, but the host stays until stopped or resumed.
  bool frozen_ = false;
  struct snapshot_request {
    zmq::message_t routing_id;
    std::uint64_t id;
  };
  std::optional<snapshot_request> snapshot_request_;  // taken once in_flight is 0
  std::chrono::steady_clock::time_point last_refusal_{};  // a drain ends only after a quiet spell
  std::deque<call_job> pending_;  // inline mode: received, not yet run
  msgpack::zone zone_;
  msgpack::sbuffer buf_{1024};
  std::vector<zmq::message_t> frames_;  // the first 3 frames of a message
  std::size_t frame_count_ = 0;          // and how many it had
  std::string describe_;  // packed $describe result
  // The timerfd, armed when options_.heartbeat > 0. heartbeat_fd_ (and
  // giveback_fd_ below) are the numbers the poll loops use, borrowed from
  // their owners.
  titan::detail::unique_fd heartbeat_timer_;
  int heartbeat_fd_ = -1;
  std::function<void(const server_counters&)> heartbeat_;

  // Inline mode: the call being run and the standby thread.
  call_scratch inline_scratch_;
  std::atomic<std::int64_t> call_started_{0};  // steady_clock ticks; 0 = no call running
  std::atomic<bool> giveback_wanted_{false};   // the socket thread is taking the socket back
  std::mutex standby_mu_;  // guards standby_asleep_ and standby_stop_ (the socket and standby threads)
  std::condition_variable standby_cv_;
  bool standby_asleep_ = false;
  bool standby_stop_ = false;
  titan::detail::unique_fd giveback_;  // eventfd: the socket thread wants the socket back
  int giveback_fd_ = -1;
  std::thread standby_;

  // Pool mode (--concurrency > 1).
  blocking_queue<call_job> jobs_;
  reply_queue replies_;
  std::vector<std::thread> workers_;
  std::vector<reply_frames> flushing_;

  // Open streams, by routing id and call id. Registered when the CALL is
  // received (a CANCEL may come before it runs), removed when it ends.
  std::mutex streams_mu_;  // guards streams_: the socket thread and the methods' threads
  std::map<std::pair<std::string, std::uint64_t>, std::shared_ptr<stream_channel>> streams_;
  std::atomic<std::size_t> open_streams_{0};
  std::chrono::steady_clock::time_point last_probe_{};
};

}  // namespace titan::host
