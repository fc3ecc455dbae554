// Supervision: how fast a supervised service is back after a SIGKILL, and
// how long a tree of many hosts takes to start (supervise() one by one, a
// pool all at once, `titan up --detach` from a TOML file).
#pragma once

#include <memory>
#include <string>

#include "bench.hpp"

namespace spdlog {
class logger;
}

namespace titan::bench {

// One tree {one_for_one, high intensity, one service child "bench-restart"
// running `plugin`} under a manager of its own; a proxy from
// pm.discover("bench-restart") calls whoami in a loop. s.restarts times:
// pm.kill(host, SIGKILL), then calls until a new process answers (or
// s.failover_timeout_ms passes). The child's backoff.reset_after is 0 ms, so
// every kill is handled as the first death after a stable uptime: restarted
// at once, no backoff. `log` is the manager's logger.
restart_result measure_restarts(const settings& s, const std::string& plugin, std::shared_ptr<spdlog::logger> log);

// s.tree_starts times, each under a fresh manager: supervise() a tree of
// s.tree_size hosts of `plugin` (as service children when `pool` is false,
// started one by one, each READY before the next; else one pool child of
// that size, whose members start at once) and time it until it returns,
// every host READY. The manager is shut down after each run.
tree_start_result measure_tree_start(const settings& s, const std::string& plugin, bool pool,
                                     std::shared_ptr<spdlog::logger> log);

// s.tree_starts times: `titan up FILE --detach` of a generated topology of
// s.tree_size services of `plugin`, timed from its exec to its exit (every
// host READY), then `titan down`. Runs s.titan_binary with a private
// XDG_RUNTIME_DIR and a unique --instance; kills whatever is left of it.
tree_start_result measure_titan_up(const settings& s, const std::string& plugin);

}  // namespace titan::bench
