#include "supervision.hpp"

#include <signal.h>

#include <algorithm>
#include <optional>
#include <set>
#include <stdexcept>
#include <thread>

#include <titan/process_manager.hpp>
#include <titan/supervisor_spec.hpp>

#include "child.hpp"
#include "compute.hpp"
#include "failover.hpp"
#include "pool.hpp"

namespace titan::bench {
namespace {

using namespace std::chrono_literals;

double ms_since(clock::time_point t0) { return std::chrono::duration<double, std::milli>(clock::now() - t0).count(); }

titan::ProcessManager::options manager_options(std::shared_ptr<spdlog::logger> log) {
  titan::ProcessManager::options o;
  o.logger = std::move(log);
  return o;
}


const char* const restart_child = "bench-restart";

// The one live host of the child, once the proxy has had a reply from it.
titan::process_info serving_host(titan::ProcessManager& pm, titan::Proxy<ComputeService>& proxy) {
  const auto deadline = clock::now() + 10s;
  std::string last_error;
  while (clock::now() < deadline) {
    throw_if_interrupted();
    const auto members = pm.members(restart_child);
    if (members.size() == 1 && members[0].state == titan::process_state::running) {
      try {
        if (proxy.whoami().get().pid == members[0].pid) return members[0];
      } catch (const titan::Error& e) {
        last_error = e.what();
      }
    }
    std::this_thread::sleep_for(1ms);
  }
  throw std::runtime_error(std::string("'") + restart_child + "' has no single running host answering after 10 s" +
                           (last_error.empty() ? "" : "; last call: " + last_error));
}

kill_sample kill_once(const settings& s, titan::ProcessManager& pm, titan::Proxy<ComputeService>& proxy,
                      std::set<std::int64_t>& seen_pids) {
  const titan::process_info victim = serving_host(pm, proxy);
  seen_pids.insert(victim.pid);
  kill_sample k;
  const auto kill_wall = std::chrono::system_clock::now();
  const auto t0 = clock::now();
  if (!pm.kill(victim.id, SIGKILL)) throw std::runtime_error("pm.kill found no live host " + victim.name);
  const auto limit = t0 + std::chrono::milliseconds(s.failover_timeout_ms);
  auto old = [&](std::int64_t pid) { return seen_pids.count(pid) > 0; };
  const std::int64_t new_pid = await_new_process(proxy, old, old, t0, limit, k);
  k.respawn_started_ms = respawn_started_ms(pm, restart_child, new_pid, kill_wall);
  return k;
}

}  // namespace

restart_result measure_restarts(const settings& s, const std::string& plugin, std::shared_ptr<spdlog::logger> log) {
  restart_result r;
  if (s.restarts == 0) return r;
  try {
    titan::ProcessManager pm(manager_options(std::move(log)));
    titan::supervisor_spec spec;
    spec.name = "bench-restart-tree";
    spec.flags.strategy = titan::supervisor_strategy::one_for_one;
    spec.flags.intensity = static_cast<unsigned>(std::max<std::size_t>(1000, 2 * s.restarts));
    spec.flags.period = 5s;
    titan::host_spec host;
    host.log_level = "warn";
    host.call_timeout = 1000ms;
    titan::child_spec child = titan::service_child(restart_child, plugin, host);
    // Every restart is then the first after a stable uptime: no backoff.
    child.backoff.reset_after = 0ms;
    spec.children.push_back(child);
    pm.supervise(spec);

    titan::client_options co;
    // Short deadlines: a call stuck on the dead host ends quickly and the
    // loop tries again (whoami is idempotent).
    co.timeout = 1000ms;
    auto proxy = pm.discover<ComputeService>(restart_child, co);
    wait_for_members(proxy.client(), 1, 10s);
    std::set<std::int64_t> seen_pids;
    static_cast<kill_series&>(r) =
        measure_kills(s.restarts, [&](std::size_t) { return kill_once(s, pm, proxy, seen_pids); });
    pm.shutdown();
  } catch (const std::exception& e) {  // the tree did not start: the kills left are not measured
    if (interrupt_requested()) throw;
    if (r.error.empty()) r.error = e.what();
    r.broken_kills = s.restarts - r.kills;
  }
  return r;
}

tree_start_result measure_tree_start(const settings& s, const std::string& plugin, bool pool,
                                     std::shared_ptr<spdlog::logger> log) {
  tree_start_result r;
  r.key = pool ? "pool" : "services";
  r.hosts = s.tree_size;
  r.way = pool ? "supervise(): one pool of " + std::to_string(s.tree_size)
               : "supervise(): " + std::to_string(s.tree_size) + " service children";
  std::vector<double> totals;
  titan::host_spec host;
  host.log_level = "warn";
  for (std::size_t i = 0; i < s.tree_starts; ++i) {
    throw_if_interrupted();
    try {
      titan::ProcessManager pm(manager_options(log));
      titan::supervisor_spec spec;
      spec.name = std::string("bench-start-") + (pool ? "pool" : "services");
      if (pool) {
        spec.children.push_back(titan::pool_child("bench-pool", plugin, s.tree_size, titan::balance::round_robin, host));
      } else {
        for (std::size_t c = 0; c < s.tree_size; ++c)
          spec.children.push_back(titan::service_child("bench-svc-" + std::to_string(c), plugin, host));
      }
      const auto t0 = clock::now();
      pm.supervise(spec);
      const double ms = ms_since(t0);
      // supervise() returns once every child is started; check that it means READY.
      std::size_t running = 0;
      for (const auto& p : pm.list())
        if (p.state == titan::process_state::running && p.pid > 0) ++running;
      pm.shutdown();
      if (running != s.tree_size)
        throw std::runtime_error("supervise() returned with " + std::to_string(running) + " of " +
                                 std::to_string(s.tree_size) + " hosts running");
      totals.push_back(ms);
    } catch (const std::exception& e) {
      if (interrupt_requested()) throw;
      ++r.broken;
      if (r.error.empty()) r.error = e.what();
    }
  }
  r.runs = totals.size();
  r.total = summarize_ms(totals);
  r.per_host_ms = r.hosts ? r.total.median_ms / static_cast<double>(r.hosts) : 0;
  return r;
}

}  // namespace titan::bench
