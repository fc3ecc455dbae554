// A running supervisor (or pool) and its children, following OTP's
// supervisor: children start in order (a pool's members at once), stop in
// reverse; an exit is handled by restart type and strategy; more than
// `intensity` restarts in `period` make it stop every child and end, which
// its parent sees as an exit of this child (escalation).
//
// Work that must happen in sequence (start children one by one, stop the
// bystanders of a one_for_all restart, then start them again) is a queue of
// steps; the node advances through it as events arrive. A one_for_one
// restart needs no sequence: the child's own backoff timer starts it.
//
// supervisor_node.cpp: starting, stopping, scaling and the step queue;
// supervisor_node_restart.cpp: what an exit or a failed start leads to.
#pragma once

#include <chrono>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "child_runtime.hpp"
#include "restart_window.hpp"

namespace titan::detail {

class supervision;

class supervisor_node {
 public:
  using clock = std::chrono::steady_clock;
  enum class phase { starting, running, terminating, done };

  // `self` is the child this node runs as (kind supervisor or pool).
  supervisor_node(supervision& engine, child_runtime& self);
  ~supervisor_node();

  void start();
  // Stops every child in reverse order, then ends (reported as a normal exit).
  void terminate(bool brutal);
  // Pools: grows or shrinks to `size` live members; `done` gets the first
  // start failure of a new member (those members are retired), or nothing.
  void scale(std::size_t size, std::function<void(std::optional<std::string>)> done);
  // No more restarts here or below (the manager is shutting down).
  void freeze();

  // Events about one of this node's children.
  void child_started(child_runtime& c);
  void child_start_failed(child_runtime& c, const std::string& reason);
  void child_exited(child_runtime& c, bool normal, bool by_manager, const std::string& reason);

  void tick(clock::time_point now);
  std::optional<clock::time_point> next_deadline() const;

  const std::string& name() const;
  bool is_pool() const { return pool_; }
  phase current_phase() const { return phase_; }
  const supervisor_flags& flags() const { return flags_; }
  const std::vector<std::unique_ptr<child_runtime>>& children() const { return children_; }

 private:
  struct step {
    enum class kind { launch, await, stop, wait_until, call } what;
    std::uint64_t uid = 0;
    clock::time_point at{};
    bool fail_fast = false;  // await: a failed start retires the member instead of retrying
    std::function<void()> fn{};
  };
  struct deferred_exit {
    std::uint64_t uid;
    std::uint64_t generation;
    bool normal;
    std::string reason;
  };

  child_runtime& add_child(child_spec spec, int slot);
  child_spec member_spec(int slot) const;
  void advance();
  void start_child(child_runtime& c);
  void stop_child(child_runtime& c);
  void handle_exit(child_runtime& c, bool normal, const std::string& reason);
  void restart_group(child_runtime& c, clock::time_point at);
  bool count_restart(const std::string& reason);
  void stop_all_then(std::function<void()> then);
  void end(bool normal, bool escalated, std::string reason);
  void check_auto_shutdown(const child_runtime& ended);
  bool front_is(step::kind k, std::uint64_t uid) const;
  void fail_scales();
  child_runtime* find(std::uint64_t uid);

  supervision& engine_;
  child_runtime& self_;
  bool pool_;
  supervisor_flags flags_;
  restart_window window_;
  phase phase_ = phase::starting;
  bool brutal_ = false;
  std::vector<std::unique_ptr<child_runtime>> children_;
  std::deque<step> steps_;
  std::deque<deferred_exit> deferred_;
  std::optional<std::string> op_error_;  // first failure of a fail_fast start
  bool frozen_ = false;
  std::map<std::uint64_t, std::function<void(std::optional<std::string>)>> scale_waiters_;
  std::uint64_t next_waiter_ = 1;
};

}  // namespace titan::detail
