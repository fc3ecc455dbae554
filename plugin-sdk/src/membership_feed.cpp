#include "membership_feed.hpp"

#include "titan/status.hpp"
#include "titan/wire.hpp"

namespace titan::detail {
namespace {

constexpr std::uint64_t watch_call_id = 1;

}  // namespace

membership_feed::membership_feed(zmq::context_t& ctx, const std::string& manager_endpoint, const std::string& name)
    : socket_(ctx, zmq::socket_type::dealer), name_(name), manager_(manager_endpoint) {
  socket_.set(zmq::sockopt::linger, 0);
  try {
    socket_.connect(manager_endpoint);
  } catch (const zmq::error_t& e) {
    throw Error(status_code::invalid_argument, "cannot connect to manager '" + manager_endpoint + "': " + e.what());
  }
  msgpack::sbuffer header, body;
  wire::encode_header(header, wire::kind::call, watch_call_id, control::watch_method);
  msgpack::packer<msgpack::sbuffer> p(body);
  p.pack_array(1);
  p.pack(name);
  socket_.send(zmq::const_buffer(header.data(), header.size()), zmq::send_flags::sndmore);
  socket_.send(zmq::const_buffer(body.data(), body.size()), zmq::send_flags::none);
}

membership_feed::~membership_feed() {
  // Tell the manager to forget this watch (best effort).
  msgpack::sbuffer header;
  wire::encode_header(header, wire::kind::cancel, watch_call_id, "");
  socket_.send(zmq::const_buffer(header.data(), header.size()), zmq::send_flags::sndmore | zmq::send_flags::dontwait);
  socket_.send(zmq::const_buffer("\xc0", 1), zmq::send_flags::dontwait);
}

std::optional<control::membership_update> membership_feed::read() {
  std::optional<control::membership_update> newest;
  msgpack::zone zone;
  for (;;) {
    zmq::message_t header, body;
    if (!socket_.recv(header, zmq::recv_flags::dontwait)) return newest;
    if (!header.more() || !socket_.recv(body, zmq::recv_flags::none)) continue;
    wire::header h;
    if (wire::decode_header(static_cast<const char*>(header.data()), header.size(), zone, h)) continue;
    if (h.msg_kind != wire::kind::stream_item) continue;
    msgpack::object o;
    if (wire::decode_body(static_cast<const char*>(body.data()), body.size(), zone, o)) continue;
    auto m = control::decode_map<control::membership_update>(o);
    zone.clear();
    if (!m) continue;
    std::erase_if(m->members, [](const control::member& e) { return e.endpoint.empty(); });
    if (!newest || m->version >= newest->version) newest = std::move(m);
    heard_ = true;
  }
}

}  // namespace titan::detail
