// Hot reload: how long pm.reload() takes, and how slow the calls that
// clients make meanwhile get, for a service that hands its state over (kv)
// and for a pool without state hooks (echo).
#pragma once

#include <memory>
#include <string>

#include "bench.hpp"

namespace spdlog {
class logger;
}

namespace titan::bench {

// The worst call overlapping a reload should stay within this many times
// the p50 of the calls outside one (the goal; printed, never asserted).
constexpr double reload_goal_ratio = 10;

// Under a manager of its own (`log` is its logger): a supervised service
// "kv" (one host of `kv_plugin`, s.reload_keys keys put first), then a pool
// "echo" of 2 hosts of `echo_plugin`, each reloaded s.reloads times with
// probation 0 ms, alternating between two copies of its plugin file (in a
// temporary directory), while s.reload_clients threads, each with its own
// pm.discover() proxy, call it one call at a time (kv: swap and get in
// turn; echo: echo) and time every call. Reloads are s.reload_gap_ms apart,
// with as long before the first and after the last.
reload_result measure_reloads(const settings& s, const std::string& kv_plugin, const std::string& echo_plugin,
                              std::shared_ptr<spdlog::logger> log);

}  // namespace titan::bench
