#include "raw_echo.hpp"

#include <signal.h>
#include <sys/prctl.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <stdexcept>

#include "bench.hpp"
#include "child.hpp"

namespace titan::bench {

int run_raw_server(const std::string& endpoint) {
  // Never outlive the benchmark that started us.
  ::prctl(PR_SET_PDEATHSIG, SIGKILL);
  if (const char* parent = std::getenv("TITAN_BENCH_PARENT"); parent && std::to_string(::getppid()) != parent)
    return 1;

  zmq::context_t ctx(1);
  zmq::socket_t socket(ctx, zmq::socket_type::router);
  // The same socket options as titan-host's ROUTER.
  socket.set(zmq::sockopt::sndhwm, 100000);
  socket.set(zmq::sockopt::rcvhwm, 100000);
  socket.set(zmq::sockopt::linger, 0);
  socket.bind(endpoint);
  std::printf("%s\n", socket.get(zmq::sockopt::last_endpoint).c_str());
  std::fflush(stdout);

  // Three messages reused for ever: a send hands the content to ZeroMQ and
  // leaves the message empty, ready for the next receive.
  zmq::message_t rid, header, body;
  for (;;) {
    if (!socket.recv(rid, zmq::recv_flags::none) || !rid.more()) continue;
    if (!socket.recv(header, zmq::recv_flags::none)) continue;
    if (!header.more()) continue;  // one frame only: malformed, drop
    if (!socket.recv(body, zmq::recv_flags::none)) continue;
    bool extra = false;
    while (body.more()) {  // more than two frames: malformed, drop
      extra = true;
      if (!socket.recv(body, zmq::recv_flags::none)) break;
    }
    if (extra) continue;
    socket.send(rid, zmq::send_flags::sndmore);
    socket.send(header, zmq::send_flags::sndmore);
    socket.send(body, zmq::send_flags::none);
  }
}

raw_client::raw_client(const std::string& endpoint, const std::string& payload) : payload_(payload) {
  // The same socket options as Titan's client DEALER.
  socket_.set(zmq::sockopt::linger, 0);
  socket_.set(zmq::sockopt::sndhwm, 100000);
  socket_.set(zmq::sockopt::rcvhwm, 100000);
  // A server that died shows up as an error, not as a hang.
  socket_.set(zmq::sockopt::rcvtimeo, 10000);
  socket_.set(zmq::sockopt::sndtimeo, 10000);
  socket_.connect(endpoint);
}

void raw_client::send_one() {
  // The header frame is the 8-byte sequence number (Titan's call id).
  const std::uint64_t seq = next_seq_++;
  if (!socket_.send(zmq::const_buffer(&seq, sizeof seq), zmq::send_flags::sndmore) ||
      !socket_.send(zmq::const_buffer(payload_.data(), payload_.size()), zmq::send_flags::none))
    throw std::runtime_error("raw echo: could not send within 10 s");
}

void raw_client::receive_one() {
  if (!socket_.recv(header_in_, zmq::recv_flags::none) || !header_in_.more() ||
      !socket_.recv(body_in_, zmq::recv_flags::none))
    throw std::runtime_error("raw echo: no reply within 10 s (server gone?)");
  std::uint64_t seq;
  if (header_in_.size() != sizeof seq || body_in_.size() != payload_.size() || body_in_.more())
    throw std::runtime_error("raw echo: unexpected reply frames");
  std::memcpy(&seq, header_in_.data(), sizeof seq);
  if (seq != expected_seq_++) throw std::runtime_error("raw echo: reply out of order");
}

void raw_client::run_sequential(std::size_t calls, std::vector<double>* samples_ns) {
  for (std::size_t i = 0; i < calls; ++i) {
    throw_if_interrupted();
    const auto t0 = clock::now();
    send_one();
    receive_one();
    const auto t1 = clock::now();
    if (samples_ns) samples_ns->push_back(static_cast<double>(std::chrono::nanoseconds(t1 - t0).count()));
  }
}

void raw_client::run_pipelined(std::size_t calls, std::size_t window) {
  std::size_t sent = 0, received = 0;
  while (sent < calls && sent < window) {
    send_one();
    ++sent;
  }
  while (received < calls) {
    throw_if_interrupted();
    receive_one();
    ++received;
    if (sent < calls) {
      send_one();
      ++sent;
    }
  }
}

}  // namespace titan::bench
