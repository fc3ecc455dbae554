// reload_transaction: one hot reload of a service or a pool.
//
// For each host, one at a time: start a new host on the new plugin (not yet
// in the membership), check its health, hand over (the old host stops
// taking calls, finishes those it has and gives its snapshot to the new
// one), then switch the membership. Clients re-send what the old host
// refused to the new one: nothing is lost. Once every new host has lived
// through the probation, the old hosts are stopped and the engine learns
// the new host ids. Any failure before that resumes the old hosts, lists
// them again and drains the new ones: the old version keeps serving.
//
// Runs on the caller's thread (an API thread: it takes seconds); every touch
// of the manager's state goes through the event loop.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "supervision/host_runner.hpp"
#include "titan/process_manager.hpp"

namespace spdlog {
class logger;
}

namespace titan::detail {

class event_loop;
class host_table;
class registry;
class supervision;

class reload_transaction {
 public:
  reload_transaction(event_loop& loop, host_table& hosts, registry& names, supervision& engine, spdlog::logger& log);

  // Throws titan::Error: what reload_targets() throws, or
  // FAILED_PRECONDITION "reload of 'NAME' rolled back: WHY; ..." after a
  // rollback.
  reload_report run(const std::string& name, const reload_options& opts);

 private:
  struct step {
    reload_target target;
    std::uint64_t spare = 0;  // the new host
    std::string old_endpoint;
    bool frozen = false;    // the old host was asked for $snapshot: it refuses calls
    bool switched = false;  // the membership names the new host, not the old one
    std::size_t state_bytes = 0;
  };

  void replace_one(step& s, const std::string& plugin, const reload_options& opts);
  void check_health(const step& s, const std::string& endpoint);
  void hand_over(step& s, const std::string& spare_endpoint, bool old_stateful, const reload_options& opts);
  void switch_membership(step& s);
  void await_probation(const std::vector<step>& steps, const reload_options& opts);
  // The hosts it stopped.
  std::vector<std::uint64_t> commit(const std::vector<step>& steps, const std::string& plugin, const std::string& name,
                                    bool plugin_changed);
  void roll_back(const std::vector<step>& steps);
  // Hosts a reload let go (SIGTERM: they drain) and no supervisor watches:
  // each gets `grace` to exit, then SIGKILL, so none is left behind.
  void await_exit(const std::vector<std::uint64_t>& ids, std::chrono::milliseconds grace = std::chrono::seconds(5));

  event_loop& loop_;
  host_table& hosts_;
  registry& names_;
  supervision& engine_;
  spdlog::logger& log_;
};

}  // namespace titan::detail
