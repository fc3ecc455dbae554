// What the supervision engine needs from the manager to act on processes.
// Everything runs on the manager's loop thread; the outcome of each action
// comes back as an event (supervision::host_ready, host_start_failed,
// host_exited).
#pragma once

#include <cstdint>
#include <string>

#include "titan/supervisor_spec.hpp"

namespace titan::detail {

struct host_request {
  const host_spec& host;
  std::string name;        // instance name (pool member: POOL-i)
  std::string group;       // discovered under this name
  int slot = -1;           // pool slot; -1 when not in a pool
  std::string supervisor;  // its supervisor, for `ps`
  unsigned restarts = 0;
};

// One host a reload replaces: the child it serves, and what started it.
struct reload_target {
  std::uint64_t uid = 0;  // the child (engine-wide)
  std::uint64_t host = 0;  // serving it now
  titan::host_spec host_spec{};
  std::string name;
  std::string group;
  int slot = -1;
  std::string supervisor;
  unsigned restarts = 0;
};

class host_runner {
 public:
  virtual ~host_runner() = default;
  // Spawns a host and returns its id. Throws titan::Error when it cannot
  // even be spawned; a later failure comes back as host_start_failed.
  virtual std::uint64_t start_host(const host_request& request) = 0;
  // A stop by the manager: out of its membership, then SIGTERM (it drains)
  // or, with `brutal`, SIGKILL.
  virtual void stop_host(std::uint64_t id, bool brutal) = 0;
  // SIGKILL to its process group: its shutdown timeout has passed.
  virtual void kill_host(std::uint64_t id) = 0;
  // Gives up on a host that did not report READY in time: kills it and
  // reports host_start_failed with `reason`.
  virtual void abandon_start(std::uint64_t id, const std::string& reason) = 0;
};

}  // namespace titan::detail
