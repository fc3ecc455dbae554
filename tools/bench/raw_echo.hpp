// The baseline: plain ZeroMQ DEALER -> ROUTER echo with Titan's framing
// (routing id + header + body in, the same three frames out), no msgpack.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include <zmq.hpp>

namespace titan::bench {

// `titan-bench --raw-server ENDPOINT`: binds a ROUTER, prints the bound
// endpoint on stdout and echoes every message until killed.
int run_raw_server(const std::string& endpoint);

class raw_client {
 public:
  raw_client(const std::string& endpoint, const std::string& payload);

  // One call in flight; appends each round trip (ns) to `samples_ns` when
  // it is not null. `samples_ns` must have room (no allocation in the loop).
  void run_sequential(std::size_t calls, std::vector<double>* samples_ns);
  // `window` calls in flight until `calls` replies have come back.
  void run_pipelined(std::size_t calls, std::size_t window);

 private:
  void send_one();
  void receive_one();

  zmq::context_t ctx_{1};
  zmq::socket_t socket_{ctx_, zmq::socket_type::dealer};
  const std::string payload_;
  std::uint64_t next_seq_ = 0;
  std::uint64_t expected_seq_ = 0;
  zmq::message_t header_in_, body_in_;
};

}  // namespace titan::bench
