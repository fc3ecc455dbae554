// Pool throughput: CPU-bound ComputeService::hash_rounds calls pipelined
// from one client to pools of the compute plugin, one pool per size, as a
// ratio to a single host.
#pragma once

#include <chrono>
#include <cstddef>
#include <string>

#include <titan/process_manager.hpp>

#include "bench.hpp"

namespace titan::bench {

// Starts a pool for every size of s.pool_sizes, sizes a call to about
// s.pool_call_us of work, then measures s.pool_rounds rounds in which every
// size runs once (in a rotating order, so that all see the same noise).
// Stops its pools before returning (or throwing).
pool_result measure_pools(const settings& s, titan::ProcessManager& pm, const std::string& plugin);

// Waits until `client` (of a pool or a discovered name) knows `size`
// members: the manager's membership feed has arrived. Throws on timeout.
void wait_for_members(const titan::Client& client, std::size_t size, std::chrono::milliseconds timeout);

// Stops pool `name` when it goes out of scope: each member drains (2 s at
// most; SIGKILL at once when `force`), then the pool is scaled to zero.
struct pool_guard {
  titan::ProcessManager& pm;
  std::string name;
  bool force = false;
  pool_guard(titan::ProcessManager& m, std::string n) : pm(m), name(std::move(n)) {}
  ~pool_guard();
  pool_guard(const pool_guard&) = delete;
  pool_guard& operator=(const pool_guard&) = delete;
};

// CPUs this process may run on (sched_getaffinity); 0 if unknown.
unsigned usable_cpus();

}  // namespace titan::bench
