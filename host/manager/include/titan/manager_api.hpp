// titan.manager: the manager's own service, served on its control endpoint
// by `titan daemon` (ProcessManager::serve_api). The titan CLI is a typed
// client of it: titan::connect<titan::manager_api>(control_endpoint). Its
// records are the public structs themselves, packed as
// titan/manager_msgpack.hpp describes them.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "titan/manager_msgpack.hpp"
#include "titan/process_manager.hpp"
#include "titan/titan.hpp"

namespace titan {

class manager_api {
 public:
  manager_api(ProcessManager& pm, std::function<void()> on_shutdown) : pm_(pm), on_shutdown_(std::move(on_shutdown)) {}

  std::vector<process_info> ps();
  // The supervision trees, depth first.
  std::vector<supervision_row> tree();
  // One host; `name` empty: the service name.
  process_info spawn(std::string plugin, std::string name);
  // A pool of `size` hosts (0: one per core); strategy: round-robin,
  // least-loaded, random or consistent-hash (the callers' default).
  std::vector<process_info> pool(std::string plugin, std::string name, std::uint64_t size, std::string strategy);
  bool kill(std::uint64_t id, std::int64_t signal);
  bool stop(std::uint64_t id, std::uint64_t timeout_ms);
  std::vector<process_info> scale(std::string name, std::uint64_t size);
  // Hot reload of a service or pool; `plugin` empty: its own file again;
  // `probation_ms` 0: the default (1000).
  reload_report reload(std::string name, std::string plugin, std::uint64_t probation_ms);
  // Endpoints of the live members of `name`.
  std::vector<std::string> resolve(std::string name);
  // Stops every host, then the daemon.
  void shutdown();
  // The registered workflows' names (a topology's [workflows], add_workflow()).
  std::vector<std::string> workflows();
  // One workflow's spec, which `titan run` runs; NOT_FOUND naming the known ones.
  workflow_spec workflow(std::string name);

 private:
  ProcessManager& pm_;
  std::function<void()> on_shutdown_;
};

}  // namespace titan

TITAN_SERVICE(titan::manager_api, "titan.manager", (ps, titan::idempotent), (tree, titan::idempotent), spawn, pool, kill, stop, scale,
              reload, (resolve, titan::idempotent), shutdown, (workflows, titan::idempotent),
              (workflow, titan::idempotent))
