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
  msgpack::sbuffer body;
  msgpack::packer<msgpack::sbuffer> p(body);
  p.pack_array(1);
  p.pack_map(9);
  p.pack("build_id");
  p.pack(service.build_id());
  p.pack("stateful");  // hands its state over on a reload
  p.pack(service.has_snapshot());
  p.pack("id");
  p.pack(id_);
  p.pack("name");
  p.pack(name);
  p.pack("service");
  p.pack(d.service_name);
  p.pack("version");
  p.pack(d.service_version);
  p.pack("pid");
  p.pack(static_cast<std::int64_t>(::getpid()));
  p.pack("endpoints");
  p.pack(endpoints);
  p.pack("methods");
  p.pack_array(static_cast<std::uint32_t>(d.method_count));
  for (std::size_t i = 0; i < d.method_count; ++i) p.pack(d.methods[i].name);
  send("$ready", body.data(), body.size());
}

void manager_link::failed(exit_code code, const std::string& message) {
  msgpack::sbuffer body;
  msgpack::packer<msgpack::sbuffer> p(body);
  p.pack_array(1);
  p.pack_map(4);
  p.pack("id");
  p.pack(id_);
  p.pack("pid");
  p.pack(static_cast<std::int64_t>(::getpid()));
  p.pack("exit_code");
  p.pack(static_cast<int>(code));
  p.pack("message");
  p.pack(message);
  send("$failed", body.data(), body.size());
}

void manager_link::heartbeat(std::uint64_t calls, std::uint64_t in_flight) {
  zmq::message_t discard;
  while (socket_.recv(discard, zmq::recv_flags::dontwait)) {
  }
  msgpack::sbuffer body;
  msgpack::packer<msgpack::sbuffer> p(body);
  p.pack_array(1);
  p.pack_map(3);
  p.pack("id");
  p.pack(id_);
  p.pack("calls");
  p.pack(calls);
  p.pack("in_flight");
  p.pack(in_flight);
  send("$heartbeat", body.data(), body.size());
}

void manager_link::send(const std::string& method, const char* body, std::size_t size) {
  msgpack::sbuffer header;
  wire::encode_header(header, wire::kind::call, next_call_++, method);
  socket_.send(zmq::const_buffer(header.data(), header.size()), zmq::send_flags::sndmore);
  socket_.send(zmq::const_buffer(body, size), zmq::send_flags::none);
}

}  // namespace titan::host
