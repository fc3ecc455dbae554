#include "health/health_monitor.hpp"

#include <algorithm>

namespace titan::detail {
namespace {

std::string megabytes(std::uint64_t bytes) { return std::to_string((bytes + (1u << 19)) >> 20) + " MB"; }

}  // namespace

health_monitor::health_monitor(options opts, memory_reader memory) : opts_(opts), memory_(std::move(memory)) {}

void health_monitor::watch(std::uint64_t id, pid_t pid, std::uint64_t max_memory, clock::time_point now) {
  hosts_[id] = watched{pid, max_memory, now};
}

void health_monitor::beat(std::uint64_t id, clock::time_point now) {
  if (auto it = hosts_.find(id); it != hosts_.end()) it->second.last_beat = now;
}

void health_monitor::forget(std::uint64_t id) { hosts_.erase(id); }

std::vector<health_monitor::verdict> health_monitor::check(clock::time_point now) {
  // Every few hundred ms, and at least twice per heartbeat interval.
  const auto every = std::min<std::chrono::milliseconds>(
      std::chrono::milliseconds(250), opts_.heartbeat.count() > 0 ? opts_.heartbeat / 2 : std::chrono::milliseconds(250));
  next_check_ = now + std::max(every, std::chrono::milliseconds(10));
  const auto limit = opts_.heartbeat * opts_.liveness;
  std::vector<verdict> out;
  for (const auto& [id, h] : hosts_) {
    if (opts_.heartbeat.count() > 0 && now - h.last_beat > limit) {
      const auto silent = std::chrono::duration_cast<std::chrono::milliseconds>(now - h.last_beat).count();
      out.push_back({id, "no heartbeat for " + std::to_string(silent) + " ms (hung or stopped); killed"});
      continue;
    }
    if (h.max_memory == 0) continue;
    if (const std::uint64_t rss = memory_(h.pid); rss > h.max_memory)
      out.push_back({id, "memory " + megabytes(rss) + " above max_memory " + megabytes(h.max_memory) + "; killed"});
  }
  for (const auto& v : out) hosts_.erase(v.id);
  return out;
}

}  // namespace titan::detail
