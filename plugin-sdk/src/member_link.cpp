#include "member_link.hpp"

#include <atomic>
#include <cstring>

#include "titan/status.hpp"

namespace titan::detail {

member_link::member_link(zmq::context_t& ctx, std::string key, std::string endpoint)
    : socket_(ctx, zmq::socket_type::dealer),
      monitor_(ctx, zmq::socket_type::pair),
      key_(std::move(key)),
      endpoint_(std::move(endpoint)) {
  socket_.set(zmq::sockopt::linger, 0);
  socket_.set(zmq::sockopt::immediate, 1);  // never queue calls for a peer that is not connected
  socket_.set(zmq::sockopt::sndhwm, 100000);
  socket_.set(zmq::sockopt::rcvhwm, 100000);
  // Not ZMQ_MAXMSGSIZE: libzmq would drop the connection for good on one
  // oversized reply. The client checks sizes per reply instead.
  static std::atomic<std::uint64_t> counter{0};
  const std::string monitor_ep = "inproc://titan-member-monitor-" + std::to_string(counter++);
  if (zmq_socket_monitor(socket_.handle(), monitor_ep.c_str(), ZMQ_EVENT_CONNECTED | ZMQ_EVENT_DISCONNECTED) != 0)
    throw Error(status_code::internal, "zmq_socket_monitor failed: " + std::string(zmq_strerror(zmq_errno())));
  monitor_.set(zmq::sockopt::linger, 0);
  monitor_.connect(monitor_ep);
  try {
    socket_.connect(endpoint_);
  } catch (const zmq::error_t& e) {
    zmq_socket_monitor(socket_.handle(), nullptr, 0);
    throw Error(status_code::invalid_argument, "cannot connect to '" + endpoint_ + "': " + e.what());
  }
}

member_link::~member_link() { zmq_socket_monitor(socket_.handle(), nullptr, 0); }

bool member_link::try_send(outgoing& out) {
  auto r = socket_.send(out.header, zmq::send_flags::sndmore | zmq::send_flags::dontwait);
  if (!r) return false;
  socket_.send(out.body, zmq::send_flags::none);  // the rest of a multipart message never blocks
  return true;
}

member_link::event member_link::next_event() {
  for (;;) {
    zmq::message_t ev;
    if (!monitor_.recv(ev, zmq::recv_flags::dontwait)) return event::none;
    zmq::message_t addr;
    if (ev.more()) (void)monitor_.recv(addr, zmq::recv_flags::none);
    if (ev.size() < 6) continue;
    std::uint16_t code;
    std::memcpy(&code, ev.data(), sizeof code);
    if (code == ZMQ_EVENT_CONNECTED) {
      connected = true;
      ever_connected = true;
      return event::connected;
    }
    if (code == ZMQ_EVENT_DISCONNECTED) {
      connected = false;
      return event::disconnected;
    }
  }
}

}  // namespace titan::detail
