// The supervision engine on a fake clock and a fake host_runner: a test
// starts trees, crashes or ends hosts, and moves time forward; the world
// hands each outcome back to the engine and wakes it at its deadlines, as
// the manager's loop does, all in this thread and without processes.
#pragma once

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <titan/process_manager.hpp>
#include <titan/supervisor_spec.hpp>

#include "fake_clock.hpp"
#include "fake_host_runner.hpp"
#include "supervision/supervision.hpp"

namespace spdlog {
class logger;
}

namespace titan::test::engine {

using namespace std::chrono_literals;

// What the engine's exit callback reported.
struct tree_exit {
  std::string name;
  bool escalated = false;
  std::string reason;
};

class engine_world {
 public:
  engine_world();
  ~engine_world();
  engine_world(const engine_world&) = delete;
  engine_world& operator=(const engine_world&) = delete;

  fake_clock& clock() { return clock_; }
  fake_host_runner& runner() { return runner_; }
  titan::detail::supervision& engine() { return *engine_; }

  // Starts a tree and settles; the error it reported, if it could not start.
  std::optional<std::string> start(const titan::supervisor_spec& spec);
  // Starts a tree and settles; fails the test unless it started.
  void start_ok(const titan::supervisor_spec& spec);

  // Hands every queued outcome to the engine, and runs every timer due now,
  // until nothing is left at this instant.
  void settle();
  // Lets `d` of fake time pass, waking the engine at each of its deadlines
  // on the way (and settling after each).
  void run_for(std::chrono::milliseconds d);

  // The live host of `name` is SIGKILLed from outside (an abnormal exit).
  void crash(const std::string& name);
  // Several at once: every exit is queued before the engine sees the first.
  void crash_together(const std::vector<std::string>& names);
  // The host of `name` exits by itself with `code` (0: a normal exit).
  void exit(const std::string& name, int code);
  // The host of `name` gets SIGTERM from outside: it drains and exits 0.
  void sigterm(const std::string& name);
  // Stopped by hand (titan stop, ProcessManager::stop): OTP's terminate_child.
  void stop_by_hand(const std::string& name);

  // Engine actions since `mark` ("start a", "stop c", "give_up top", ...).
  std::vector<std::string> journal(std::size_t mark = 0) const { return runner_.journal(mark); }
  std::size_t mark() const { return runner_.mark(); }

  std::vector<titan::supervision_row> rows() const { return engine_->rows(); }
  std::optional<titan::supervision_row> row(const std::string& name) const;
  std::string state(const std::string& name) const;  // "" when the tree shows no such row
  const std::vector<tree_exit>& exits() const { return exits_; }

 private:
  void deliver(const host_outcome& o);

  fake_clock clock_;
  fake_host_runner runner_{clock_};
  std::unique_ptr<spdlog::logger> log_;
  std::unique_ptr<titan::detail::supervision> engine_;
  std::vector<tree_exit> exits_;
};

// A child of the tests: a service on a plugin that is never loaded.
titan::child_spec child(const std::string& name, titan::restart_type restart = titan::restart_type::permanent);
// A child that is significant (transient unless said otherwise).
titan::child_spec significant(const std::string& name, titan::restart_type restart = titan::restart_type::transient);
// A child without backoff (backoff = "none"): OTP's immediate restarts.
titan::child_spec no_backoff(titan::child_spec c);
titan::supervisor_spec supervisor(const std::string& name, titan::supervisor_strategy strategy, unsigned intensity,
                                  std::chrono::milliseconds period, std::vector<titan::child_spec> children,
                                  titan::auto_shutdown_policy auto_shutdown = titan::auto_shutdown_policy::never);

using strings = std::vector<std::string>;

inline bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

}  // namespace titan::test::engine
