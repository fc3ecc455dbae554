#include "member_link.hpp"

#include <atomic>
#include <cstring>

#include "titan/status.hpp"

namespace titan::detail {

member_link::member_link(zmq::context_t& ctx, std::string key, std::string endpoint)
    : ctx_(ctx), key_(std::move(key)), endpoint_(std::move(endpoint)) {
  open();
}

member_link::~member_link() { close(); }

void member_link::open() {
  socket_ = zmq::socket_t(ctx_, zmq::socket_type::dealer);
  monitor_ = zmq::socket_t(ctx_, zmq::socket_type::pair);
  socket_.set(zmq::sockopt::linger, 0);
  // Not ZMQ_IMMEDIATE: with it libzmq throws away replies that were not yet
  // read when the connection drops (a host that answers, then exits).
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
    close();
    throw Error(status_code::invalid_argument, "cannot connect to '" + endpoint_ + "': " + e.what());
  }
}

void member_link::close() {
  if (socket_) zmq_socket_monitor(socket_.handle(), nullptr, 0);
  socket_.close();
  monitor_.close();
}

void member_link::reset() {
  close();
  outbox.clear();
  in_flight = 0;
  connected = false;
  open();
}

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
