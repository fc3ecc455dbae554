#include "failover.hpp"

#include <signal.h>

#include <optional>
#include <set>
#include <stdexcept>
#include <thread>

#include "child.hpp"
#include "compute.hpp"
#include "pool.hpp"

namespace titan::bench {
namespace {


double ms_since(clock::time_point t0) { return std::chrono::duration<double, std::milli>(clock::now() - t0).count(); }

}  // namespace

std::int64_t await_new_process(titan::Proxy<ComputeService>& proxy, const std::function<bool(std::int64_t)>& is_victim,
                               const std::function<bool(std::int64_t)>& is_old, clock::time_point t0,
                               clock::time_point limit, kill_sample& k) {
  while (clock::now() < limit) {
    throw_if_interrupted();
    try {
      const Worker w = proxy.whoami().get();
      if (is_victim(w.pid)) {  // it answered before the signal landed
        ++k.victim_replies;
        continue;
      }
      if (!k.first_reply_ms) k.first_reply_ms = ms_since(t0);
      if (!is_old(w.pid)) {
        k.replacement_ms = ms_since(t0);
        return w.pid;
      }
    } catch (const titan::Error& e) {
      ++k.failed_calls;
      if (k.first_error.empty()) k.first_error = e.what();
      std::this_thread::sleep_for(std::chrono::microseconds(100));  // no busy loop on 2 cores
    }
  }
  return 0;
}

std::optional<double> respawn_started_ms(titan::ProcessManager& pm, const std::string& name, std::int64_t pid,
                                         std::chrono::system_clock::time_point kill_wall) {
  if (pid != 0)
    for (const auto& m : pm.members(name))
      if (m.pid == pid) return std::chrono::duration<double, std::milli>(m.started - kill_wall).count();
  return std::nullopt;
}

namespace {

kill_sample kill_once(const settings& s, titan::ProcessManager& pm, const std::string& plugin, std::size_t size,
                   std::size_t index) {
  titan::pool_options o;
  o.name = "bench-failover-" + std::to_string(size) + "-" + std::to_string(index);
  o.size = size;
  o.host.log_level = "warn";
  // Short deadlines: a call stuck on the dead member ends quickly and the
  // loop tries again (whoami is idempotent: the client re-sends it itself).
  o.host.client.timeout = std::chrono::milliseconds(1000);
  auto proxy = pm.pool<ComputeService>(plugin, o);
  pool_guard guard(pm, o.name);
  wait_for_members(proxy.client(), size, std::chrono::seconds(10));

  const std::vector<titan::process_info> before = pm.members(o.name);
  if (before.size() != size) throw std::runtime_error("pool '" + o.name + "' is not complete");
  std::set<std::int64_t> old_pids;
  for (const auto& m : before) old_pids.insert(m.pid);
  // Every member answers once first: all connections are up.
  std::set<std::int64_t> answered;
  for (int i = 0; i < 1000 && answered.size() < size; ++i) answered.insert(proxy.whoami().get().pid);
  if (answered.size() < size) throw std::runtime_error("pool '" + o.name + "': not every member answered");

  const titan::process_info& victim = before[index % before.size()];
  kill_sample k;
  const auto kill_wall = std::chrono::system_clock::now();
  const auto t0 = clock::now();
  if (!pm.kill(victim.id, SIGKILL)) throw std::runtime_error("pm.kill found no live member " + victim.name);
  const auto limit = t0 + std::chrono::milliseconds(s.failover_timeout_ms);
  const std::int64_t new_pid = await_new_process(
      proxy, [&](std::int64_t pid) { return pid == victim.pid; }, [&](std::int64_t pid) { return old_pids.count(pid) > 0; },
      t0, limit, k);
  k.respawn_started_ms = respawn_started_ms(pm, o.name, new_pid, kill_wall);
  return k;
}

}  // namespace

failover_result measure_failover(const settings& s, titan::ProcessManager& pm, const std::string& plugin,
                                 std::size_t size) {
  failover_result r;
  static_cast<kill_series&>(r) =
      measure_kills(s.failovers, [&](std::size_t i) { return kill_once(s, pm, plugin, size, i); });
  r.size = size;
  return r;
}

}  // namespace titan::bench
