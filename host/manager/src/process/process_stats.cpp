#include "process/process_stats.hpp"

#include <unistd.h>

#include <fstream>
#include <sstream>
#include <string>

namespace titan::detail {

std::uint64_t resident_bytes(pid_t pid) {
  std::ifstream statm("/proc/" + std::to_string(pid) + "/statm");
  std::uint64_t size = 0, resident = 0;
  if (!(statm >> size >> resident)) return 0;
  return resident * static_cast<std::uint64_t>(::sysconf(_SC_PAGESIZE));
}

process_stats::sample process_stats::read(std::uint64_t id, pid_t pid, clock::time_point up_since) {
  sample out;
  if (pid <= 0) return out;
  // /proc/PID/stat: utime and stime are fields 14 and 15 (after the
  // command, which may hold spaces and parentheses: cut at the last ')').
  std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
  std::string line;
  if (std::getline(stat, line)) {
    auto close = line.rfind(')');
    std::istringstream rest(close == std::string::npos ? "" : line.substr(close + 2));
    std::string field;
    std::uint64_t utime = 0, stime = 0;
    for (int i = 3; i <= 15 && rest >> field; ++i) {
      if (i == 14) utime = std::stoull(field);
      if (i == 15) stime = std::stoull(field);
    }
    const auto now = clock::now();
    const std::uint64_t ticks = utime + stime;
    cpu_mark before;
    {
      std::lock_guard lock(mu_);
      cpu_mark& m = marks_[id];
      before = m;
      m = {ticks, now};
    }
    const double wall = std::chrono::duration<double>(now - (before.ticks ? before.at : up_since)).count();
    const double hz = static_cast<double>(::sysconf(_SC_CLK_TCK));
    if (wall > 0 && ticks >= before.ticks)
      out.cpu_percent = 100.0 * static_cast<double>(ticks - before.ticks) / hz / wall;
  }
  out.rss_bytes = resident_bytes(pid);
  return out;
}

void process_stats::forget(std::uint64_t id) {
  std::lock_guard lock(mu_);
  marks_.erase(id);
}

}  // namespace titan::detail
