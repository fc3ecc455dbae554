#include "report_pool.hpp"

#include <algorithm>
#include <cstdio>
#include <string>

#include "report.hpp"
#include "report_reload.hpp"
#include "report_supervision.hpp"
#include "report_workflow.hpp"
#include "report_stream.hpp"


namespace titan::bench {
namespace {

unsigned cores(const pool_result& p) { return p.usable_cpus ? p.usable_cpus : p.hardware_threads; }

}  // namespace

nlohmann::json duration_json(const duration_stats& d) {
  return {{"samples", d.samples}, {"min", d.min_ms}, {"median", d.median_ms}, {"p90", d.p90_ms}, {"max", d.max_ms}};
}

std::vector<std::string> section_errors(const results& r) {
  std::vector<std::string> out;
  if (!r.pool.error.empty()) out.push_back("pools: " + r.pool.error);
  for (const auto& s : r.pool.sizes)
    if (!s.error.empty()) out.push_back(format("pools, size %zu: ", s.size) + s.error);
  for (const auto& f : r.failover)
    if (!f.error.empty())
      out.push_back(format("failover, size %zu: %zu kill(s) not measured: ", f.size, f.broken_kills) + f.error);
  for (auto& e : supervision_errors(r)) out.push_back(std::move(e));
  for (auto& e : reload_errors(r)) out.push_back(std::move(e));
  for (auto& e : workflow_errors(r)) out.push_back(std::move(e));
  for (auto& e : stream_errors(r)) out.push_back(std::move(e));
  return out;
}

std::string pool_expectation(const pool_result& p) {
  const unsigned n = cores(p);
  std::string text = "expected: about min(size, cores)x, minus what the client needs";
  if (n == 0 || p.sizes.empty()) return text;
  double client = 0;  // the most the client used at any size
  for (const auto& s : p.sizes) client = std::max(client, s.client_cores);
  const double room = std::max(0.0, static_cast<double>(n) - client);
  const std::size_t largest = p.sizes.back().size;
  text += format(". Here %u core(s); the client (its thread and ZeroMQ's I/O threads) used up to %.2f of a core, "
                 "leaving the hosts about %.2f",
                 n, client, room);
  if (room >= static_cast<double>(largest)) return text + format(": close to %zux at size %zu", largest, largest);
  text += format(", so no size can pass about %.2fx of one busy host (less what other processes take)", room);
  if (largest > n) text += format("; sizes above %u only take turns on the same cores", n);
  return text;
}

void print_pool_table(const results& r, std::ostream& out) {
  const pool_result& p = r.pool;
  if (!p.error.empty()) out << "pools: not measured: " << p.error << "\n\n";
  if (p.sizes.empty()) return;
  const settings& c = r.config;
  out << format("pools: ComputeService::hash_rounds(%zu-byte string, %u rounds), %s, %zu calls in flight per member,"
                " %zu round(s) of %zu calls (median round)\n",
                p.data_bytes, p.hash_rounds, p.strategy.c_str(), c.pool_window_per_member, c.pool_rounds, c.pool_calls);
  out << format("  rounds sized for %.0f us of host CPU per call: %u rounds cost %.0f us more than 0 rounds, one call "
                "in flight. With %u rounds: host CPU %.1f us per call (%.1f us with 0 rounds), round trip p50 %.1f us "
                "(%.1f us)\n",
                c.pool_call_us, p.probe_rounds, p.probe_extra_us, p.hash_rounds, p.call_host_cpu_us,
                p.base_host_cpu_us, p.call_latency_us, p.base_latency_us);
  out << format("  %5s %7s %10s %10s %13s %12s %13s %17s\n", "size", "window", "calls/s", "vs size 1", "client cores",
                "hosts cores", "others cores", "host CPU/call (us)");
  for (const auto& s : p.sizes) {
    out << format("  %5zu %7zu %10.0f %9.2fx %13.2f %12.2f %13.2f %17.1f", s.size, s.window, s.calls_per_s,
                  s.ratio_to_1, s.client_cores, s.host_cores, s.other_cores, s.host_cpu_us_per_call);
    if (!s.error.empty()) out << format("   (%zu of %zu rounds; then: ", s.rounds.size(), c.pool_rounds) << s.error << ")";
    out << "\n";
  }
  for (const auto& s : p.sizes)
    if (s.replaced)
      out << format("  size %zu: its pool stopped answering %zu time(s), was replaced and the round measured again; "
                    "first: ", s.size, s.replaced) << s.replaced_why << "\n";
  out << format("  cores: std::thread::hardware_concurrency() = %u; this process may run on %u\n", p.hardware_threads,
                p.usable_cpus);
  out << "  " << pool_expectation(p) << "\n";
  out << "  (cores = CPU time / wall time during the rounds: this process (all threads), the pool's members summed,\n"
         "   and every other process of the machine, from /proc/stat: other work on a shared box shows there)\n\n";
}

void print_failover_table(const results& r, std::ostream& out) {
  if (r.failover.empty()) return;
  out << format("failover: pm.kill(member, SIGKILL) while one client calls whoami in a loop (1000 ms deadline "
                "per call); %zu kill(s) per size, each the first death in a fresh pool, which the manager replaces at "
                "once (later deaths of the same slot back off: 100 ms, x1.5 each, up to 5 s)\n",
                r.config.failovers);
  out << format("  %5s %6s %23s %23s %23s %8s\n", "", "", "(a) first reply (ms)", "(b) replacement (ms)",
                "respawn started (ms)", "failed");
  out << format("  %5s %6s %11s %11s %11s %11s %11s %11s %8s\n", "size", "kills", "median", "max", "median", "max",
                "median", "max", "calls");
  for (const auto& f : r.failover)
    out << format("  %5zu %6zu %11.2f %11.2f %11.2f %11.2f %11.2f %11.2f %8zu\n", f.size, f.kills,
                  f.first_reply.median_ms, f.first_reply.max_ms, f.replacement.median_ms, f.replacement.max_ms,
                  f.respawn_started.median_ms, f.respawn_started.max_ms, f.failed_calls);
  out << "  (a) kill -> first reply from any process but the victim (another member may answer; with one member\n"
         "      only the replacement can, so (a) = (b)); (b) kill -> first reply from the new process; respawn\n"
         "      started: kill -> the manager started the new titan-host (its process_info::started)\n";
  for (const auto& f : r.failover) {
    if (f.gave_up)
      out << format("  size %zu: %zu kill(s) with no reply from a replacement within %zu ms\n", f.size, f.gave_up,
                    r.config.failover_timeout_ms);
    if (f.victim_replies)
      out << format("  size %zu: %zu reply(ies) from the victim after pm.kill returned (signal not yet delivered)\n",
                    f.size, f.victim_replies);
    if (!f.first_error.empty()) out << "  size " << f.size << ": first failed call: " << f.first_error << "\n";
    if (!f.error.empty())
      out << format("  size %zu: %zu kill(s) not measured, the first because: ", f.size, f.broken_kills) << f.error
          << "\n";
  }
  out << "\n";
}

nlohmann::json pool_json(const results& r) {
  const pool_result& p = r.pool;
  nlohmann::json sizes = nlohmann::json::array();
  for (const auto& s : p.sizes)
    sizes.push_back({{"size", s.size},
                     {"window", s.window},
                     {"calls_per_s", s.calls_per_s},
                     {"rounds_calls_per_s", s.rounds},
                     {"ratio_to_size_1", s.ratio_to_1},
                     {"client_cores", s.client_cores},
                     {"host_cores", s.host_cores},
                     {"other_cores", s.other_cores},
                     {"host_cpu_us_per_call", s.host_cpu_us_per_call},
                     {"replaced", s.replaced},
                     {"replaced_why", s.replaced_why},
                     {"error", s.error}});
  return {{"hardware_concurrency", p.hardware_threads},
          {"usable_cpus", p.usable_cpus},
          {"strategy", p.strategy},
          {"method", "hash_rounds"},
          {"data_bytes", p.data_bytes},
          {"hash_rounds", p.hash_rounds},
          {"calibration_probe_rounds", p.probe_rounds},
          {"calibration_probe_extra_host_cpu_us", p.probe_extra_us},
          {"target_call_us", r.config.pool_call_us},
          {"call_latency_p50_us", p.call_latency_us},
          {"empty_call_latency_p50_us", p.base_latency_us},
          {"call_host_cpu_us", p.call_host_cpu_us},
          {"empty_call_host_cpu_us", p.base_host_cpu_us},
          {"window_per_member", r.config.pool_window_per_member},
          {"rounds", r.config.pool_rounds},
          {"calls_per_round", r.config.pool_calls},
          {"sizes", sizes},
          {"expected", pool_expectation(p)},
          {"error", p.error}};
}

nlohmann::json failover_json(const results& r) {
  nlohmann::json out = nlohmann::json::array();
  for (const auto& f : r.failover)
    out.push_back({{"size", f.size},
                   {"kills", f.kills},
                   {"gave_up", f.gave_up},
                   {"first_reply_ms", duration_json(f.first_reply)},
                   {"replacement_ms", duration_json(f.replacement)},
                   {"respawn_started_ms", duration_json(f.respawn_started)},
                   {"failed_calls", f.failed_calls},
                   {"victim_replies", f.victim_replies},
                   {"first_error", f.first_error},
                   {"broken_kills", f.broken_kills},
                   {"error", f.error}});
  return out;
}

}  // namespace titan::bench
