// registry: the names clients discover. For each name (a service, a pool, a
// host started by hand) it keeps the membership version and the call
// timeout it announces, and the clients that `$watch` it; publish() sends
// each of them the whole member list as it is now.
// Loop thread only.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "titan/control.hpp"

namespace titan::detail {

class registry {
 public:
  // Sends one STREAM_ITEM to a watcher; false when that peer is gone.
  using send_fn = std::function<bool(const std::string& routing_id, std::uint64_t call_id, const std::string& body)>;

  // The members of a name as they are now (the host table's listed hosts).
  using members_fn = std::function<std::vector<control::member>(const std::string& name)>;

  registry(members_fn members, send_fn send);

  void watch(const std::string& routing_id, std::uint64_t call_id, const std::string& name);
  void unwatch(const std::string& routing_id, std::uint64_t call_id);
  // The members of `name` changed (or may have): a new version to its watchers.
  void publish(const std::string& name);
  void set_call_timeout(const std::string& name, std::chrono::milliseconds timeout);
  // A name that has had members (a pool or a tree may not take it again).
  bool known(const std::string& name) const { return versions_.count(name) != 0; }
  control::membership_update membership(const std::string& name) const;

 private:
  struct watcher {
    std::string routing_id;
    std::uint64_t call_id;
    std::string name;
  };
  void send_to(const watcher& w, const std::string& body);

  members_fn members_;
  send_fn send_;
  std::map<std::string, std::uint64_t> versions_;
  std::map<std::string, std::chrono::milliseconds> call_timeouts_;
  std::vector<watcher> watchers_;
};

}  // namespace titan::detail
