#include "registry/registry.hpp"

#include <algorithm>


namespace titan::detail {
namespace {

std::string packed(const control::membership_update& m) {
  msgpack::sbuffer out;
  msgpack::pack(out, m);
  return std::string(out.data(), out.size());
}

}  // namespace

registry::registry(members_fn members, send_fn send) : members_(std::move(members)), send_(std::move(send)) {}

void registry::watch(const std::string& routing_id, std::uint64_t call_id, const std::string& name) {
  watchers_.push_back({routing_id, call_id, name});
  send_to(watchers_.back(), packed(membership(name)));
}

void registry::unwatch(const std::string& routing_id, std::uint64_t call_id) {
  std::erase_if(watchers_, [&](const watcher& w) { return w.routing_id == routing_id && w.call_id == call_id; });
}

void registry::publish(const std::string& name) {
  ++versions_[name];
  const std::string body = packed(membership(name));
  for (const auto& w : std::vector<watcher>(watchers_))
    if (w.name == name) send_to(w, body);
}

void registry::set_call_timeout(const std::string& name, std::chrono::milliseconds timeout) {
  call_timeouts_[name] = timeout;
}

control::membership_update registry::membership(const std::string& name) const {
  control::membership_update m;
  m.name = name;
  if (auto v = versions_.find(name); v != versions_.end()) m.version = v->second;
  if (auto t = call_timeouts_.find(name); t != call_timeouts_.end())
    m.call_timeout_ms = static_cast<std::uint64_t>(t->second.count());
  m.members = members_(name);
  return m;
}

void registry::send_to(const watcher& w, const std::string& body) {
  if (send_(w.routing_id, w.call_id, body)) return;
  // That peer is gone: forget everything it watched (`w` may be one of them).
  const std::string gone = w.routing_id;
  std::erase_if(watchers_, [&](const watcher& x) { return x.routing_id == gone; });
}

}  // namespace titan::detail
