// What a supervision tree is, as plain values: built in C++ or parsed from a
// TOML topology (titan/topology.hpp), checked by validate(), then run by
// ProcessManager::supervise(). The semantics are Erlang/OTP's supervisor:
// strategies, restart types, intensity/period, significant children with
// auto_shutdown, ordered start and reverse stop; plus PM2-style backoff.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "titan/client_options.hpp"

namespace titan {

enum class supervisor_strategy { one_for_one, one_for_all, rest_for_one };
enum class restart_type { permanent, transient, temporary };
enum class auto_shutdown_policy { never, any_significant, all_significant };
enum class child_kind { service, pool, supervisor };

std::string_view to_string(supervisor_strategy s);
std::string_view to_string(restart_type r);
std::string_view to_string(auto_shutdown_policy a);
std::string_view to_string(child_kind k);
std::optional<supervisor_strategy> supervisor_strategy_from_string(std::string_view s);
std::optional<restart_type> restart_type_from_string(std::string_view s);
std::optional<auto_shutdown_policy> auto_shutdown_from_string(std::string_view s);
std::optional<child_kind> child_kind_from_string(std::string_view s);

// How a child is stopped: SIGTERM (the host drains its calls), then SIGKILL
// once `timeout` has passed; or SIGKILL at once (OTP's brutal_kill).
struct shutdown_spec {
  bool brutal_kill = false;
  std::chrono::milliseconds timeout{5000};
};

// Delay before a restart: none for the first, then `base`, growing by
// `factor` up to `max`. A child that stayed up `reset_after` starts over.
// Backoff spreads a failing child's restarts over time, so it reaches its
// supervisor's intensity later than under OTP, or not at all; none()
// (TOML `backoff = "none"`) restarts at once, as OTP does.
struct backoff_spec {
  std::chrono::milliseconds base{100};
  double factor = 1.5;
  std::chrono::milliseconds max{5000};
  std::chrono::milliseconds reset_after{10000};

  static backoff_spec none() { return {std::chrono::milliseconds(0), 1.0, std::chrono::milliseconds(0)}; }
  bool is_none() const { return max.count() == 0; }
};

// One titan-host: what it runs and how.
struct host_spec {
  std::string plugin{};          // path of the .so
  std::string config_file{};     // TOML file handed to the service (titan-host --config)
  std::string config{};          // or the table itself, as TOML text (written to the runtime dir)
  unsigned concurrency = 1;
  std::string transport = "ipc";  // "ipc" or "tcp"
  std::uint64_t max_memory = 0;   // bytes of RSS; 0 = no limit
  std::string log_level = "info";
  std::chrono::milliseconds ready_timeout{10000};
  std::chrono::milliseconds call_timeout{30000};  // default deadline of proxies to it
  // Reload it (ProcessManager::reload with the default options) each time
  // `plugin` is rebuilt, once the file has been quiet for
  // ProcessManager::options::watch_settle. A failed reload is logged and the
  // old version keeps serving; the next rebuild tries again.
  bool watch = false;
};

struct supervisor_flags {
  supervisor_strategy strategy = supervisor_strategy::one_for_one;
  unsigned intensity = 1;                    // at most this many restarts ...
  std::chrono::milliseconds period{5000};    // ... in any window this long
  auto_shutdown_policy auto_shutdown = auto_shutdown_policy::never;
};

struct child_spec;

// A supervisor and its children, in start order.
struct supervisor_spec {
  std::string name{};
  supervisor_flags flags{};
  std::vector<child_spec> children{};
};

struct child_spec {
  std::string name{};  // unique in the whole tree; services and pools are discovered by it
  child_kind kind = child_kind::service;
  restart_type restart = restart_type::permanent;
  shutdown_spec shutdown{};
  bool significant = false;  // its end may end its supervisor (see auto_shutdown)
  backoff_spec backoff{};
  host_spec host{};          // service and pool
  // pool: `size` members (0 = one per core) behind one name, spread by
  // `strategy`. A pool supervises its members one_for_one with `pool_flags`.
  std::size_t size = 0;
  balance strategy = balance::round_robin;
  supervisor_flags pool_flags{};
  std::optional<supervisor_spec> supervisor{};  // kind == supervisor
};

// Builders for C++ topologies.
child_spec service_child(std::string name, std::string plugin, host_spec host = {});
child_spec pool_child(std::string name, std::string plugin, std::size_t size, balance strategy = balance::round_robin,
                      host_spec host = {});
child_spec supervisor_child(supervisor_spec spec);

// One problem in a spec: where (a key path such as
// "root.children[2].shutdown") and what.
struct spec_error {
  std::string path;
  std::string message;
};

// Checks a tree before anything runs: names (unique, [A-Za-z0-9_.-]),
// values (intensity, period, timeouts, sizes, transport, concurrency),
// significant children (not permanent, as OTP requires), and an empty
// supervisor. Returns every problem found, in tree order.
std::vector<spec_error> validate(const supervisor_spec& spec);

}  // namespace titan
