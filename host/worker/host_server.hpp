// Serves one service instance on a ROUTER socket.
//
// The socket thread (run()) receives, checks and answers everything that
// does not need the service: malformed frames, PING, $describe, $ping,
// $health, $metrics, unknown methods. Calls go to `concurrency` service
// threads through a queue; replies come back through an eventfd-signalled
// queue. So the socket never waits on a running call.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include <spdlog/logger.h>
#include <zmq.hpp>

#include "call_queue.hpp"
#include "service_instance.hpp"
#include "titan/wire.hpp"

namespace titan::host {

struct server_options {
  std::string name;
  unsigned concurrency = 1;
  std::size_t max_message_size = 16u << 20;
};

struct server_counters {
  std::atomic<std::uint64_t> calls{0};
  std::atomic<std::uint64_t> errors{0};
  std::atomic<std::uint64_t> malformed{0};
  std::atomic<std::uint64_t> in_flight{0};
};

class host_server {
 public:
  host_server(zmq::context_t& ctx, service_instance& service, server_options options, spdlog::logger& log);
  ~host_server();

  // Binds one endpoint; returns the resolved address (tcp://127.0.0.1:*
  // becomes its real port). Throws host_error(bind_failed).
  std::string bind(const std::string& endpoint);

  // Serves until `stop_fd` (a signalfd or eventfd) becomes readable, then
  // drains: new calls get UNAVAILABLE, calls already received finish and are
  // answered. A second event on `stop_fd` stops without waiting.
  void run(int stop_fd);

  const server_counters& counters() const { return counters_; }

 private:
  void on_socket_readable();
  void handle_message(std::vector<zmq::message_t>& frames);
  void handle_reserved(zmq::message_t& routing_id, const wire::header& h);
  void send_reply(zmq::message_t& routing_id, wire::kind k, std::uint64_t id, const char* body, std::size_t size);
  void send_error(zmq::message_t& routing_id, std::uint64_t id, status_code code, std::string_view message);
  void flush_replies();
  void worker_loop();

  zmq::socket_t socket_;
  service_instance& service_;
  server_options options_;
  spdlog::logger& log_;
  server_counters counters_;
  bool draining_ = false;

  blocking_queue<call_job> jobs_;
  reply_queue replies_;
  std::vector<std::thread> workers_;

  // Socket-thread scratch, reused for every message.
  msgpack::zone zone_;
  msgpack::sbuffer buf_{1024};
  std::string describe_;  // packed $describe result
  std::vector<zmq::message_t> frames_;
  std::vector<reply_frames> flushing_;
};

}  // namespace titan::host
