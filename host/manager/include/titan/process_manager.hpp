// titan::ProcessManager: spawns titan-host processes and hands back typed
// proxies to them. The manager is never a hop on a call: a proxy talks to
// its host directly.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <functional>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "titan/client.hpp"
#include "titan/proxy.hpp"
#include "titan/service.hpp"
#include "titan/supervisor_spec.hpp"

namespace spdlog {
class logger;
}

namespace titan {

struct spawn_options {
  std::string name{};         // instance name; default: the service name
  std::string config_file{};  // TOML table handed to the service (titan-host --config)
  unsigned concurrency = 1;
  std::string transport = "ipc";  // "ipc" (a socket in the runtime dir) or "tcp" (127.0.0.1, any port)
  std::chrono::milliseconds ready_timeout{10000};
  std::string log_level = "info";
  client_options client{};  // for the returned proxy
};

struct pool_options {
  std::string name{};              // registered name; default: the service name
  std::size_t size = 0;          // members; 0 = "auto": one per CPU core
  balance strategy = balance::round_robin;
  spawn_options host{};            // for each member (its name becomes NAME-0, NAME-1, ...)
};

struct shutdown_options {
  std::chrono::milliseconds timeout{5000};  // per host: drain + SIGTERM, then SIGKILL
  bool force = false;                        // SIGKILL at once
};

enum class process_state { starting, running, stopping, exited };
std::string_view to_string(process_state s);

struct process_info {
  std::uint64_t id = 0;
  std::string group{};  // the name it is registered (and discovered) under
  std::string name{};
  std::string service{};
  std::string version{};
  std::string build_id{};  // GNU build id of its plugin (hex); tells two builds of one version apart
  std::string plugin{};
  std::string endpoint{};
  pid_t pid = 0;
  process_state state = process_state::starting;
  std::chrono::system_clock::time_point started;
  std::string exit_reason{};  // "exited with code 1", "killed by SIGKILL", ...
  unsigned restarts = 0;    // of its pool slot
  bool adopted = false;     // started by hand with titan-host --manager, not by this manager
  double cpu_percent = 0;   // since the previous list()/get()
  std::uint64_t rss_bytes = 0;
  std::string log_file{};    // its stdout, stderr and log; "" = not captured (see options::log_dir)
  std::uint64_t calls = 0;   // calls served, as of its last heartbeat
  std::string supervisor{};  // the supervisor it is a child of; "" = none
};

// One line of a running supervision tree, for `ps` (depth first).
struct supervision_row {
  std::string name{};
  std::string kind{};     // "supervisor", "pool", "service" or "member" (of a pool)
  unsigned depth = 0;     // 0 = a top-level tree
  std::string parent{};
  std::string state{};    // stopped, starting, running, stopping, restarting, errored (retired: a pool slot scaled away)
  unsigned restarts = 0;
  std::string reason{};   // why it last ended or failed to start
  std::string restart_type{};
  std::string detail{};   // supervisors: strategy and intensity; pools: slots and strategy
  std::uint64_t host = 0; // services and members: the host serving it now (0 = none)
};

// A hot reload (ProcessManager::reload, titan reload).
struct reload_options {
  // The new plugin file; default: the file the hosts were started from
  // (rebuilt in place). Later restarts of the service load this file.
  std::string plugin{};
  // Every new host must stay up this long after it takes over before the
  // old hosts are stopped; a crash meanwhile brings the old ones back.
  std::chrono::milliseconds probation{1000};
  // For an old host to finish the calls it has and hand its state over.
  std::chrono::milliseconds handover_timeout{10000};
};

struct reload_report {
  std::string name{};
  std::string version{};   // the new version, as its plugin says
  std::string build_id{};
  std::string previous_version{};
  std::string previous_build_id{};
  std::vector<std::uint64_t> replaced{};  // old host ids
  std::vector<std::uint64_t> hosts{};     // the hosts serving now
  std::size_t state_bytes = 0;            // state handed over, summed over hosts
  std::chrono::milliseconds took{0};      // from the call until the last old host exited
  std::chrono::milliseconds switched{0};  // until every new host took calls (before probation)
};

namespace detail {
class manager_core;
class workflow_registry;
}
struct workflow_spec;
class workflow_runner;  // titan/workflow.hpp

class ProcessManager {
 public:
  struct options {
    // titan-host to run. Default: $TITAN_HOST, else titan-host next to
    // this program, else titan-host on PATH.
    std::string host_binary;
    // Private (0700) directory for sockets; default: a fresh one under
    // $XDG_RUNTIME_DIR or /tmp, removed by shutdown().
    std::string runtime_dir;
    // Where hosts report and the titan.manager API is served; default:
    // ipc://RUNTIME_DIR/control.sock.
    std::string control_endpoint;
    std::shared_ptr<spdlog::logger> logger;  // default: warnings and errors to stderr
    // Each host's stdout, stderr and log go to LOG_DIR/NAME.log, rotated
    // past log_max_size bytes (NAME.log.1 ... NAME.log.<log_files>).
    // Empty: hosts write to the manager's own stderr.
    std::string log_dir;
    std::uint64_t log_max_size = 10u << 20;
    unsigned log_files = 5;
    // Hosts heartbeat this often; one that misses `liveness` in a row is
    // taken as hung: killed, and restarted under its policy.
    std::chrono::milliseconds heartbeat{1000};
    unsigned liveness = 3;
    // A watched plugin (host_spec::watch) counts as rebuilt once it has had
    // no change for this long: a linker's many writes make one reload.
    std::chrono::milliseconds watch_settle{300};
  };

  ProcessManager();
  explicit ProcessManager(options opts);
  ~ProcessManager();  // shutdown() with its defaults
  ProcessManager(const ProcessManager&) = delete;
  ProcessManager& operator=(const ProcessManager&) = delete;

  // Starts a host for `plugin` and returns once it has said READY. Throws
  // titan::Error with the host's own reason when it cannot start (file
  // missing, not a plugin, ABI mismatch, constructor threw, ...), or when
  // the plugin serves another service than S.
  template <class S>
  Proxy<S> spawn(const std::string& plugin, const spawn_options& opts = {}) {
    process_info info = spawn_host(plugin, opts, service_traits<S>::name);
    return Proxy<S>(Client::connect(info.endpoint, opts.client));
  }

  // Starts a pool of hosts and returns a proxy that spreads calls over them
  // (see pool_options). Members that die are replaced (restart with
  // backoff); idempotent calls in flight to them are retried elsewhere.
  template <class S>
  Proxy<S> pool(const std::string& plugin, pool_options opts = {}) {
    if (opts.name.empty()) opts.name = std::string(service_traits<S>::name);
    start_pool(plugin, opts, service_traits<S>::name);
    client_options c = opts.host.client;
    c.strategy = opts.strategy;
    return Proxy<S>(Client::discover(control_endpoint(), opts.name, c));
  }

  // A proxy to whatever is registered under `name` (a spawned host, a pool,
  // a host started by hand); it follows restarts and scaling by itself.
  template <class S>
  Proxy<S> discover(const std::string& name, const client_options& opts = {}) {
    return Proxy<S>(Client::discover(control_endpoint(), name, opts));
  }

  // Starts a supervision tree (see supervisor_spec.hpp) and returns once
  // every child is started, in order. Throws titan::Error: INVALID_ARGUMENT
  // listing every problem validate() finds, or the first child that could
  // not start (what had started is stopped again first).
  void supervise(const supervisor_spec& spec);
  // Called, on a thread of its own (it may call this manager, shutdown()
  // included), when a top-level tree ends by itself:
  // `escalated` when it gave up (restart intensity reached), otherwise it
  // shut down because of its significant children (auto_shutdown).
  void on_tree_exit(std::function<void(const std::string& name, bool escalated, const std::string& reason)> fn);
  // The running trees, depth first (pools started with pool() included).
  std::vector<supervision_row> tree() const;

  // Hot reload of service or pool `name` (started by supervise() or
  // pool()): each host is replaced by one running `opts.plugin` (or its own
  // file again, rebuilt), one at a time, with no call lost or failed. The
  // old host stops taking calls (clients re-send them to the new one),
  // finishes those it has, and hands its state over (titan/state.hpp).
  // If a new host cannot start, fails its health check, refuses the state
  // or dies within the probation, every old host serves again and this
  // throws titan::Error(FAILED_PRECONDITION) saying why.
  reload_report reload(const std::string& name, const reload_options& opts = {});

  // The untyped pool: returns its members once all are READY.
  std::vector<process_info> start_pool(const std::string& plugin, const pool_options& opts,
                                       std::string_view expected_service = {});

  // Grows or shrinks pool `name` to `size` members. Growing returns when the
  // new members are READY; shrinking drains the members it removes (no new
  // calls reach them, calls in flight finish) before they stop.
  std::vector<process_info> scale(const std::string& name, std::size_t size);

  // The untyped form: starts a host and returns its description.
  // `expected_service`, when not empty, must match the plugin's service.
  process_info spawn_host(const std::string& plugin, const spawn_options& opts = {},
                          std::string_view expected_service = {});

  std::vector<process_info> list() const;
  // Live members registered under `name`: the hosts its clients call (a
  // reload's new host once it took over, not before).
  std::vector<process_info> members(const std::string& name) const;
  std::optional<process_info> get(std::uint64_t id) const;

  // Sends `signal` to host `id`. False when there is no such live host.
  bool kill(std::uint64_t id, int signal);

  // Stops host `id`: SIGTERM (it drains: in-flight calls finish), then
  // SIGKILL after `timeout`. Returns once it has exited. A pool member
  // stopped this way is not replaced: the pool shrinks by one.
  bool stop(std::uint64_t id, std::chrono::milliseconds timeout = std::chrono::milliseconds(5000));

  // Stops every host in reverse start order and waits for each; leaves no
  // process behind. Idempotent.
  void shutdown(const shutdown_options& opts = {});

  // Workflows (include <titan/workflow.hpp>; README "Workflows").
  // Registers `spec` under its name (replacing one of the same name) once
  // check() passes with the services and pools this manager knows (its
  // trees' and every registered name) as the known services: start them
  // first. Throws titan::invalid_workflow (INVALID_ARGUMENT) naming each problem.
  void add_workflow(const workflow_spec& spec);
  // A runner of workflow `name`: pm.workflow("pipeline").run(input). Throws
  // titan::Error(NOT_FOUND) listing the known workflows when there is none.
  workflow_runner workflow(const std::string& name) const;
  std::vector<std::string> workflows() const;  // their names, sorted

  // Serves titan.manager (see manager_api.hpp) on the control endpoint, so
  // that the titan CLI and other programs can drive this manager.
  // `on_shutdown` runs (on a manager thread) when a client asks it to stop.
  void serve_api(std::function<void()> on_shutdown);

  // The manager's control endpoint (hosts report READY there).
  const std::string& control_endpoint() const;
  const std::string& runtime_dir() const;

 private:
  std::unique_ptr<detail::manager_core> core_;
  std::unique_ptr<detail::workflow_registry> workflows_;  // after core_: uses its control endpoint
};

}  // namespace titan
