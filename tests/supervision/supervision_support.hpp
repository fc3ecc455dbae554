// Helpers for the supervision tests (OTP's supervisor_SUITE ported to
// titan-host processes): a manager running the host under test with a tree
// exit recorder, children of the lifecycle plugin, the journal of starts and
// stops, and polling with a deadline (never a fixed sleep) for what the
// engine does next.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <functional>
#include <iosfwd>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include <titan/process_manager.hpp>
#include <titan/supervisor_spec.hpp>

#include "lifecycle.hpp"
#include "temp_dir.hpp"

namespace titan::test::supervision {

using namespace std::chrono_literals;
using clock = std::chrono::steady_clock;

// Generous bound for anything the tests wait for (a start, a restart, an
// escalation); only reached when the behaviour is broken.
constexpr auto patience = 20s;

// Polls `done` every few milliseconds until it returns true (true) or
// `timeout` passes (false).
bool poll_until(const std::function<bool()>& done, std::chrono::milliseconds timeout = patience);

// A ProcessManager running the titan-host under test. Its log (and the
// hosts') is off unless TITAN_TEST_VERBOSE is set in the environment.
titan::ProcessManager::options manager_options();

// What ProcessManager::on_tree_exit reported.
struct tree_exit {
  std::string name;
  bool escalated = false;
  std::string reason;
};

// One line of the journal: "start NAME PID", "stop NAME PID", "block NAME PID".
struct journal_line {
  std::string what;
  std::string name;
  pid_t pid = 0;
  bool operator==(const journal_line&) const = default;
};
std::ostream& operator<<(std::ostream& os, const journal_line& l);

// A test's world: a private directory (journal, fail files) and a manager
// whose tree exits are recorded. The manager goes first (it stops every
// host, which still journal into the directory).
class world {
 public:
  explicit world(titan::ProcessManager::options opts = manager_options());
  ~world();
  world(const world&) = delete;
  world& operator=(const world&) = delete;

  titan::ProcessManager& pm() { return *pm_; }
  const titan::test::temp_dir& dir() const { return dir_; }

  // The config table of a lifecycle child: the journal, plus
  // fail_start_if_exists = `fail_file` when not empty.
  std::string config(const std::string& fail_file = "") const;
  // A lifecycle child journaling here, with quick backoff (base 10 ms).
  titan::child_spec child(const std::string& name, titan::restart_type restart = titan::restart_type::permanent,
                          const std::string& fail_file = "") const;

  std::vector<journal_line> journal() const;
  // The journal lines after the first `from` ones.
  std::vector<journal_line> journal_since(std::size_t from) const;

  std::vector<tree_exit> tree_exits() const;
  // Polls until a tree exit was reported; the first one.
  std::optional<tree_exit> wait_tree_exit(std::chrono::milliseconds timeout = patience) const;

 private:
  titan::test::temp_dir dir_;
  std::string journal_path_;
  mutable std::mutex mu_;
  std::vector<tree_exit> exits_;
  std::unique_ptr<titan::ProcessManager> pm_;
};

// A supervisor spec: name, strategy, intensity in period, children.
titan::supervisor_spec supervisor(const std::string& name, titan::supervisor_strategy strategy, unsigned intensity,
                                  std::chrono::milliseconds period, std::vector<titan::child_spec> children);

// The tree row named `name`, if the tree shows it.
std::optional<titan::supervision_row> row_of(const titan::ProcessManager& pm, const std::string& name);

// Polls until child `name` is running (its row says so and its host is a
// running process) on a host other than `not_host`; that host's info.
std::optional<titan::process_info> wait_running(const titan::ProcessManager& pm, const std::string& name,
                                                std::uint64_t not_host = 0,
                                                std::chrono::milliseconds timeout = patience);

// Polls until row `name` has state `state`; the row then.
std::optional<titan::supervision_row> wait_state(const titan::ProcessManager& pm, const std::string& name,
                                                 const std::string& state,
                                                 std::chrono::milliseconds timeout = patience);

// Polls until the tree shows no row named `name`.
bool wait_no_row(const titan::ProcessManager& pm, const std::string& name,
                 std::chrono::milliseconds timeout = patience);

// Polls until host `id` has exited (as the manager sees it); its info then.
std::optional<titan::process_info> wait_exited(const titan::ProcessManager& pm, std::uint64_t id,
                                               std::chrono::milliseconds timeout = patience);

// True when no titan-host child of this process has pid `pid` (dead and
// reaped: the manager reaps its children, so a zombie would be a bug).
bool pid_gone(pid_t pid);
// Polls pid_gone.
bool wait_gone(pid_t pid, std::chrono::milliseconds timeout = patience);

// Every host of `pm` still alive: its list() says so, or its pid is still a
// titan-host child of this process.
std::vector<titan::process_info> live_hosts(const titan::ProcessManager& pm);

// Calls exit_now(code) on host `info` (straight to its endpoint); the call
// fails as the host goes away, which is the point.
void exit_host(const titan::process_info& info, int code);

// A direct proxy to host `info`.
titan::Proxy<LifecycleService> proxy_to(const titan::process_info& info,
                                        std::chrono::milliseconds timeout = std::chrono::milliseconds(10000));

// Pids of the running children named `names`, in that order (0 for one
// that is not running).
std::vector<pid_t> pids_of(const titan::ProcessManager& pm, const std::vector<std::string>& names);

// True when `part` occurs in `text` (for reasons and messages).
bool contains(const std::string& text, const std::string& part);

// The journal lines whose `what` is `what`, as "NAME" strings in order.
std::vector<std::string> names_of(const std::vector<journal_line>& lines, const std::string& what);

}  // namespace titan::test::supervision
