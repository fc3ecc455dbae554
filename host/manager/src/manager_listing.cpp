// manager_core: what list(), members() and get() report (with CPU and RSS
// read from /proc), and the pruning of old exited entries.
#include <unistd.h>

#include <fstream>
#include <sstream>

#include "manager_core.hpp"

namespace titan::detail {

// Exited hosts stay listed for `ps` (with their exit reason), but only the
// latest few: a child that keeps crashing must not pile up entries and
// pidfds in a daemon that runs for months.
void manager_core::prune_exited() {
  constexpr std::size_t keep = 32;
  std::size_t exited = 0;
  for (const auto& [id, e] : entries_) exited += !e->alive() && !e->ready ? 1 : 0;
  if (exited <= keep) return;
  std::lock_guard lock(mu_);
  for (auto it = entries_.begin(); it != entries_.end() && exited > keep;) {
    if (!it->second->alive() && !it->second->ready && it->second->adopted_pidfd < 0) {
      it = entries_.erase(it);
      --exited;
    } else {
      ++it;
    }
  }
}

process_info manager_core::snapshot(entry& e) {
  process_info info = e.info;
  if (!e.alive() || info.pid <= 0) return info;
  // /proc/PID/stat: utime and stime are fields 14 and 15; statm: resident pages.
  std::ifstream stat("/proc/" + std::to_string(info.pid) + "/stat");
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
    const double wall = std::chrono::duration<double>(now - (e.cpu_ticks ? e.cpu_sampled : e.up_since)).count();
    const double hz = static_cast<double>(::sysconf(_SC_CLK_TCK));
    if (wall > 0) info.cpu_percent = 100.0 * static_cast<double>(ticks - e.cpu_ticks) / hz / wall;
    e.cpu_ticks = ticks;
    e.cpu_sampled = now;
  }
  std::ifstream statm("/proc/" + std::to_string(info.pid) + "/statm");
  std::uint64_t size = 0, resident = 0;
  if (statm >> size >> resident) info.rss_bytes = resident * static_cast<std::uint64_t>(::sysconf(_SC_PAGESIZE));
  return info;
}

std::vector<process_info> manager_core::list() {
  std::lock_guard lock(mu_);
  std::vector<process_info> out;
  for (auto& [id, e] : entries_) out.push_back(snapshot(*e));
  return out;
}

std::vector<process_info> manager_core::members(const std::string& name) {
  std::lock_guard lock(mu_);
  std::vector<process_info> out;
  for (auto& [id, e] : entries_)
    if (e->info.group == name && e->info.state == process_state::running && !e->unlisted)  // as the membership
      out.push_back(snapshot(*e));
  return out;
}

std::optional<process_info> manager_core::get(std::uint64_t id) {
  std::lock_guard lock(mu_);
  auto it = entries_.find(id);
  if (it == entries_.end()) return std::nullopt;
  return snapshot(*it->second);
}

}  // namespace titan::detail
