#include "supervision.hpp"

#include <spdlog/spdlog.h>

#include "restart_window.hpp"
#include "supervisor_node.hpp"
#include "titan/process_manager.hpp"

namespace titan::detail {

template <class F>
void supervision::guarded(F&& f) {
  const bool outer = draining_;
  draining_ = true;
  f();
  draining_ = outer;
  if (!outer) drain();
}

supervision::supervision(host_runner& runner, spdlog::logger& log, time_source now)
    : runner_(runner), log_(log), now_(std::move(now)) {}

supervision::~supervision() {
  tops_.clear();  // nodes unregister their children while the maps still exist
}

std::uint64_t supervision::register_child(child_runtime& c) {
  c.uid = next_uid_++;
  children_[c.uid] = &c;
  return c.uid;
}

void supervision::unregister_child(const child_runtime& c) {
  children_.erase(c.uid);
  std::erase_if(hosts_, [&](const auto& h) { return h.second == c.uid; });
}

void supervision::add_tree(child_spec top, start_callback started) {
  auto child = std::make_unique<child_runtime>();
  child->spec = std::move(top);
  child->group = child->spec.name;
  register_child(*child);
  child->status = child_status::starting;
  child->generation = 1;
  child->node = std::make_unique<supervisor_node>(*this, *child);
  tops_.push_back({std::move(child), std::move(started)});
  supervisor_node& node = *tops_.back().child->node;
  guarded([&] { node.start(); });
}

void supervision::terminate_all(bool brutal, std::function<void()> done) {
  // Trees wait their turn to stop; meanwhile none restarts anything.
  for (auto& t : tops_)
    if (t.child->node) t.child->node->freeze();
  terminated_ = std::move(done);
  terminate_brutal_ = brutal;
  terminate_next(brutal, nullptr);
}

// One tree at a time, the last started first (reverse start order).
void supervision::terminate_next(bool brutal, std::function<void()>) {
  for (auto it = tops_.rbegin(); it != tops_.rend(); ++it) {
    child_runtime& c = *it->child;
    if (c.node && c.node->current_phase() != supervisor_node::phase::done) {
      if (c.status != child_status::stopping) {
        c.status = child_status::stopping;
        guarded([&] { c.node->terminate(brutal); });
      }
      return;
    }
  }
  if (auto done = std::move(terminated_)) {
    terminated_ = nullptr;
    done();
  }
}

supervisor_node* supervision::find_pool(const std::string& name) const {
  std::vector<const supervisor_node*> todo;
  for (const auto& t : tops_)
    if (t.child->node) todo.push_back(t.child->node.get());
  while (!todo.empty()) {
    const supervisor_node* n = todo.back();
    todo.pop_back();
    if (n->is_pool() && n->name() == name) return const_cast<supervisor_node*>(n);
    for (const auto& c : n->children())
      if (c->node) todo.push_back(c->node.get());
  }
  return nullptr;
}

bool supervision::has_pool(const std::string& name) const { return find_pool(name) != nullptr; }

void supervision::scale(const std::string& name, std::size_t size, start_callback done) {
  supervisor_node* pool = find_pool(name);
  if (pool == nullptr || pool->current_phase() != supervisor_node::phase::running) {
    done(pool == nullptr ? "no pool named '" + name + "'" : "pool '" + name + "' is not running");
    return;
  }
  guarded([&] { pool->scale(size, std::move(done)); });
}

void supervision::host_ready(std::uint64_t host) {
  auto it = hosts_.find(host);
  if (it == hosts_.end()) return;
  const child_runtime* c = children_.at(it->second);
  post({event::kind::started, c->uid, c->generation});
}

void supervision::host_start_failed(std::uint64_t host, const std::string& reason) {
  auto it = hosts_.find(host);
  if (it == hosts_.end()) return;
  const child_runtime* c = children_.at(it->second);
  hosts_.erase(it);
  post({event::kind::start_failed, c->uid, c->generation, false, false, false, reason});
}

void supervision::host_exited(std::uint64_t host, bool normal, bool by_manager, const std::string& reason) {
  auto it = hosts_.find(host);
  if (it == hosts_.end()) return;
  const child_runtime* c = children_.at(it->second);
  hosts_.erase(it);
  post({event::kind::exited, c->uid, c->generation, normal, by_manager, false, reason});
}

void supervision::post_started(const child_runtime& c) { post({event::kind::started, c.uid, c.generation}); }

void supervision::post_start_failed(const child_runtime& c, std::string reason) {
  post({event::kind::start_failed, c.uid, c.generation, false, false, false, std::move(reason)});
}

void supervision::post_exited(const child_runtime& c, bool normal, bool by_manager, bool escalated,
                              std::string reason) {
  post({event::kind::exited, c.uid, c.generation, normal, by_manager, escalated, std::move(reason)});
}

void supervision::post(event e) {
  events_.push_back(std::move(e));
  drain();
}

// Events are handled one at a time, never from inside a node's own code:
// a handler may end (and destroy) the node that posted the event.
void supervision::drain() {
  if (draining_) return;
  draining_ = true;
  while (!events_.empty()) {
    event e = std::move(events_.front());
    events_.pop_front();
    dispatch(e);
  }
  draining_ = false;
}

void supervision::dispatch(const event& e) {
  auto it = children_.find(e.uid);
  if (it == children_.end()) return;
  child_runtime& c = *it->second;
  if (c.generation != e.generation) return;  // about an earlier life of this child
  if (c.owner == nullptr) {
    for (auto& t : tops_)
      if (t.child.get() == &c) return on_top_event(t, e);
    return;
  }
  switch (e.what) {
    case event::kind::started: return c.owner->child_started(c);
    case event::kind::start_failed: return c.owner->child_start_failed(c, e.reason);
    case event::kind::exited: return c.owner->child_exited(c, e.normal, e.by_manager, e.reason);
  }
}

void supervision::on_top_event(top_tree& t, const event& e) {
  child_runtime& c = *t.child;
  if (e.what == event::kind::started) {
    c.status = child_status::running;
    c.up_since = now_();
    if (auto cb = std::move(t.started)) cb(std::nullopt);
    return;
  }
  const std::string name = c.spec.name;
  const bool stopping = c.status == child_status::stopping;
  std::string reason = e.reason;
  if (e.what == event::kind::start_failed || t.started) {
    if (auto cb = std::move(t.started)) cb(e.what == event::kind::start_failed ? reason : "stopped before it started");
  } else if (!stopping && on_exit_) {
    on_exit_(name, e.escalated, reason);
  }
  std::erase_if(tops_, [&](const top_tree& x) { return x.child.get() == &c; });
  if (terminated_) terminate_next(terminate_brutal_, nullptr);
}

void supervision::tick(clock::time_point now) {
  guarded([&] {
    for (std::size_t i = 0; i < tops_.size(); ++i)
      if (tops_[i].child->node) tops_[i].child->node->tick(now);
  });
}

std::optional<supervision::clock::time_point> supervision::next_deadline() const {
  std::optional<clock::time_point> next;
  for (const auto& t : tops_) {
    if (!t.child->node) continue;
    auto d = t.child->node->next_deadline();
    if (d && (!next || *d < *next)) next = d;
  }
  return next;
}

namespace {

std::string period_text(std::chrono::milliseconds p) {
  return p.count() % 1000 == 0 ? std::to_string(p.count() / 1000) + "s" : std::to_string(p.count()) + "ms";
}

// "one_for_one 5/30s": strategy, then at most 5 restarts in 30 s.
std::string flags_text(const supervisor_flags& f) {
  std::string text = std::string(to_string(f.strategy)) + " ";
  text += f.intensity == restart_window::unlimited ? std::string("unlimited") : std::to_string(f.intensity);
  return text + "/" + period_text(f.period);
}

void add_rows(std::vector<supervision_row>& out, const child_runtime& c, unsigned depth, const std::string& parent) {
  supervision_row r;
  r.name = c.spec.name;
  r.kind = c.member ? "member" : std::string(to_string(c.spec.kind));
  r.depth = depth;
  r.parent = parent;
  r.state = c.reloading && c.status == child_status::running ? "reloading" : std::string(to_string(c.status));
  r.restarts = c.restarts;
  r.reason = c.reason;
  r.restart_type = std::string(to_string(c.spec.restart));
  r.host = c.host;
  if (c.node) {
    std::size_t live = 0;
    for (const auto& ch : c.node->children()) live += ch->retired ? 0 : 1;
    r.detail = c.node->is_pool() ? "x" + std::to_string(live) + " " + std::string(to_string(c.spec.strategy)) + " " +
                                       flags_text(c.node->flags()).substr(std::string("one_for_one ").size())
                                 : flags_text(c.node->flags());
    if (c.retired) r.state = "retired";
    out.push_back(r);
    for (const auto& ch : c.node->children()) {
      if (ch->retired && !ch->alive()) continue;
      add_rows(out, *ch, depth + 1, c.spec.name);
    }
    return;
  }
  out.push_back(r);
}

}  // namespace

std::vector<supervision_row> supervision::rows() const {
  std::vector<supervision_row> out;
  for (const auto& t : tops_) add_rows(out, *t.child, 0, "");
  return out;
}

}  // namespace titan::detail
