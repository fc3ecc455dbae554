// Percentiles, CPU time and memory figures; series of kills.
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <numeric>
#include <sstream>

#include "bench.hpp"
#include "child.hpp"

namespace titan::bench {

double quantile(std::vector<double>& v, double q) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  // Nearest rank: the smallest value with at least q of the samples at or below it.
  auto rank = static_cast<std::size_t>(std::ceil(q * static_cast<double>(v.size())));
  return v[std::clamp<std::size_t>(rank, 1, v.size()) - 1];
}

double median(std::vector<double> v) { return quantile(v, 0.5); }

latency_stats summarize_latency(std::vector<double>& ns) {
  latency_stats s;
  s.samples = ns.size();
  if (ns.empty()) return s;
  s.p50_us = quantile(ns, 0.50) / 1000.0;
  s.p90_us = quantile(ns, 0.90) / 1000.0;
  s.p99_us = quantile(ns, 0.99) / 1000.0;
  s.min_us = ns.front() / 1000.0;
  s.max_us = ns.back() / 1000.0;
  s.mean_us = std::accumulate(ns.begin(), ns.end(), 0.0) / static_cast<double>(ns.size()) / 1000.0;
  return s;
}

duration_stats summarize_ms(std::vector<double> ms) {
  duration_stats s;
  s.samples = ms.size();
  if (ms.empty()) return s;
  s.median_ms = quantile(ms, 0.5);
  s.p90_ms = quantile(ms, 0.9);
  s.min_ms = ms.front();
  s.max_ms = ms.back();
  return s;
}

double self_cpu_us() {
  rusage ru{};
  ::getrusage(RUSAGE_SELF, &ru);
  auto us = [](const timeval& t) { return static_cast<double>(t.tv_sec) * 1e6 + static_cast<double>(t.tv_usec); };
  return us(ru.ru_utime) + us(ru.ru_stime);
}

double process_cpu_us(pid_t pid) {
  // Sum the nanosecond run time of every live thread (/proc/PID/task/*/schedstat,
  // field 1): /proc/PID/stat only counts clock ticks, too coarse here.
  std::error_code ec;
  std::filesystem::directory_iterator tasks("/proc/" + std::to_string(pid) + "/task", ec);
  if (ec) return -1;
  double ns = 0;
  for (const auto& task : tasks) {
    std::ifstream f(task.path() / "schedstat");
    unsigned long long run_ns = 0;
    if (f >> run_ns) ns += static_cast<double>(run_ns);
  }
  return ns / 1000.0;
}

double machine_busy_us() {
  // /proc/stat, first line: cpu user nice system idle iowait irq softirq steal ...
  std::ifstream f("/proc/stat");
  std::string cpu;
  unsigned long long v[8] = {};
  if (!(f >> cpu) || cpu != "cpu") return -1;
  for (auto& x : v) f >> x;
  const unsigned long long busy = v[0] + v[1] + v[2] + v[5] + v[6] + v[7];  // not idle, not iowait
  return static_cast<double>(busy) * 1e6 / static_cast<double>(::sysconf(_SC_CLK_TCK));
}

memory_result read_memory(pid_t pid) {
  memory_result m;
  std::ifstream f("/proc/" + std::to_string(pid) + "/smaps_rollup");
  for (std::string line; std::getline(f, line);) {
    std::istringstream in(line);
    std::string key;
    long kb = -1;
    in >> key >> kb;
    if (key == "Rss:") m.rss_kb = kb;
    if (key == "Pss:") m.pss_kb = kb;
  }
  return m;
}

std::string make_payload(std::size_t size) {
  std::string s(size, '\0');
  for (std::size_t i = 0; i < size; ++i) s[i] = static_cast<char>('a' + i % 26);
  return s;
}

kill_series measure_kills(std::size_t times, const std::function<kill_sample(std::size_t)>& measure) {
  kill_series r;
  std::vector<double> first, replacement, respawn;
  for (std::size_t i = 0; i < times; ++i) {
    kill_sample k;
    try {
      k = measure(i);
    } catch (const std::exception& e) {  // this kill could not be measured: say so, go on with the next
      if (interrupt_requested()) throw;
      ++r.broken_kills;
      if (r.error.empty()) r.error = e.what();
      continue;
    }
    ++r.kills;
    if (k.first_reply_ms) first.push_back(*k.first_reply_ms);
    if (k.replacement_ms) replacement.push_back(*k.replacement_ms);
    else ++r.gave_up;
    if (k.respawn_started_ms) respawn.push_back(*k.respawn_started_ms);
    r.failed_calls += k.failed_calls;
    r.victim_replies += k.victim_replies;
    if (r.first_error.empty()) r.first_error = k.first_error;
  }
  r.first_reply = summarize_ms(first);
  r.replacement = summarize_ms(replacement);
  r.respawn_started = summarize_ms(respawn);
  return r;
}

}  // namespace titan::bench
