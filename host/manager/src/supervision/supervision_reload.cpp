// supervision: what a hot reload (reload/reload_transaction.cpp) needs from the engine.
// The reload starts and switches hosts itself; the engine only learns, at
// commit, that a child is now served by another host.
#include <spdlog/spdlog.h>

#include "supervision.hpp"
#include "supervisor_node.hpp"
#include "titan/status.hpp"

namespace titan::detail {

child_runtime* supervision::find_named(const std::string& name) const {
  std::vector<child_runtime*> todo;
  for (const auto& t : tops_) todo.push_back(t.child.get());
  while (!todo.empty()) {
    child_runtime* c = todo.back();
    todo.pop_back();
    if (!c->member && c->spec.name == name) return c;
    if (c->node)
      for (const auto& ch : c->node->children()) todo.push_back(ch.get());
  }
  return nullptr;
}

namespace {

reload_target target_of(const child_runtime& c) {
  if (c.status != child_status::running || c.host == 0)
    throw Error(status_code::failed_precondition,
                "'" + c.spec.name + "' is " + std::string(to_string(c.status)) + ", not running; try again once it runs");
  if (c.reloading) throw Error(status_code::failed_precondition, "'" + c.spec.name + "' is already being reloaded");
  return reload_target{c.uid, c.host, c.spec.host, c.spec.name, c.group, c.slot,
                       c.owner ? c.owner->name() : std::string(), c.restarts};
}

}  // namespace

std::vector<reload_target> supervision::reload_targets(const std::string& name) const {
  const child_runtime* c = find_named(name);
  if (c == nullptr) throw Error(status_code::not_found, "no service or pool named '" + name + "'");
  if (c->spec.kind == child_kind::supervisor) {
    std::string children;
    for (const auto& ch : c->spec.supervisor->children) children += (children.empty() ? "" : ", ") + ch.name;
    throw Error(status_code::invalid_argument,
                "'" + name + "' is a supervisor; reload one of its services or pools (" + children + ")");
  }
  std::vector<reload_target> out;
  if (c->spec.kind == child_kind::service) {
    out.push_back(target_of(*c));
    return out;
  }
  for (const auto& m : c->node->children())
    if (!m->retired) out.push_back(target_of(*m));
  if (out.empty()) throw Error(status_code::failed_precondition, "pool '" + name + "' has no members to reload");
  return out;
}

void supervision::set_reloading(const std::vector<reload_target>& targets, bool on) {
  for (const auto& t : targets)
    if (auto it = children_.find(t.uid); it != children_.end()) it->second->reloading = on;
}

bool supervision::replace_host(const reload_target& t, std::uint64_t new_host) {
  auto it = children_.find(t.uid);
  if (it == children_.end()) return false;
  child_runtime& c = *it->second;
  if (c.host != t.host || c.status != child_status::running) return false;
  hosts_.erase(t.host);
  hosts_[new_host] = c.uid;
  c.host = new_host;
  return true;
}

void supervision::set_plugin(const std::string& name, const std::string& plugin) {
  child_runtime* c = find_named(name);
  if (c == nullptr) return;
  c->spec.host.plugin = plugin;
  if (c->node)  // a pool: its members, and the members it will add
    for (const auto& m : c->node->children()) m->spec.host.plugin = plugin;
  log_.info("'{}' now starts from {}", name, plugin);
}

}  // namespace titan::detail
