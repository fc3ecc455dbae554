#include "control/control_server.hpp"

#include <vector>

#include <zmq_addon.hpp>

#include "titan/status.hpp"

namespace titan::detail {
namespace {

constexpr int read_batch = 64;
constexpr std::int64_t max_control_message = std::int64_t{1} << 20;
constexpr const char nil[] = "\xc0";

std::string as_string(const zmq::message_t& m) { return std::string(static_cast<const char*>(m.data()), m.size()); }

}  // namespace

control_server::control_server(zmq::context_t& ctx, const std::string& endpoint, control_handler& handler)
    : socket_(ctx, zmq::socket_type::router), handler_(handler) {
  socket_.set(zmq::sockopt::linger, 0);
  socket_.set(zmq::sockopt::maxmsgsize, max_control_message);
  socket_.set(zmq::sockopt::router_mandatory, 1);  // a send to a peer that is gone fails: drop its watches
  try {
    socket_.bind(endpoint);
  } catch (const zmq::error_t& e) {
    throw Error(status_code::failed_precondition, "cannot bind the control endpoint " + endpoint + ": " + e.what());
  }
  endpoint_ = socket_.get(zmq::sockopt::last_endpoint);
}

void control_server::read() {
  for (int budget = 0; budget < read_batch; ++budget) {
    std::vector<zmq::message_t> frames;
    if (!zmq::recv_multipart(socket_, std::back_inserter(frames), zmq::recv_flags::dontwait)) return;
    if (frames.size() != 3) continue;
    msgpack::zone zone;
    wire::header h;
    if (wire::decode_header(static_cast<const char*>(frames[1].data()), frames[1].size(), zone, h)) continue;
    const std::string rid = as_string(frames[0]);
    switch (h.msg_kind) {
      case wire::kind::cancel:  // a client stops watching
        handler_.on_unwatch(rid, h.id);
        continue;
      case wire::kind::ping:
        send(rid, wire::kind::pong, h.id, nil, 1);
        continue;
      case wire::kind::call:
        break;
      default:
        continue;
    }
    if (h.method.empty() || h.method[0] != '$') {
      handler_.on_api_call(rid, h.id, std::string(h.method), as_string(frames[2]));
      continue;
    }
    msgpack::object body;
    if (wire::decode_body(static_cast<const char*>(frames[2].data()), frames[2].size(), zone, body)) continue;
    handle_report(rid, h, body);
  }
}

void control_server::handle_report(const std::string& rid, const wire::header& h, const msgpack::object& body) {
  if (h.method == control::watch_method) {
    if (body.type == msgpack::type::ARRAY && body.via.array.size == 1 && body.via.array.ptr[0].type == msgpack::type::STR)
      handler_.on_watch(rid, h.id, body.via.array.ptr[0].as<std::string>());
    return;
  }
  bool known = true;
  if (h.method == control::ready_method) {
    if (auto r = control::decode<control::ready_report>(body)) handler_.on_ready(*r);
  } else if (h.method == control::failed_method) {
    if (auto r = control::decode<control::failed_report>(body)) handler_.on_failed(*r);
  } else if (h.method == control::heartbeat_method) {
    if (auto r = control::decode<control::heartbeat_report>(body)) handler_.on_heartbeat(*r);
  } else {
    known = false;
  }
  if (known) send(rid, wire::kind::reply, h.id, nil, 1);  // heard
}

bool control_server::send(const std::string& routing_id, wire::kind k, std::uint64_t id, const char* body,
                          std::size_t size) {
  msgpack::sbuffer header;
  wire::encode_header(header, k, id, "");
  try {
    socket_.send(zmq::const_buffer(routing_id.data(), routing_id.size()), zmq::send_flags::sndmore);
    socket_.send(zmq::const_buffer(header.data(), header.size()), zmq::send_flags::sndmore);
    socket_.send(zmq::const_buffer(body, size), zmq::send_flags::none);
  } catch (const zmq::error_t& e) {
    if (e.num() != EHOSTUNREACH) throw;
    return false;
  }
  return true;
}

}  // namespace titan::detail
