#include "stream_bench.hpp"

#include <signal.h>
#include <sys/prctl.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <thread>

#include <titan/client.hpp>
#include <zmq.hpp>

#include "child.hpp"
#include "host_guard.hpp"

namespace titan::bench {
namespace {

// The packed items both sides send: a uint64, or a bin of `size` bytes.
std::string packed_item(std::uint64_t v, std::size_t size) {
  msgpack::sbuffer buf;
  msgpack::packer<msgpack::sbuffer> p(buf);
  if (size == 0) {
    p.pack_uint64(v);
  } else {
    p.pack_bin(static_cast<std::uint32_t>(size));
    p.pack_bin_body(std::string(size, 'x').data(), static_cast<std::uint32_t>(size));
  }
  return std::string(buf.data(), buf.size());
}

std::uint64_t status_bytes(pid_t pid, const char* key) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(in, line))
    if (line.rfind(key, 0) == 0) return std::stoull(line.substr(std::string(key).size())) * 1024;
  return 0;
}

// Raw: one request, then n items pushed back as fast as ZeroMQ takes them.
double raw_round(zmq::socket_t& dealer, std::size_t n, std::size_t size) {
  const auto t0 = clock::now();
  msgpack::sbuffer req;
  msgpack::pack(req, std::make_tuple(n, size));
  dealer.send(zmq::buffer(req.data(), req.size()));
  zmq::message_t m;
  std::size_t got = 0;
  for (;;) {
    if (!dealer.recv(m))
      throw std::runtime_error("the raw streamer did not answer (" + std::to_string(got) + " of " + std::to_string(n) +
                               " items came)");
    if (m.size() == 0) break;
    ++got;
  }
  if (got != n) throw std::runtime_error("the raw streamer sent " + std::to_string(got) + " items");
  return std::chrono::duration<double>(clock::now() - t0).count();
}

template <class T>
double titan_round(const titan::Client& client, const char* method, std::size_t n, std::size_t size) {
  const auto t0 = clock::now();
  std::size_t got = 0;
  if constexpr (std::is_integral_v<T>) {
    for (const T& v : client.stream<T>(method, n)) got += v == got ? 1 : 0;  // in order
  } else {
    for (const T& v : client.stream<T>(method, n, size)) got += v.size() == size ? 1 : 0;
  }
  if (got != n) throw std::runtime_error("titan streamed " + std::to_string(got) + " items");
  return std::chrono::duration<double>(clock::now() - t0).count();
}

}  // namespace

int run_raw_streamer(const std::string& endpoint) {
  ::prctl(PR_SET_PDEATHSIG, SIGKILL);  // never outlive the benchmark
  zmq::context_t ctx(1);
  zmq::socket_t socket(ctx, zmq::socket_type::router);
  socket.set(zmq::sockopt::linger, 0);
  // A ROUTER drops what is over its high-water mark; a mandatory one blocks
  // there instead: ZeroMQ's own backpressure, as titan-host's ROUTER has.
  socket.set(zmq::sockopt::router_mandatory, 1);
  socket.bind(endpoint);
  std::printf("%s\n", socket.get(zmq::sockopt::last_endpoint).c_str());
  std::fflush(stdout);
  zmq::message_t rid, req;
  for (;;) {
    if (!socket.recv(rid) || !rid.more() || !socket.recv(req)) continue;
    auto [n, size] = msgpack::unpack(static_cast<const char*>(req.data()), req.size())
                         ->as<std::tuple<std::size_t, std::size_t>>();
    const std::string item = packed_item(7, size);
    for (std::size_t i = 0; i < n; ++i) {
      zmq::message_t r;
      r.copy(rid);
      socket.send(r, zmq::send_flags::sndmore);
      socket.send(zmq::buffer(item), zmq::send_flags::none);
    }
    socket.send(rid, zmq::send_flags::sndmore);
    socket.send(zmq::message_t(), zmq::send_flags::none);
  }
}

stream_bench_result measure_streams(const settings& s, titan::ProcessManager& pm, const std::string& plugin) {
  stream_bench_result r;
  r.small_items = s.stream_items;
  r.big_items = s.stream_big_items;
  r.slow_items = s.stream_slow_items;
  temp_dir dir;
  self_child raw({"--raw-streamer", "ipc://" + dir.path() + "/raw-stream.sock"});
  zmq::context_t ctx(1);
  zmq::socket_t dealer(ctx, zmq::socket_type::dealer);
  dealer.set(zmq::sockopt::linger, 0);
  dealer.set(zmq::sockopt::rcvtimeo, 30000);
  dealer.connect(raw.first_line());

  titan::spawn_options opts;
  opts.log_level = "warn";
  const titan::process_info host = pm.spawn_host(plugin, opts, "streamer");
  host_guard guard{pm, host.id};
  titan::client_options copts;
  if (s.stream_window > 0) copts.stream_window = s.stream_window;
  r.window = copts.stream_window;
  const titan::Client client = titan::Client::connect(host.endpoint, copts);

  // First, on the fresh host (VmHWM is its peak ever): a long stream to a
  // slow reader. Credit keeps the host where it was.
  if (r.slow_items > 0) {
    r.host_rss_before = status_bytes(host.pid, "VmRSS:");
    const auto t0 = clock::now();
    std::size_t got = 0;
    for (std::uint64_t v : client.stream<std::uint64_t>("count", r.slow_items)) {
      if (v != got) throw std::runtime_error("the slow stream lost its order");
      if (++got % 10000 == 0) {
        throw_if_interrupted();
        std::this_thread::sleep_for(std::chrono::milliseconds(1));
      }
    }
    r.slow_seconds = std::chrono::duration<double>(clock::now() - t0).count();
    r.host_hwm_after = status_bytes(host.pid, "VmHWM:");
  }

  // Warm-up, then rounds that alternate which side goes first.
  raw_round(dealer, 1000, 0);
  titan_round<std::uint64_t>(client, "count", 1000, 0);
  std::vector<double> raw_small, titan_small, raw_big, titan_big;
  for (std::size_t i = 0; i < std::max<std::size_t>(1, s.stream_rounds); ++i) {
    throw_if_interrupted();
    if (i % 2 == 0) {
      raw_small.push_back(r.small_items / raw_round(dealer, r.small_items, 0));
      titan_small.push_back(r.small_items / titan_round<std::uint64_t>(client, "count", r.small_items, 0));
    } else {
      titan_small.push_back(r.small_items / titan_round<std::uint64_t>(client, "count", r.small_items, 0));
      raw_small.push_back(r.small_items / raw_round(dealer, r.small_items, 0));
    }
    const double mb = static_cast<double>(r.big_items * r.big_size) / 1e6;
    titan_big.push_back(mb / titan_round<std::vector<char>>(client, "blobs", r.big_items, r.big_size));
    raw_big.push_back(mb / raw_round(dealer, r.big_items, r.big_size));
  }
  r.raw_small.items_per_s = median(raw_small);
  r.titan_small.items_per_s = median(titan_small);
  r.raw_big.mb_per_s = median(raw_big);
  r.titan_big.mb_per_s = median(titan_big);
  r.raw_big.items_per_s = r.raw_big.mb_per_s * 1e6 / static_cast<double>(r.big_size);
  r.titan_big.items_per_s = r.titan_big.mb_per_s * 1e6 / static_cast<double>(r.big_size);
  r.small_ratio = r.titan_small.items_per_s / r.raw_small.items_per_s;
  r.big_ratio = r.titan_big.mb_per_s / r.raw_big.mb_per_s;

  return r;
}

}  // namespace titan::bench
