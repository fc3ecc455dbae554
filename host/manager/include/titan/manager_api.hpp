// titan.manager: the manager's own service, served on its control endpoint
// by `titan daemon` (ProcessManager::serve_api). The titan CLI is a typed
// client of it: titan::connect<titan::manager_api>(control_endpoint).
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "titan/titan.hpp"
#include "titan/workflow_msgpack.hpp"
#include "titan/workflow_spec.hpp"

namespace titan {

class ProcessManager;
struct process_info;

struct process_record {
  std::uint64_t id = 0;
  std::string group;
  std::string name;
  std::string service;
  std::string version;
  std::string plugin;
  std::string endpoint;
  std::int64_t pid = 0;
  std::string state;
  std::int64_t started_ms = 0;  // Unix time
  std::uint64_t restarts = 0;
  bool adopted = false;
  double cpu_percent = 0;
  std::uint64_t rss_bytes = 0;
  std::string exit_reason;
  std::string log_file;       // where its stdout, stderr and log go; "" = not captured
  std::uint64_t calls = 0;    // calls served, as of its last heartbeat
  std::string supervisor;     // the supervisor it is a child of; "" = none
  std::string build_id;       // GNU build id of its plugin (hex)
  MSGPACK_DEFINE_MAP(id, group, name, service, version, plugin, endpoint, pid, state, started_ms, restarts, adopted,
                     cpu_percent, rss_bytes, exit_reason, log_file, calls, supervisor, build_id);
};

process_record to_record(const process_info& info);

// One line of a supervision tree (see titan::supervision_row).
struct tree_record {
  std::string name;
  std::string kind;
  std::uint64_t depth = 0;
  std::string parent;
  std::string state;
  std::uint64_t restarts = 0;
  std::string reason;
  std::string restart_type;
  std::string detail;
  std::uint64_t host = 0;
  MSGPACK_DEFINE_MAP(name, kind, depth, parent, state, restarts, reason, restart_type, detail, host);
};

// What a hot reload did (see titan::reload_report).
struct reload_record {
  std::string name;
  std::string version;
  std::string build_id;
  std::string previous_version;
  std::string previous_build_id;
  std::vector<std::uint64_t> replaced;
  std::vector<std::uint64_t> hosts;
  std::uint64_t state_bytes = 0;
  std::uint64_t took_ms = 0;
  std::uint64_t switched_ms = 0;
  MSGPACK_DEFINE_MAP(name, version, build_id, previous_version, previous_build_id, replaced, hosts, state_bytes,
                     took_ms, switched_ms);
};

// A workflow spec as titan.manager sends it (see titan::workflow_spec):
// durations in milliseconds, 0 = unset; `has_compensate` says whether the
// compensate_* fields mean anything.
struct workflow_stage_record {
  std::string name;
  std::string call;
  workflow_value args;
  std::vector<std::string> depends_on;
  workflow_value for_each;
  std::uint64_t timeout_ms = 0;
  std::uint64_t retries = 0;
  std::uint64_t backoff_base_ms = 0;
  double backoff_factor = 1;
  std::uint64_t backoff_max_ms = 0;
  bool has_compensate = false;
  std::string compensate_call;
  workflow_value compensate_args;
  MSGPACK_DEFINE_MAP(name, call, args, depends_on, for_each, timeout_ms, retries, backoff_base_ms, backoff_factor,
                     backoff_max_ms, has_compensate, compensate_call, compensate_args);
};

struct workflow_record {
  std::string name;
  std::vector<workflow_stage_record> stages;
  workflow_value output;
  MSGPACK_DEFINE_MAP(name, stages, output);
};

workflow_record to_record(const workflow_spec& spec);
// The spec again (not checked: workflow_runner's constructor checks it).
workflow_spec from_record(const workflow_record& record);

class manager_api {
 public:
  manager_api(ProcessManager& pm, std::function<void()> on_shutdown) : pm_(pm), on_shutdown_(std::move(on_shutdown)) {}

  std::vector<process_record> ps();
  // The supervision trees, depth first.
  std::vector<tree_record> tree();
  // One host; `name` empty: the service name.
  process_record spawn(std::string plugin, std::string name);
  // A pool of `size` hosts (0: one per core); strategy: round-robin,
  // least-loaded, random or consistent-hash (the callers' default).
  std::vector<process_record> pool(std::string plugin, std::string name, std::uint64_t size, std::string strategy);
  bool kill(std::uint64_t id, std::int64_t signal);
  bool stop(std::uint64_t id, std::uint64_t timeout_ms);
  std::vector<process_record> scale(std::string name, std::uint64_t size);
  // Hot reload of a service or pool; `plugin` empty: its own file again;
  // `probation_ms` 0: the default (1000).
  reload_record reload(std::string name, std::string plugin, std::uint64_t probation_ms);
  // Endpoints of the live members of `name`.
  std::vector<std::string> resolve(std::string name);
  // Stops every host, then the daemon.
  void shutdown();
  // The registered workflows' names (a topology's [workflows], add_workflow()).
  std::vector<std::string> workflows();
  // One workflow's spec, which `titan run` runs; NOT_FOUND naming the known ones.
  workflow_record workflow(std::string name);

 private:
  ProcessManager& pm_;
  std::function<void()> on_shutdown_;
};

}  // namespace titan

TITAN_SERVICE(titan::manager_api, "titan.manager", (ps, titan::idempotent), (tree, titan::idempotent), spawn, pool, kill, stop, scale,
              reload, (resolve, titan::idempotent), shutdown, (workflows, titan::idempotent),
              (workflow, titan::idempotent))
