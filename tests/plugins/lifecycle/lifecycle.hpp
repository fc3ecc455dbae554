// The lifecycle service: a test plugin for the supervision tests. It tells
// who it is, ends its host in the ways a supervisor must tell apart, holds
// memory, keeps a call in flight, and records its start and stop in a
// journal shared by every host of a test, which gives the start and stop
// order of a tree without looking at a clock.
//
// Config keys (all optional):
//   journal = "PATH"               an existing file; appends "start NAME PID" when
//                                  constructed and "stop NAME PID" when destroyed
//                                  (at the end of a drain)
//   fail_start_if_exists = "PATH"  the constructor throws while PATH exists
//   start_delay_ms = N             the constructor sleeps N ms (a slow start)
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <titan/titan.hpp>

class LifecycleService {
 public:
  explicit LifecycleService(titan::Context& ctx);
  ~LifecycleService();
  LifecycleService(const LifecycleService&) = delete;
  LifecycleService& operator=(const LifecycleService&) = delete;

  // The host's process id.
  std::int64_t pid();
  // The instance name (titan-host --name): the child's name in its tree.
  std::string name();
  // Ends the host at once with exit code `code` (std::_Exit: no drain, no
  // destructor, no journal line); the call itself never gets a reply.
  void exit_now(std::int64_t code);
  // When the constructor ran: steady_clock (CLOCK_MONOTONIC, the same for
  // every process of the machine) in nanoseconds.
  std::int64_t started_at();
  // Allocates `mb` more megabytes and touches every page, keeping them;
  // returns the megabytes held in all.
  std::int64_t allocate(std::int64_t mb);
  // Appends "block NAME PID" to the journal, then sleeps `ms` milliseconds:
  // a call in flight that long keeps a draining host from exiting.
  std::int64_t block(std::int64_t ms);

 private:
  void journal(const std::string& what) const;

  std::string name_;
  std::string journal_;
  std::int64_t started_at_ = 0;
  std::vector<std::vector<char>> held_;
};

TITAN_SERVICE(LifecycleService, "lifecycle", pid, name, exit_now, started_at, allocate, block)
