// Failover: how long calls stop flowing when a pool member is SIGKILLed,
// and how long until its replacement answers.
#pragma once

#include <cstddef>
#include <string>

#include <titan/process_manager.hpp>

#include "bench.hpp"

namespace titan::bench {

// s.failovers times: a fresh pool of `size` compute hosts, one client
// calling whoami in a loop, pm.kill(member, SIGKILL), then calls until a
// process that was not a member before the kill answers (or
// s.failover_timeout_ms passes). A fresh pool each time makes every kill
// the first death of its slot, which the manager replaces at once (later
// ones back off). Stops every pool it started before returning.
failover_result measure_failover(const settings& s, titan::ProcessManager& pm, const std::string& plugin,
                                 std::size_t size);

}  // namespace titan::bench
