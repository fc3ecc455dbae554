#include "pool.hpp"

#include <sched.h>

#include <algorithm>
#include <cmath>
#include <memory>
#include <optional>
#include <stdexcept>
#include <thread>

#include "child.hpp"
#include "compute.hpp"

namespace titan::bench {

pool_guard::~pool_guard() {
  // Each member: drain, SIGTERM, SIGKILL after 2 s (at once when forced:
  // a member that hangs must not hold the run up); then the pool is empty.
  try {
    for (const auto& m : pm.members(name))
      pm.stop(m.id, force ? std::chrono::milliseconds(0) : std::chrono::milliseconds(2000));
    pm.scale(name, 0);
  } catch (...) {
  }
}

unsigned usable_cpus() {
  cpu_set_t set;
  CPU_ZERO(&set);
  if (::sched_getaffinity(0, sizeof set, &set) != 0) return 0;
  return static_cast<unsigned>(CPU_COUNT(&set));
}

void wait_for_members(const titan::Client& client, std::size_t size, std::chrono::milliseconds timeout) {
  const auto deadline = clock::now() + timeout;
  for (;;) {
    throw_if_interrupted();
    const std::size_t seen = client.members().size();  // also applies a membership update that arrived
    if (seen == size) return;
    if (clock::now() >= deadline)
      throw std::runtime_error("the client of '" + client.endpoint() + "' sees " + std::to_string(seen) +
                               " member(s), not " + std::to_string(size) + ", after " +
                               std::to_string(timeout.count()) + " ms");
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
}

namespace {

using compute_proxy = titan::Proxy<ComputeService>;

// One pool under measurement. A pool that stops answering is replaced by
// a fresh one (`generation` + 1) and the round measured again.
struct live_pool {
  std::unique_ptr<pool_guard> guard;  // first member: stops the pool after the proxy is gone
  std::size_t size = 0;
  std::string name;
  std::optional<compute_proxy> proxy;
  std::vector<pid_t> pids;
  unsigned generation = 0;
  std::size_t replaced = 0;   // times it stopped answering and was replaced
  std::string replaced_why;   // the first time's error
  std::string error;          // set when it gave up: no more rounds for this size
};

std::vector<pid_t> member_pids(titan::ProcessManager& pm, const std::string& name) {
  std::vector<pid_t> pids;
  for (const auto& m : pm.members(name)) pids.push_back(m.pid);
  std::sort(pids.begin(), pids.end());
  return pids;
}

// Starts (or starts again) pool `p.size` under a fresh name and waits
// until its client knows every member.
void start_pool(const settings& s, titan::ProcessManager& pm, const std::string& plugin, titan::balance strategy,
                live_pool& p) {
  if (p.guard) p.guard->force = true;  // the old one (if any) hung: no drain
  p.proxy.reset();
  p.guard.reset();
  titan::pool_options o;
  o.name = "bench-pool-" + std::to_string(p.size);
  if (p.generation) o.name.append("-").append(std::to_string(p.generation));
  ++p.generation;
  o.size = p.size;
  o.strategy = strategy;
  o.host.log_level = "warn";
  // A call takes well under a millisecond; a second means the host stopped answering.
  o.host.client.timeout = std::chrono::seconds(1);
  o.host.ready_timeout = std::chrono::seconds(5);
  p.name = o.name;
  p.proxy.emplace(pm.pool<ComputeService>(plugin, o));
  p.guard = std::make_unique<pool_guard>(pm, o.name);
  wait_for_members(p.proxy->client(), p.size, std::chrono::seconds(10));
  p.pids = member_pids(pm, o.name);
  if (p.pids.size() != p.size) throw std::runtime_error("pool '" + o.name + "' is not complete");
  (void)s;
}

// Runs `fn(p)`; when it fails (e.g. a host that stopped answering), replaces
// the pool and tries again, at most `attempts` times in all. Returns false
// (with p.error set) when it never went through.
template <class F>
bool with_replacement(const settings& s, titan::ProcessManager& pm, const std::string& plugin,
                      titan::balance strategy, live_pool& p, unsigned attempts, F&& fn) {
  for (unsigned i = 0; p.error.empty(); ++i) {
    try {
      fn(p);
      return true;
    } catch (const std::exception& e) {
      if (interrupt_requested()) throw;
      if (i + 1 >= attempts) {
        p.error = e.what();
        break;
      }
      ++p.replaced;
      if (p.replaced_why.empty()) p.replaced_why = e.what();
      try {
        start_pool(s, pm, plugin, strategy, p);
      } catch (const std::exception& e2) {
        if (interrupt_requested()) throw;
        p.error = std::string("could not replace the pool: ") + e2.what();
      }
    }
  }
  return false;
}

// hash_rounds(data, rounds) with one call in flight: the p50 round trip
// and the host's CPU time per call, in microseconds.
struct call_cost {
  double p50_us, host_cpu_us;
};

call_cost one_in_flight(compute_proxy& p, pid_t host, const std::string& data, std::uint32_t rounds,
                        std::size_t calls) {
  std::vector<double> ns;
  ns.reserve(calls);
  const double cpu0 = process_cpu_us(host);
  for (std::size_t i = 0; i < calls; ++i) {
    throw_if_interrupted();
    const auto t0 = clock::now();
    p.hash_rounds(data, rounds).get();
    ns.push_back(static_cast<double>(std::chrono::nanoseconds(clock::now() - t0).count()));
  }
  const double cpu = process_cpu_us(host) - cpu0;
  if (cpu0 < 0 || cpu < 0) throw std::runtime_error("cannot read the CPU time of the calibration host");
  return {median(ns) / 1000.0, cpu / static_cast<double>(calls)};
}

// Picks the number of rounds for which a call costs the host about
// s.pool_call_us of CPU more than an empty one (rounds = 0). CPU time, not
// round trips: waiting for a core on a busy machine does not count. The
// work is linear in rounds, so it is measured where it is about 5x the
// target (the host's per-call overhead, which varies by tens of
// microseconds here, matters less there) and scaled down.
void calibrate(const settings& s, live_pool& pool, const std::string& data, pool_result& r) {
  const std::size_t n = std::max<std::size_t>(10, s.pool_calibration_calls);
  const pid_t host = pool.pids.front();
  one_in_flight(*pool.proxy, host, data, 0, n / 4 + 1);  // warm-up
  const call_cost base = one_in_flight(*pool.proxy, host, data, 0, n);
  const double target = s.pool_call_us, probe = 5 * target;
  std::uint32_t rounds = 16;
  double extra = 0;
  for (int step = 0; step < 8; ++step) {
    extra = one_in_flight(*pool.proxy, host, data, rounds, n / 2 + 1).host_cpu_us - base.host_cpu_us;
    if (extra >= probe * 0.8 || rounds >= (1u << 24)) break;
    const double next = extra > target / 4 ? rounds * probe / extra : rounds * 8.0;
    rounds = static_cast<std::uint32_t>(std::min(std::ceil(next), double(1u << 24)));
  }
  const double scaled = static_cast<double>(rounds) * target / std::max(extra, 1.0);
  r.hash_rounds = static_cast<std::uint32_t>(std::clamp(std::round(scaled), 1.0, double(1u << 24)));
  r.probe_rounds = rounds;
  r.probe_extra_us = extra;
  const call_cost chosen = one_in_flight(*pool.proxy, host, data, r.hash_rounds, n);
  r.base_latency_us = base.p50_us;
  r.call_latency_us = chosen.p50_us;
  r.base_host_cpu_us = base.host_cpu_us;
  r.call_host_cpu_us = chosen.host_cpu_us;
}

struct round_figures {
  double calls_per_s, client_cores, host_cores, host_us_per_call, other_cores;
};

double members_cpu_us(const live_pool& p) {
  double sum = 0;
  for (pid_t pid : p.pids) {
    const double us = process_cpu_us(pid);
    if (us < 0) throw std::runtime_error("a member of pool '" + p.name + "' went away during the measurement");
    sum += us;
  }
  return sum;
}

// `calls` hash_rounds calls with `window` in flight; every reply must be
// the same hash (same data, same rounds).
round_figures pipelined_round(live_pool& p, const std::string& data, std::uint32_t rounds, std::size_t calls,
                              std::size_t window) {
  std::vector<std::optional<titan::Future<std::uint64_t>>> ring(window);
  std::optional<std::uint64_t> expected;
  const double client0 = self_cpu_us(), hosts0 = members_cpu_us(p), machine0 = machine_busy_us();
  const auto t0 = clock::now();
  std::size_t sent = 0, received = 0;
  while (sent < calls && sent < window) ring[sent++ % window].emplace(p.proxy->hash_rounds(data, rounds));
  while (received < calls) {
    throw_if_interrupted();
    auto& slot = ring[received % window];
    const std::uint64_t h = slot->get();
    slot.reset();
    if (!expected) expected = h;
    if (h != *expected) throw std::runtime_error("pool '" + p.name + "': hash_rounds gave two different results");
    ++received;
    if (sent < calls) ring[sent++ % window].emplace(p.proxy->hash_rounds(data, rounds));
  }
  const double wall_us = std::chrono::duration<double, std::micro>(clock::now() - t0).count();
  const double client = self_cpu_us() - client0, hosts = members_cpu_us(p) - hosts0;
  const double machine = machine0 < 0 ? -1 : machine_busy_us() - machine0;
  return {static_cast<double>(calls) / (wall_us / 1e6), client / wall_us, hosts / wall_us,
          hosts / static_cast<double>(calls),
          machine < 0 ? -1 : std::max(0.0, (machine - client - hosts) / wall_us)};
}

void summarize(pool_size_result& out, const std::vector<round_figures>& rounds) {
  std::vector<double> cps, client, hosts, per_call, others;
  for (const auto& r : rounds) {
    others.push_back(r.other_cores);
    cps.push_back(r.calls_per_s);
    client.push_back(r.client_cores);
    hosts.push_back(r.host_cores);
    per_call.push_back(r.host_us_per_call);
  }
  out.rounds = cps;
  out.calls_per_s = median(cps);
  out.client_cores = median(client);
  out.host_cores = median(hosts);
  out.host_cpu_us_per_call = median(per_call);
  out.other_cores = median(others);
}

}  // namespace

pool_result measure_pools(const settings& s, titan::ProcessManager& pm, const std::string& plugin) {
  pool_result r;
  r.hardware_threads = std::thread::hardware_concurrency();
  r.usable_cpus = usable_cpus();
  r.strategy = s.pool_strategy;
  const auto strategy = titan::balance_from_string(s.pool_strategy);
  if (!strategy) throw std::invalid_argument("unknown pool strategy '" + s.pool_strategy + "'");
  std::vector<std::size_t> sizes = s.pool_sizes;
  std::sort(sizes.begin(), sizes.end());
  sizes.erase(std::unique(sizes.begin(), sizes.end()), sizes.end());
  if (sizes.empty()) return r;
  if (sizes.front() == 0) throw std::invalid_argument("a pool size must be at least 1");
  const std::string data = make_payload(1024);
  r.data_bytes = data.size();

  std::vector<live_pool> pools(sizes.size());  // each stops its pool when destroyed
  for (std::size_t k = 0; k < sizes.size(); ++k) {
    pools[k].size = sizes[k];
    start_pool(s, pm, plugin, *strategy, pools[k]);
  }
  constexpr unsigned attempts = 4;  // a pool that hangs is replaced up to 3 times
  auto retried = [&](live_pool& p, auto&& fn) { return with_replacement(s, pm, plugin, *strategy, p, attempts, fn); };
  if (!retried(pools.front(), [&](live_pool& p) { calibrate(s, p, data, r); }))
    throw std::runtime_error("calibration: " + pools.front().error);

  auto window = [&](const live_pool& p) { return std::max<std::size_t>(1, s.pool_window_per_member) * p.size; };
  auto measure = [&](live_pool& p, std::size_t calls, std::vector<round_figures>* out) {
    retried(p, [&](live_pool& q) {
      round_figures f = pipelined_round(q, data, r.hash_rounds, calls, window(q));
      if (member_pids(pm, q.name) != q.pids)
        throw std::runtime_error("pool '" + q.name + "' lost or replaced a member during the measurement");
      if (out) out->push_back(f);
    });
  };
  for (auto& p : pools)  // warm-up: connections, caches, CPU frequency
    measure(p, std::max(window(p) * 4, s.pool_calls / 10), nullptr);

  std::vector<std::vector<round_figures>> figures(pools.size());
  const std::size_t rounds = std::max<std::size_t>(1, s.pool_rounds);
  for (std::size_t i = 0; i < rounds; ++i)
    for (std::size_t j = 0; j < pools.size(); ++j) {
      const std::size_t k = (i + j) % pools.size();
      measure(pools[k], s.pool_calls, &figures[k]);
    }

  double one = 0;
  for (std::size_t k = 0; k < pools.size(); ++k) {
    pool_size_result out;
    out.size = pools[k].size;
    out.window = window(pools[k]);
    out.replaced = pools[k].replaced;
    out.replaced_why = pools[k].replaced_why;
    out.error = pools[k].error;
    summarize(out, figures[k]);
    if (out.size == 1) one = out.calls_per_s;
    r.sizes.push_back(std::move(out));
  }
  for (auto& out : r.sizes) out.ratio_to_1 = one > 0 ? out.calls_per_s / one : 0;
  return r;
}

}  // namespace titan::bench
