// The host's control connection to its manager (titan-host --manager).
#pragma once

#include <string>
#include <vector>

#include <zmq.hpp>

#include "exit_code.hpp"

namespace titan::host {

class service_instance;

class manager_link {
 public:
  manager_link(zmq::context_t& ctx, const std::string& endpoint, std::string id);

  // `$ready`: the host serves; tells the manager what and where.
  void ready(const service_instance& service, const std::string& name, const std::vector<std::string>& endpoints);
  // `$failed`: the host could not start; sent before it exits.
  void failed(exit_code code, const std::string& message);
  // `$heartbeat`: alive, with the calls served so far. The manager's
  // replies (to every report) are read and dropped here.
  void heartbeat(std::uint64_t calls, std::uint64_t in_flight);

 private:
  void send(const std::string& method, const char* body, std::size_t size);

  zmq::socket_t socket_;
  std::string id_;
  std::uint64_t next_call_ = 1;
};

}  // namespace titan::host
