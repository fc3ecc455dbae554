// Failover: how long calls stop flowing when a pool member is SIGKILLed,
// and how long until its replacement answers.
#pragma once

#include <cstddef>
#include <functional>
#include <optional>
#include <string>

#include <titan/process_manager.hpp>

#include "bench.hpp"
#include "compute.hpp"

namespace titan::bench {

// After a kill at `t0`: calls whoami until a process that `is_old` does
// not know answers, or `limit`. Counts the victim's late replies and failed
// calls into `k`, and times the first reply from anyone but the victim and
// from the new process. Returns the new pid, or 0.
std::int64_t await_new_process(titan::Proxy<ComputeService>& proxy, const std::function<bool(std::int64_t)>& is_victim,
                               const std::function<bool(std::int64_t)>& is_old, clock::time_point t0,
                               clock::time_point limit, kill_sample& k);

// When the manager started `pid` (a member of `name`), from `kill_wall`.
std::optional<double> respawn_started_ms(titan::ProcessManager& pm, const std::string& name, std::int64_t pid,
                                         std::chrono::system_clock::time_point kill_wall);

// s.failovers times: a fresh pool of `size` compute hosts, one client
// calling whoami in a loop, pm.kill(member, SIGKILL), then calls until a
// process that was not a member before the kill answers (or
// s.failover_timeout_ms passes). A fresh pool each time makes every kill
// the first death of its slot, which the manager replaces at once (later
// ones back off). Stops every pool it started before returning.
failover_result measure_failover(const settings& s, titan::ProcessManager& pm, const std::string& plugin,
                                 std::size_t size);

}  // namespace titan::bench
