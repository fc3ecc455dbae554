// A host_runner without processes. It records what the engine asks of it
// (start, stop, kill, abandon) as a journal, and queues what a real host
// would then report (READY, a failed start, an exit), which engine_world
// hands back to the engine. How a child's hosts behave is set per name.
#pragma once

#include <chrono>
#include <climits>
#include <cstdint>
#include <deque>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "fake_clock.hpp"
#include "supervision/host_runner.hpp"

namespace titan::test::engine {

// What a host reports back, as the manager's loop would hand it over.
struct host_outcome {
  enum class kind { ready, start_failed, exited } what;
  std::uint64_t host = 0;
  bool normal = false;
  bool by_manager = false;
  std::string reason{};
};

// What start_host was asked for (host_request holds a reference to the
// child's spec, which may be gone by the time a test looks).
struct start_request {
  std::string name;
  std::string group;
  int slot = -1;
  std::string supervisor;
  unsigned restarts = 0;
  std::string plugin;
};

// One thing the engine did, or (for give-ups) that happened to a tree.
struct journal_entry {
  std::string what;  // start, fail, stop, kill, brutal_kill, abandon, give_up, shut_down
  std::string name;
  long at_ms = 0;  // fake time
};

class fake_host_runner : public titan::detail::host_runner {
 public:
  explicit fake_host_runner(const fake_clock& clock) : clock_(clock) {}

  // The next `count` starts of `name` fail (the host exits with code 7
  // before READY), as a plugin that cannot start does.
  void fail_starts(const std::string& name, unsigned count = UINT_MAX) { fail_count_[name] = count; }
  // Starts of `name` fail until the fake clock reaches `until`.
  void fail_starts_until(const std::string& name, fake_clock::clock::time_point until) { fail_until_[name] = until; }
  // start_host throws for `name` (the host cannot even be spawned).
  void refuse_spawn(const std::string& name, bool on = true) { set(refuse_, name, on); }
  // Hosts of `name` never report READY (the engine's ready_timeout decides).
  void never_ready(const std::string& name, bool on = true) { set(hang_start_, name, on); }
  // Hosts of `name` ignore SIGTERM: only kill_host ends them.
  void ignore_sigterm(const std::string& name, bool on = true) { set(hang_stop_, name, on); }

  std::uint64_t start_host(const titan::detail::host_request& request) override;
  void stop_host(std::uint64_t id, bool brutal) override;
  void kill_host(std::uint64_t id) override;
  void abandon_start(std::uint64_t id, const std::string& reason) override;

  // The host of `name` that is alive now (0: none).
  std::uint64_t host_of(const std::string& name) const;
  // Ends the live host of `name` from outside (a crash, an exit of its own):
  // queues its exit. False when `name` has no live host.
  bool end(const std::string& name, bool normal, const std::string& reason, bool by_manager = false);

  std::optional<host_outcome> next_outcome();
  bool idle() const { return outcomes_.empty(); }

  void note(std::string what, std::string name);
  const std::vector<journal_entry>& entries() const { return journal_; }
  // "start a", "stop c", ... from entry `from` on.
  std::vector<std::string> journal(std::size_t from = 0) const;
  std::size_t mark() const { return journal_.size(); }
  // Start attempts of `name` (successful or not) so far.
  std::size_t attempts(const std::string& name) const;
  // The fake times of the start attempts of `name`.
  std::vector<long> attempt_times(const std::string& name) const;
  // What the engine asked to start, latest last.
  const std::vector<start_request>& requests() const { return requests_; }

 private:
  struct host {
    std::string name;
    bool alive = true;
  };
  static void set(std::set<std::string>& s, const std::string& name, bool on) {
    if (on)
      s.insert(name);
    else
      s.erase(name);
  }
  bool start_fails(const std::string& name);

  const fake_clock& clock_;
  std::uint64_t next_id_ = 1;
  std::map<std::uint64_t, host> hosts_;
  std::deque<host_outcome> outcomes_;
  std::vector<journal_entry> journal_;
  std::vector<start_request> requests_;
  std::map<std::string, unsigned> fail_count_;
  std::map<std::string, fake_clock::clock::time_point> fail_until_;
  std::set<std::string> refuse_, hang_start_, hang_stop_;
};

}  // namespace titan::test::engine
