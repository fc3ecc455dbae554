#include "manager_link.hpp"

#include <unistd.h>

#include "service_instance.hpp"
#include "titan/wire.hpp"

namespace titan::host {

manager_link::manager_link(zmq::context_t& ctx, const std::string& endpoint, std::string id)
    : socket_(ctx, zmq::socket_type::dealer), id_(std::move(id)) {
  socket_.set(zmq::sockopt::linger, 2000);  // a last `$failed` still reaches the manager
  socket_.connect(endpoint);
}

void manager_link::ready(const service_instance& service, const std::string& name,
                         const std::vector<std::string>& endpoints) {
  const plugin_descriptor& d = service.descriptor();
  control::ready_report r{.id = id_,
                          .name = name,
                          .service = d.service_name,
                          .version = d.service_version,
                          .build_id = service.build_id(),
                          .stateful = service.has_snapshot(),
                          .pid = ::getpid(),
                          .endpoints = endpoints,
                          .methods = {}};
  for (std::size_t i = 0; i < d.method_count; ++i) r.methods.emplace_back(d.methods[i].name);
  send(control::ready_method, r);
}

void manager_link::failed(exit_code code, const std::string& message) {
  send(control::failed_method,
       control::failed_report{.id = id_, .pid = ::getpid(), .exit_code = to_int(code), .message = message});
}

void manager_link::heartbeat(std::uint64_t calls, std::uint64_t in_flight) {
  zmq::message_t discard;
  while (socket_.recv(discard, zmq::recv_flags::dontwait)) {
  }
  send(control::heartbeat_method, control::heartbeat_report{.id = id_, .calls = calls, .in_flight = in_flight});
}

template <class Report>
void manager_link::send(std::string_view method, const Report& report) {
  msgpack::sbuffer header;
  wire::encode_header(header, wire::kind::call, next_call_++, method);
  msgpack::sbuffer body;
  control::encode(body, report);
  socket_.send(zmq::const_buffer(header.data(), header.size()), zmq::send_flags::sndmore);
  socket_.send(zmq::const_buffer(body.data(), body.size()), zmq::send_flags::none);
}

}  // namespace titan::host
