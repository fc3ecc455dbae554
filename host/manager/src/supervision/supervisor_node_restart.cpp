// supervisor_node: what happens when a child ends or fails to start, by
// its restart type and the supervisor's strategy, intensity and
// auto_shutdown (the rest of the node is supervisor_node.cpp).
#include <spdlog/spdlog.h>

#include "supervision.hpp"
#include "supervisor_node.hpp"

namespace titan::detail {
namespace {

std::string duration_text(std::chrono::milliseconds ms) {
  if (ms.count() % 1000 == 0) return std::to_string(ms.count() / 1000) + " s";
  return std::to_string(ms.count()) + " ms";
}

}  // namespace

void supervisor_node::child_start_failed(child_runtime& c, const std::string& reason) {
  if (c.status == child_status::stopping || c.retired || frozen_) {
    // Stopped (or scaled away) before it was READY: not a failure.
    const bool was_stop_step = front_is(step::kind::stop, c.uid);
    c.status = child_status::stopped;
    c.host = 0;
    c.deadline.reset();
    c.node.reset();
    if (was_stop_step) steps_.pop_front();
    advance();
    return;
  }
  c.status = child_status::errored;
  c.reason = reason;
  c.host = 0;
  c.deadline.reset();
  c.node.reset();
  engine_.log().warn("'{}': child '{}' failed to start: {}", name(), c.spec.name, reason);
  if (phase_ == phase::starting) {
    // OTP: a supervisor whose child fails to start stops what it started
    // and fails to start itself.
    stop_all_then([this, why = "failed to start child '" + c.spec.name + "': " + reason] {
      phase_ = phase::done;
      engine_.post_start_failed(self_, why);
    });
    return;
  }
  if (phase_ != phase::running) {
    c.status = child_status::stopped;
    advance();
    return;
  }
  for (auto it = steps_.begin(); it != steps_.end(); ++it) {
    if (it->what != step::kind::await || it->uid != c.uid || !it->fail_fast) continue;
    c.retired = true;  // a new pool member: the scale reports the failure
    if (!op_error_) op_error_ = reason;
    steps_.erase(it);
    advance();
    return;
  }
  if (!count_restart("'" + c.spec.name + "' failed to start: " + reason)) return;
  ++c.failures;
  const auto at = engine_.now() + backoff_delay(c.spec.backoff, c.failures);
  if (front_is(step::kind::await, c.uid)) {
    // Part of a one_for_all or rest_for_one restart (a running supervisor
    // has no other awaits, and runs one group restart at a time). OTP
    // (try_again_restart) runs that restart again from the child that
    // failed: one_for_all stops the children it had started again, and
    // rest_for_one restarts the failed child and those after it.
    steps_.clear();
    restart_group(c, at);
    advance();
  } else {
    c.restart_at = at;
  }
}

void supervisor_node::child_exited(child_runtime& c, bool normal, bool by_manager, const std::string& reason) {
  const bool was_stop_step = front_is(step::kind::stop, c.uid);
  const bool expected = c.status == child_status::stopping;
  c.host = 0;
  c.deadline.reset();
  c.node.reset();
  c.reason = reason;
  c.status = child_status::stopped;
  if (was_stop_step || expected || phase_ == phase::terminating || phase_ == phase::done) {
    if (was_stop_step) steps_.pop_front();
    advance();
    return;
  }
  if (by_manager) {
    // Stopped by hand (titan stop, ProcessManager::stop): OTP's
    // terminate_child. It stays stopped; a pool member's slot is retired.
    if (c.member) c.retired = true;
    advance();  // a step may be waiting on it (a scale's await)
    return;
  }
  engine_.log().warn("'{}': child '{}' {}", name(), c.spec.name, reason);
  if (!steps_.empty() || phase_ != phase::running) {
    deferred_.push_back({c.uid, c.generation, normal, reason});
    return;
  }
  handle_exit(c, normal, reason);
  advance();
}

void supervisor_node::handle_exit(child_runtime& c, bool normal, const std::string& reason) {
  const bool restart = c.spec.restart == restart_type::permanent ||
                       (c.spec.restart == restart_type::transient && !normal);
  if (frozen_) return;  // the manager is shutting down: nothing restarts
  if (!restart || c.retired) {
    if (c.spec.significant) check_auto_shutdown(c);
    return;
  }
  if (!count_restart("'" + c.spec.name + "' " + reason)) return;
  const auto now = engine_.now();
  if (c.up_since != clock::time_point{} && now - c.up_since >= c.spec.backoff.reset_after) c.failures = 0;
  ++c.failures;
  ++c.restarts;
  const auto at = now + backoff_delay(c.spec.backoff, c.failures);
  c.status = child_status::restarting;
  if (flags_.strategy == supervisor_strategy::one_for_one) {
    c.restart_at = at;
    return;
  }
  restart_group(c, at);
}

// Queues a one_for_all or rest_for_one restart because of `c`: stop the
// others of its group in reverse order, wait until `at` (c's backoff), then
// start the group in order.
void supervisor_node::restart_group(child_runtime& c, clock::time_point at) {
  // one_for_all: every other child; rest_for_one: those started after it.
  std::size_t first = 0;
  if (flags_.strategy != supervisor_strategy::one_for_all)
    while (first < children_.size() && children_[first].get() != &c) ++first;
  std::vector<child_runtime*> set;
  for (std::size_t i = first; i < children_.size(); ++i)
    if (flags_.strategy != supervisor_strategy::one_for_one || children_[i].get() == &c)
      set.push_back(children_[i].get());
  for (auto it = set.rbegin(); it != set.rend(); ++it)
    if (*it != &c) steps_.push_back({step::kind::stop, (*it)->uid});
  steps_.push_back({step::kind::wait_until, 0, at});
  for (child_runtime* s : set) {
    // A temporary child is never restarted, not even as a bystander.
    if (s != &c && (s->spec.restart == restart_type::temporary || s->retired)) continue;
    if (s != &c) ++s->restarts;
    steps_.push_back({step::kind::launch, s->uid});
    steps_.push_back({step::kind::await, s->uid});
  }
}

bool supervisor_node::count_restart(const std::string& reason) {
  if (window_.add(engine_.now())) return true;
  const std::string why = "reached its restart intensity (more than " + std::to_string(window_.intensity()) +
                          " restart(s) in " + duration_text(window_.period()) + "); last: " + reason;
  engine_.log().error("'{}' {}; stopping its children", name(), why);
  stop_all_then([this, why] { end(true, true, why); });
  return false;
}

void supervisor_node::check_auto_shutdown(const child_runtime& ended) {
  if (flags_.auto_shutdown == auto_shutdown_policy::never || phase_ != phase::running) return;
  if (flags_.auto_shutdown == auto_shutdown_policy::all_significant)
    for (auto& c : children_)
      if (c->spec.significant && c->status != child_status::stopped) return;
  const std::string why = "significant child '" + ended.spec.name + "' ended (auto_shutdown " +
                          std::string(to_string(flags_.auto_shutdown)) + ")";
  engine_.log().info("'{}': {}; shutting down", name(), why);
  stop_all_then([this, why] { end(true, false, why); });
}

}  // namespace titan::detail
