// health_monitor: finds hosts that are hung (missed `liveness` heartbeats
// in a row: a stuck socket thread, SIGSTOP) or above their memory limit.
// It only judges: the caller feeds it the time, the heartbeats and a way
// to read a process's memory, and acts on the verdicts (kills the host,
// whose supervisor restarts it by its policy). Loop thread only.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <vector>

namespace titan::detail {

class health_monitor {
 public:
  using clock = std::chrono::steady_clock;
  using memory_reader = std::function<std::uint64_t(pid_t)>;  // resident bytes; 0 when gone
  struct options {
    std::chrono::milliseconds heartbeat{1000};  // 0: hosts do not beat, nothing is hung
    unsigned liveness = 3;
  };
  struct verdict {
    std::uint64_t id;
    std::string reason;  // for `ps`: "no heartbeat for 3012 ms (hung or stopped); killed"
  };

  health_monitor(options opts, memory_reader memory);

  // A host that serves now; `max_memory` 0: no limit.
  void watch(std::uint64_t id, pid_t pid, std::uint64_t max_memory, clock::time_point now);
  void beat(std::uint64_t id, clock::time_point now);
  void forget(std::uint64_t id);  // it stopped serving (exited, stopping, killed)

  // The hosts to kill now; each is forgotten (judged once).
  std::vector<verdict> check(clock::time_point now);
  // When check() has work next.
  clock::time_point next_check() const { return next_check_; }

 private:
  struct watched {
    pid_t pid;
    std::uint64_t max_memory;
    clock::time_point last_beat;
  };

  options opts_;
  memory_reader memory_;
  std::map<std::uint64_t, watched> hosts_;
  clock::time_point next_check_{};
};

}  // namespace titan::detail
