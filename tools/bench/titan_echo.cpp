#include "titan_echo.hpp"

#include <stdexcept>
#include <thread>

#include "child.hpp"

namespace titan::bench {

titan_client::titan_client(const std::string& endpoint, const std::string& payload, std::size_t window)
    : proxy_(titan::connect<EchoService>(endpoint)), payload_(payload), ring_(window) {}

void titan_client::check(const std::string& reply) const {
  if (reply.size() != payload_.size()) throw std::runtime_error("titan echo: reply of the wrong size");
}

void titan_client::run_sequential(std::size_t calls, std::vector<double>* samples_ns) {
  for (std::size_t i = 0; i < calls; ++i) {
    throw_if_interrupted();
    const auto t0 = clock::now();
    std::string reply = proxy_.echo(payload_).get();
    const auto t1 = clock::now();
    check(reply);
    if (samples_ns) samples_ns->push_back(static_cast<double>(std::chrono::nanoseconds(t1 - t0).count()));
  }
}

void titan_client::run_pipelined(std::size_t calls, std::size_t window) {
  if (window == 0 || window > ring_.size()) throw std::invalid_argument("bad window");
  // A ring of futures: the oldest call is always the next one waited on.
  std::size_t sent = 0, received = 0;
  while (sent < calls && sent < window) {
    ring_[sent % window].emplace(proxy_.echo(payload_));
    ++sent;
  }
  while (received < calls) {
    throw_if_interrupted();
    auto& slot = ring_[received % window];
    check(slot->get());
    slot.reset();
    ++received;
    if (sent < calls) {
      ring_[sent % window].emplace(proxy_.echo(payload_));
      ++sent;
    }
  }
}

namespace {

titan::spawn_options quiet_spawn() {
  titan::spawn_options o;
  o.log_level = "warn";
  return o;
}

}  // namespace

spawn_result measure_spawn(titan::ProcessManager& pm, const std::string& plugin, std::size_t count) {
  std::vector<double> spawn_ms, stop_ms;
  const auto opts = quiet_spawn();
  for (std::size_t i = 0; i < count; ++i) {
    throw_if_interrupted();
    const auto t0 = clock::now();
    titan::process_info info = pm.spawn_host(plugin, opts, titan::service_traits<EchoService>::name);
    const auto t1 = clock::now();
    if (!pm.stop(info.id)) throw std::runtime_error("could not stop the host just spawned");
    const auto t2 = clock::now();
    spawn_ms.push_back(std::chrono::duration<double, std::milli>(t1 - t0).count());
    stop_ms.push_back(std::chrono::duration<double, std::milli>(t2 - t1).count());
  }
  spawn_result r;
  r.count = count;
  if (count == 0) return r;
  r.median_ms = quantile(spawn_ms, 0.5);
  r.p90_ms = quantile(spawn_ms, 0.9);
  r.min_ms = spawn_ms.front();
  r.max_ms = spawn_ms.back();
  r.stop_median_ms = quantile(stop_ms, 0.5);
  return r;
}

memory_result measure_idle_host(titan::ProcessManager& pm, const std::string& plugin) {
  titan::process_info info = pm.spawn_host(plugin, quiet_spawn(), titan::service_traits<EchoService>::name);
  // Idle: READY said, no call served; give its threads a moment to settle.
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  memory_result m = read_memory(info.pid);
  pm.stop(info.id);
  return m;
}

}  // namespace titan::bench
