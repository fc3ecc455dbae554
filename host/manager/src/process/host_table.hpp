// host_table: every host the manager started or adopted. It spawns them
// (posix_spawn, each the leader of its own process group, output into the
// log collector), keeps their pidfds, reaps them, signals them, settles how
// each start ended (READY, `$failed`, an exit) and prunes old exited ones.
// It implements host_runner, so the supervision engine acts through it.
//
// Threads: the manager's loop thread calls everything, except the methods
// marked "any thread", which API threads call to read or to wait. Outcomes
// that concern the rest of the manager go to host_events (on the loop).
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "process/host_record.hpp"
#include "supervision/host_runner.hpp"
#include "titan/control.hpp"
#include "titan/status.hpp"

namespace spdlog {
class logger;
}

namespace titan::detail {

class log_collector;
class runtime_dir;

// What host_table tells the rest of the manager, on the loop thread.
class host_events {
 public:
  virtual ~host_events() = default;
  // The listed members of `group` may have changed: publish them.
  virtual void membership_changed(const std::string& group) = 0;
  // A supervised host's start began announcing a call timeout for its group.
  virtual void call_timeout_announced(const std::string& group, std::chrono::milliseconds timeout) = 0;
  // Outcomes of supervised hosts, for the engine.
  virtual void supervised_start_failed(std::uint64_t id, const std::string& reason) = 0;
  virtual void supervised_exited(std::uint64_t id, bool normal, bool by_manager, const std::string& reason) = 0;
  // Any host ended (its record stays for `ps` a while).
  virtual void host_ended(std::uint64_t id) = 0;
  // Read the hosts' reports now: the `$failed` that explains an exit may
  // be on its way.
  virtual void read_reports() = 0;
};

class host_table : public host_runner {
 public:
  using clock = host_record::clock;
  struct options {
    std::string host_binary;              // titan-host
    std::string control_endpoint;         // passed to hosts as --manager
    std::chrono::milliseconds heartbeat;  // passed to hosts as --heartbeat
  };

  host_table(options opts, const runtime_dir& runtime, log_collector* logs, host_events& events,
             spdlog::logger& log);
  ~host_table() override;  // every child is reaped (child_process SIGKILLs what is left)

  // Spawns a host; its READY or failure settles record.ready when the
  // caller set it. Throws titan::Error when it cannot even be spawned.
  host_record& start(const std::string& plugin, const spawn_options& opts, const std::string& group, int slot);
  host_record* find(std::uint64_t id);
  // Throws INVALID_ARGUMENT for options no host can be started with.
  static void check(const spawn_options& o);
  // How a supervised host (or a reload's replacement) is spawned.
  spawn_options options_for(const host_request& r) const;
  // No start after this (shutdown).
  void close() { closed_ = true; }
  bool closed() const { return closed_; }

  // Reports from hosts. on_ready returns the record READY made serve, or
  // null when it was ignored (an abandoned or unknown host); a READY
  // without a known id adopts a host started by hand.
  host_record* on_ready(const control::ready_report& r);
  void on_failed(const control::failed_report& r);
  // Returns the host it came from (null: unknown); `calls` shows in ps.
  host_record* on_heartbeat(const control::heartbeat_report& r);
  // The host's pidfd is readable: reap it and settle what its end means.
  void on_exit(host_record& r);

  // A start given up on (READY timeout): SIGKILL to its group, then the
  // caller's waiting start fails with `why`.
  void abandon(host_record& r, Error why);
  // A stop by the manager: out of its membership, then SIGTERM (it drains)
  // or SIGKILL. False when there is no such live host.
  bool stop(std::uint64_t id, bool force);
  // A kill for a fault (hung, over its memory): an abnormal exit, `reason` in ps.
  void fault_kill(host_record& r, std::string reason);
  bool signal(std::uint64_t id, int sig);        // to the leader; false when not alive
  void kill_group(std::uint64_t id);             // SIGKILL to its group, if it lives
  void set_state(host_record& r, process_state s);  // under the lock: API threads read it
  // Whose child it is, for ps (a supervised start, a reload's replacement).
  void set_restarts(host_record& r, unsigned restarts, const std::string& supervisor);

  // Exits whose `$failed` did not come in time fail their start now.
  void fail_unexplained_exits(clock::time_point now);
  void prune_exited();
  // The fds to poll (alive hosts' exit fds), with their records.
  void exit_fds(std::vector<int>& fds, std::vector<host_record*>& records);
  std::optional<clock::time_point> next_deadline() const;  // the earliest explain_by
  // Ids of every live host, the newest first.
  std::vector<std::uint64_t> live_ids() const;
  // The listed members of `group`, in start order.
  std::vector<const host_record*> listed(const std::string& group) const;

  // Any thread.
  struct listing {
    process_info info;
    clock::time_point up_since;  // for its CPU share
  };
  std::vector<listing> list() const;
  std::vector<listing> members(const std::string& group) const;  // as the membership lists them
  std::optional<listing> get(std::uint64_t id) const;
  // Waits until host `id` exited (or is gone); false on timeout.
  bool wait_exited(std::uint64_t id, std::chrono::milliseconds timeout);
  // Waits until any host exits, or `until`.
  void wait_any_exit(clock::time_point until);
  // Why host `id` exited; "" while it lives.
  std::string exit_of(std::uint64_t id) const;

  // host_runner, for the supervision engine.
  std::uint64_t start_host(const host_request& request) override;
  void stop_host(std::uint64_t id, bool brutal) override;
  void kill_host(std::uint64_t id) override;
  void abandon_start(std::uint64_t id, const std::string& reason) override;

 private:
  void fail_start(host_record& r, Error error);
  Error start_error(const host_record& r) const;
  host_record* adopt(const control::ready_report& r);
  host_record* find_reported(const std::string& id_text);

  options opts_;
  const runtime_dir& runtime_;
  log_collector* logs_;  // null when hosts' output is not captured
  host_events& events_;
  spdlog::logger& log_;
  bool closed_ = false;
  std::uint64_t next_id_ = 1;

  // Guards records_ (the map: the loop adds and erases under it) and each
  // record's `info` (the loop writes it under it). The loop reads without
  // it; API threads read under it.
  mutable std::mutex mu_;
  std::condition_variable exited_cv_;  // a host changed to exited
  std::map<std::uint64_t, std::unique_ptr<host_record>> records_;  // id order = start order
};

}  // namespace titan::detail
