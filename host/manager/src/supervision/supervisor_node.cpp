#include "supervisor_node.hpp"

#include <spdlog/spdlog.h>
#include <thread>

#include "supervision.hpp"
#include "titan/status.hpp"

namespace titan::detail {

supervisor_node::supervisor_node(supervision& engine, child_runtime& self)
    : engine_(engine),
      self_(self),
      pool_(self.spec.kind == child_kind::pool),
      flags_(pool_ ? self.spec.pool_flags : self.spec.supervisor->flags),
      window_(flags_.intensity, flags_.period) {
  if (pool_) flags_.strategy = supervisor_strategy::one_for_one;  // OTP's simple_one_for_one
}

supervisor_node::~supervisor_node() {
  fail_scales();
  for (auto& c : children_) engine_.unregister_child(*c);
}

const std::string& supervisor_node::name() const { return self_.spec.name; }

child_spec supervisor_node::member_spec(int slot) const {
  child_spec m;
  m.name = self_.spec.name + "-" + std::to_string(slot);
  m.kind = child_kind::service;
  m.restart = restart_type::permanent;
  m.shutdown = self_.spec.shutdown;
  m.backoff = self_.spec.backoff;
  m.host = self_.spec.host;
  return m;
}

child_runtime& supervisor_node::add_child(child_spec spec, int slot) {
  auto c = std::make_unique<child_runtime>();
  c->spec = std::move(spec);
  c->owner = this;
  c->slot = slot;
  c->member = pool_;
  c->group = pool_ ? self_.spec.name : c->spec.name;
  engine_.register_child(*c);
  children_.push_back(std::move(c));
  return *children_.back();
}

child_runtime* supervisor_node::find(std::uint64_t uid) {
  for (auto& c : children_)
    if (c->uid == uid) return c.get();
  return nullptr;
}

bool supervisor_node::front_is(step::kind k, std::uint64_t uid) const {
  return !steps_.empty() && steps_.front().what == k && steps_.front().uid == uid;
}

void supervisor_node::start() {
  phase_ = phase::starting;
  if (pool_) {
    const std::size_t size = self_.spec.size != 0 ? self_.spec.size : std::max(1u, std::thread::hardware_concurrency());
    for (std::size_t i = 0; i < size; ++i) add_child(member_spec(static_cast<int>(i)), static_cast<int>(i));
    // Members are alike and independent: all start at once.
    for (auto& c : children_) steps_.push_back({step::kind::launch, c->uid});
    for (auto& c : children_) steps_.push_back({step::kind::await, c->uid});
  } else {
    for (const auto& spec : self_.spec.supervisor->children) add_child(spec, -1);
    for (auto& c : children_) {
      steps_.push_back({step::kind::launch, c->uid});
      steps_.push_back({step::kind::await, c->uid});
    }
  }
  steps_.push_back({step::kind::call, 0, {}, false, [this] {
                      phase_ = phase::running;
                      engine_.post_started(self_);
                    }});
  advance();
}

void supervisor_node::terminate(bool brutal) {
  if (phase_ == phase::done) return engine_.post_exited(self_, true, true, false, "stopped");
  brutal_ = brutal_ || brutal;
  if (phase_ == phase::terminating) {
    // Already ending (gave up, auto_shutdown): a brutal stop still applies
    // to children whose stop is under way.
    for (auto& c : children_) {
      if (!brutal || c->status != child_status::stopping) continue;
      if (c->host) engine_.runner().kill_host(c->host);
      if (c->node) c->node->terminate(true);
    }
    return;
  }
  stop_all_then([this] { end(true, false, "stopped"); });
}

// Pending scale() calls end with an error once the pool stops: their steps
// are gone.
void supervisor_node::fail_scales() {
  auto waiting = std::move(scale_waiters_);
  scale_waiters_.clear();
  for (auto& [id, done] : waiting) done("pool '" + name() + "' stopped before the scale finished");
}

void supervisor_node::freeze() {
  frozen_ = true;
  for (auto& c : children_) {
    c->restart_at.reset();
    if (c->node) c->node->freeze();
  }
}

void supervisor_node::stop_all_then(std::function<void()> then) {
  phase_ = phase::terminating;
  fail_scales();
  steps_.clear();
  deferred_.clear();
  for (auto it = children_.rbegin(); it != children_.rend(); ++it) {
    (*it)->restart_at.reset();
    steps_.push_back({step::kind::stop, (*it)->uid});
  }
  steps_.push_back({step::kind::call, 0, {}, false, std::move(then)});
  advance();
}

void supervisor_node::end(bool normal, bool escalated, std::string reason) {
  phase_ = phase::done;
  engine_.post_exited(self_, normal, false, escalated, std::move(reason));
}

void supervisor_node::scale(std::size_t size, std::function<void(std::optional<std::string>)> done) {
  std::size_t live = 0;
  for (auto& c : children_) live += c->retired ? 0 : 1;
  std::vector<std::uint64_t> started;
  // Grow: retired slots first, so their keys (consistent hashing) come back.
  for (auto& c : children_) {
    if (live >= size) break;
    if (!c->retired) continue;
    c->retired = false;
    c->failures = 0;
    started.push_back(c->uid);
    ++live;
  }
  while (live < size) {
    started.push_back(add_child(member_spec(static_cast<int>(children_.size())), static_cast<int>(children_.size())).uid);
    ++live;
  }
  // Shrink from the highest slot.
  std::vector<std::uint64_t> stopping;
  for (auto it = children_.rbegin(); it != children_.rend() && live > size; ++it) {
    if ((*it)->retired) continue;
    (*it)->retired = true;
    (*it)->restart_at.reset();
    stopping.push_back((*it)->uid);
    --live;
  }
  for (auto uid : stopping) steps_.push_back({step::kind::stop, uid});
  for (auto uid : started) steps_.push_back({step::kind::launch, uid});
  for (auto uid : started) steps_.push_back({step::kind::await, uid, {}, true});
  const std::uint64_t waiter = next_waiter_++;
  scale_waiters_.emplace(waiter, std::move(done));
  steps_.push_back({step::kind::call, 0, {}, false, [this, waiter] {
                      auto error = std::move(op_error_);
                      op_error_.reset();
                      auto it = scale_waiters_.find(waiter);
                      if (it == scale_waiters_.end()) return;
                      auto fn = std::move(it->second);
                      scale_waiters_.erase(it);
                      fn(std::move(error));
                    }});
  advance();
}

void supervisor_node::advance() {
  for (;;) {
    if (steps_.empty()) {
      if (phase_ != phase::running || deferred_.empty()) return;
      deferred_exit d = std::move(deferred_.front());
      deferred_.pop_front();
      child_runtime* c = find(d.uid);
      // Restarted meanwhile (by a one_for_all, say): that exit is handled.
      if (c != nullptr && c->generation == d.generation && !c->alive()) handle_exit(*c, d.normal, d.reason);
      continue;
    }
    step& s = steps_.front();
    child_runtime* c = s.uid ? find(s.uid) : nullptr;
    switch (s.what) {
      case step::kind::launch:
        if (c != nullptr && !c->retired && !c->alive()) start_child(*c);
        steps_.pop_front();
        continue;
      case step::kind::await:
        if (c != nullptr && c->status == child_status::starting) return;  // its READY or failure moves on
        steps_.pop_front();
        continue;
      case step::kind::stop:
        if (c == nullptr || !c->alive()) {
          if (c != nullptr && !c->alive()) {
            c->status = child_status::stopped;
            c->restart_at.reset();
          }
          steps_.pop_front();
          continue;
        }
        if (c->status != child_status::stopping) stop_child(*c);
        if (c->status == child_status::stopping) return;  // its exit moves on
        steps_.pop_front();
        continue;
      case step::kind::wait_until:
        if (engine_.now() < s.at) return;  // tick() moves on
        steps_.pop_front();
        continue;
      case step::kind::call: {
        auto fn = std::move(s.fn);
        steps_.pop_front();
        fn();
        if (phase_ == phase::done) return;
        continue;
      }
    }
  }
}

void supervisor_node::start_child(child_runtime& c) {
  ++c.generation;
  c.status = child_status::starting;
  c.restart_at.reset();
  c.up_since = {};
  if (!c.leaf()) {
    c.node = std::make_unique<supervisor_node>(engine_, c);
    c.node->start();
    return;
  }
  try {
    c.host = engine_.runner().start_host(
        {.host = c.spec.host, .name = c.spec.name, .group = c.group, .slot = c.slot, .supervisor = name(),
         .restarts = c.restarts});
    engine_.index_host(c.host, c.uid);
    c.deadline = engine_.now() + c.spec.host.ready_timeout;
  } catch (const std::exception& e) {
    c.host = 0;
    engine_.post_start_failed(c, e.what());
  }
}

void supervisor_node::stop_child(child_runtime& c) {
  c.restart_at.reset();
  if (!c.leaf()) {
    c.status = child_status::stopping;
    c.node->terminate(brutal_);
    return;
  }
  if (c.host == 0) {
    c.status = child_status::stopped;
    return;
  }
  const bool brutal = brutal_ || c.spec.shutdown.brutal_kill;
  c.status = child_status::stopping;
  engine_.runner().stop_host(c.host, brutal);
  c.deadline = brutal ? std::nullopt : std::optional(engine_.now() + c.spec.shutdown.timeout);
}

void supervisor_node::child_started(child_runtime& c) {
  if (c.status == child_status::stopping) return;  // asked to stop while starting: its exit moves on
  c.status = child_status::running;
  c.deadline.reset();
  c.up_since = engine_.now();
  advance();
}

void supervisor_node::tick(clock::time_point now) {
  for (auto& cp : children_) {
    child_runtime& c = *cp;
    if (c.node) c.node->tick(now);
    if (c.deadline && *c.deadline <= now && c.host != 0) {
      c.deadline.reset();
      if (c.status == child_status::starting)
        engine_.runner().abandon_start(c.host, "did not report READY within " +
                                                   std::to_string(c.spec.host.ready_timeout.count()) + " ms");
      else if (c.status == child_status::stopping)
        engine_.runner().kill_host(c.host);  // its shutdown timeout passed
    }
    if (c.restart_at && *c.restart_at <= now && phase_ == phase::running && !c.retired && !frozen_) start_child(c);
  }
  if (!steps_.empty() && steps_.front().what == step::kind::wait_until && steps_.front().at <= now) advance();
}

std::optional<supervisor_node::clock::time_point> supervisor_node::next_deadline() const {
  std::optional<clock::time_point> next;
  auto consider = [&](std::optional<clock::time_point> t) {
    if (t && (!next || *t < *next)) next = t;
  };
  for (const auto& c : children_) {
    if (c->node) consider(c->node->next_deadline());
    consider(c->deadline);
    consider(c->restart_at);
  }
  if (!steps_.empty() && steps_.front().what == step::kind::wait_until) consider(steps_.front().at);
  return next;
}

}  // namespace titan::detail
