// control_server: the manager's control socket (a ROUTER). It reads frames,
// decodes them into the control plane's types (titan/control.hpp) and hands
// each to control_handler: hosts' reports, clients' `$watch`es, and calls
// to the titan.manager service; it answers PING itself. Malformed messages
// are dropped: a peer cannot make the manager fail. Loop thread only.
#pragma once

#include <cstdint>
#include <string>

#include <zmq.hpp>

#include "titan/control.hpp"
#include "titan/wire.hpp"

namespace titan::detail {

class control_handler {
 public:
  virtual ~control_handler() = default;
  virtual void on_ready(const control::ready_report& r) = 0;
  virtual void on_failed(const control::failed_report& r) = 0;
  virtual void on_heartbeat(const control::heartbeat_report& r) = 0;
  virtual void on_watch(const std::string& routing_id, std::uint64_t call_id, const std::string& name) = 0;
  virtual void on_unwatch(const std::string& routing_id, std::uint64_t call_id) = 0;
  // A call of the titan.manager service (a method without '$'); `body` is
  // the CALL's argument array, still packed.
  virtual void on_api_call(std::string routing_id, std::uint64_t call_id, std::string method, std::string body) = 0;
};

class control_server {
 public:
  // Binds `endpoint` (tcp://...:* gets its port). Throws titan::Error
  // (FAILED_PRECONDITION) when it cannot.
  control_server(zmq::context_t& ctx, const std::string& endpoint, control_handler& handler);

  zmq::socket_t& socket() { return socket_; }
  const std::string& endpoint() const { return endpoint_; }

  // Handles what is waiting (at most a batch, so that the loop moves on).
  void read();
  // One message to a peer; false when the peer is gone.
  bool send(const std::string& routing_id, wire::kind k, std::uint64_t id, const char* body, std::size_t size);

 private:
  void handle_report(const std::string& rid, const wire::header& h, const msgpack::object& body);

  zmq::socket_t socket_;
  std::string endpoint_;
  control_handler& handler_;
};

}  // namespace titan::detail
