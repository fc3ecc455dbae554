// The host's control connection to its manager (titan-host --manager).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include <zmq.hpp>

#include "host_error.hpp"

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
  template <class Report>
  void send(std::string_view method, const Report& report);

  zmq::socket_t socket_;
  std::string id_;
  std::uint64_t next_call_ = 1;
};

}  // namespace titan::host
