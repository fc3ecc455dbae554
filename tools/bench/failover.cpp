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

struct one_kill {
  std::optional<double> first_reply_ms, replacement_ms, respawn_started_ms;
  std::size_t failed_calls = 0, victim_replies = 0;
  std::string first_error;
};

double ms_since(clock::time_point t0) { return std::chrono::duration<double, std::milli>(clock::now() - t0).count(); }

one_kill kill_once(const settings& s, titan::ProcessManager& pm, const std::string& plugin, std::size_t size,
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
  one_kill k;
  const auto kill_wall = std::chrono::system_clock::now();
  const auto t0 = clock::now();
  if (!pm.kill(victim.id, SIGKILL)) throw std::runtime_error("pm.kill found no live member " + victim.name);
  const auto limit = t0 + std::chrono::milliseconds(s.failover_timeout_ms);
  std::int64_t new_pid = 0;
  while (clock::now() < limit) {
    throw_if_interrupted();
    try {
      const Worker w = proxy.whoami().get();
      if (w.pid == victim.pid) {  // it answered before the signal landed
        ++k.victim_replies;
        continue;
      }
      if (!k.first_reply_ms) k.first_reply_ms = ms_since(t0);
      if (!old_pids.count(w.pid)) {
        k.replacement_ms = ms_since(t0);
        new_pid = w.pid;
        break;
      }
    } catch (const titan::Error& e) {
      ++k.failed_calls;
      if (k.first_error.empty()) k.first_error = e.what();
      std::this_thread::sleep_for(std::chrono::microseconds(100));  // no busy loop on 2 cores
    }
  }
  if (new_pid != 0)
    for (const auto& m : pm.members(o.name))
      if (m.pid == new_pid) k.respawn_started_ms = std::chrono::duration<double, std::milli>(m.started - kill_wall).count();
  return k;
}

}  // namespace

failover_result measure_failover(const settings& s, titan::ProcessManager& pm, const std::string& plugin,
                                 std::size_t size) {
  failover_result r;
  r.size = size;
  std::vector<double> first, replacement, respawn;
  for (std::size_t i = 0; i < s.failovers; ++i) {
    one_kill k;
    try {
      k = kill_once(s, pm, plugin, size, i);
    } catch (const std::exception& e) {  // this kill's pool did not work: say so, go on with the next
      if (interrupt_requested()) throw;
      ++r.broken_kills;
      if (r.error.empty()) r.error = e.what();
      continue;
    }
    ++r.kills;
    if (k.first_reply_ms) first.push_back(*k.first_reply_ms);
    if (k.replacement_ms) replacement.push_back(*k.replacement_ms);
    else ++r.gave_up;
    if (k.respawn_started_ms) respawn.push_back(*k.respawn_started_ms);
    r.failed_calls += k.failed_calls;
    r.victim_replies += k.victim_replies;
    if (r.first_error.empty()) r.first_error = k.first_error;
  }
  r.first_reply = summarize_ms(first);
  r.replacement = summarize_ms(replacement);
  r.respawn_started = summarize_ms(respawn);
  return r;
}

}  // namespace titan::bench
