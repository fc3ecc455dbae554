// The supervision engine: every running tree (topologies, C++ specs, pools
// started with ProcessManager::pool), the index from host ids to the
// children they serve, and the queue of events between nodes. It lives on
// the manager's loop thread and acts on processes only through host_runner.
#pragma once

#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "child_runtime.hpp"
#include "host_runner.hpp"

namespace spdlog {
class logger;
}

namespace titan {
struct supervision_row;
}

namespace titan::detail {

class supervisor_node;

class supervision {
 public:
  using clock = std::chrono::steady_clock;
  using start_callback = std::function<void(std::optional<std::string> error)>;
  // A top-level tree ended on its own: it gave up (escalated) or shut
  // down because of its significant children.
  using exit_callback = std::function<void(const std::string& name, bool escalated, const std::string& reason)>;

  // Where the engine reads the time (READY and shutdown deadlines, backoff,
  // the restart window): the steady clock, or a test's fake one. The engine
  // never reads a clock of its own.
  using time_source = std::function<clock::time_point()>;
  static clock::time_point steady_now() { return clock::now(); }

  supervision(host_runner& runner, spdlog::logger& log, time_source now = steady_now);
  ~supervision();

  // Starts a tree (kind supervisor or pool); `started` gets nothing once
  // every child is started, or the reason it could not (what had started
  // is stopped again first).
  void add_tree(child_spec top, start_callback started);
  void set_exit_callback(exit_callback cb) { on_exit_ = std::move(cb); }
  // Stops every tree, the last started first; `done` once all have ended.
  void terminate_all(bool brutal, std::function<void()> done);
  // Grows or shrinks the pool `name` (anywhere in any tree).
  void scale(const std::string& name, std::size_t size, start_callback done);
  bool has_pool(const std::string& name) const;
  bool empty() const { return tops_.empty(); }

  // Events from the manager about hosts this engine started.
  bool owns(std::uint64_t host) const { return hosts_.count(host) != 0; }
  void host_ready(std::uint64_t host);
  void host_start_failed(std::uint64_t host, const std::string& reason);
  void host_exited(std::uint64_t host, bool normal, bool by_manager, const std::string& reason);

  void tick(clock::time_point now);
  std::optional<clock::time_point> next_deadline() const;

  // The trees, depth first, for `ps`.
  std::vector<supervision_row> rows() const;

  // Hot reload (supervision_reload.cpp). The hosts that serve service or
  // pool `name` now, in slot order; throws titan::Error when there is no
  // such name, it is a supervisor, or a child is not running.
  std::vector<reload_target> reload_targets(const std::string& name) const;
  // Shown as `reloading` in `ps` meanwhile.
  void set_reloading(const std::vector<reload_target>& targets, bool on);
  // Commits one host's replacement: events about `new_host` now reach the
  // child, and the old host's no longer do. False when the child has moved
  // on (the old host died and was restarted meanwhile).
  bool replace_host(const reload_target& t, std::uint64_t new_host);
  // Later starts of `name`'s hosts (restarts, scaling) load `plugin`.
  void set_plugin(const std::string& name, const std::string& plugin);

  // For nodes.
  host_runner& runner() { return runner_; }
  clock::time_point now() const { return now_(); }
  spdlog::logger& log() { return log_; }
  std::uint64_t register_child(child_runtime& c);
  void unregister_child(const child_runtime& c);
  void index_host(std::uint64_t host, std::uint64_t uid) { hosts_[host] = uid; }
  void post_started(const child_runtime& c);
  void post_start_failed(const child_runtime& c, std::string reason);
  void post_exited(const child_runtime& c, bool normal, bool by_manager, bool escalated, std::string reason);

 private:
  struct event {
    enum class kind { started, start_failed, exited } what;
    std::uint64_t uid;
    std::uint64_t generation;
    bool normal = false;
    bool by_manager = false;
    bool escalated = false;
    std::string reason{};
  };
  struct top_tree {
    std::unique_ptr<child_runtime> child;
    start_callback started;
  };

  void post(event e);
  void drain();
  // Runs node code with events queued, then handles them.
  template <class F>
  void guarded(F&& f);
  void dispatch(const event& e);
  void on_top_event(top_tree& t, const event& e);
  supervisor_node* find_pool(const std::string& name) const;
  child_runtime* find_named(const std::string& name) const;
  void terminate_next(bool brutal, std::function<void()> done);

  host_runner& runner_;
  spdlog::logger& log_;
  time_source now_;
  std::uint64_t next_uid_ = 1;
  std::map<std::uint64_t, child_runtime*> children_;  // by uid
  std::map<std::uint64_t, std::uint64_t> hosts_;      // host id -> uid
  std::vector<top_tree> tops_;
  std::deque<event> events_;
  bool draining_ = false;
  exit_callback on_exit_;
  std::function<void()> terminated_;  // terminate_all in progress
  bool terminate_brutal_ = false;
};

}  // namespace titan::detail
