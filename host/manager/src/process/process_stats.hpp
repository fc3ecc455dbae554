// process_stats: a host's CPU share and resident memory, read from /proc.
// Any thread; it locks only to remember each host's last CPU sample, never
// while it reads /proc.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <map>
#include <mutex>

namespace titan::detail {

class process_stats {
 public:
  using clock = std::chrono::steady_clock;
  struct sample {
    double cpu_percent = 0;  // since the previous sample of this id (or since `up_since`)
    std::uint64_t rss_bytes = 0;
  };
  // Reads /proc/PID; zeros for a process that is gone.
  sample read(std::uint64_t id, pid_t pid, clock::time_point up_since);
  // Forgets host `id` (it exited).
  void forget(std::uint64_t id);

 private:
  struct cpu_mark {
    std::uint64_t ticks = 0;
    clock::time_point at;
  };
  std::mutex mu_;  // guards marks_
  std::map<std::uint64_t, cpu_mark> marks_;
};

// Resident bytes of `pid` (/proc/PID/statm); 0 when it is gone.
std::uint64_t resident_bytes(pid_t pid);

}  // namespace titan::detail
