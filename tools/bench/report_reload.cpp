#include "report_reload.hpp"

#include <cstdio>

#include "pool.hpp"
#include "reload.hpp"
#include "report.hpp"
#include "report_pool.hpp"


namespace titan::bench {
namespace {

const char* verdict(const reload_service_result& s) {
  if (s.during.samples == 0 || s.outside.samples == 0) return "not measured";
  return s.worst_ratio <= reload_goal_ratio ? "holds" : "does not hold";
}

// The same ratio for the calls outside a reload: the machine's own noise.
double outside_ratio(const reload_service_result& s) {
  return s.outside.p50_us > 0 ? s.outside.max_us / s.outside.p50_us : 0;
}

nlohmann::json latency_json(const latency_stats& l) {
  return {{"samples", l.samples}, {"min", l.min_us}, {"p50", l.p50_us}, {"p90", l.p90_us},
          {"p99", l.p99_us},      {"max", l.max_us}, {"mean", l.mean_us}};
}

}  // namespace

std::vector<std::string> reload_errors(const results& r) {
  std::vector<std::string> out;
  for (const auto& s : r.reload.services) {
    if (!s.error.empty())
      out.push_back("reload, " + s.key + format(": %zu reload(s) rolled back: ", s.failed_reloads) + s.error);
    else if (s.failed_calls)
      out.push_back("reload, " + s.key + format(": %zu call(s) failed; first: ", s.failed_calls) + s.first_error);
  }
  return out;
}

void print_reload_table(const results& r, std::ostream& out) {
  const settings& c = r.config;
  if (c.reloads == 0 || r.reload.services.empty()) return;
  const auto& services = r.reload.services;
  out << format("reload: pm.reload() with probation 0 ms, %zu time(s) per service, each to the other of two copies of "
                "its plugin file, while %zu client thread(s) (each its own pm.discover() proxy, 5000 ms deadline) "
                "call one at a time; %zu ms before, between and after the reloads; %u core(s)\n",
                c.reloads, c.reload_clients, c.reload_gap_ms, usable_cpus());
  out << format("  %-52s %10s %10s %10s\n", "(ms)", "median", "max", "reloads");
  for (const auto& s : services) {
    out << "  " << s.what << "\n";
    out << format("    %-50s %10.1f %10.1f %10zu\n", "switched: reload() -> every new host takes calls",
                  s.switched.median_ms, s.switched.max_ms, s.switched.samples);
    out << format("    %-50s %10.1f %10.1f %10zu\n", "took: reload() -> it returned (old hosts let go)",
                  s.took.median_ms, s.took.max_ms, s.took.samples);
  }
  for (const auto& s : services) {
    out << format("  %s: %.0f bytes of state handed over per reload (median; max %.0f)", s.key.c_str(),
                  s.state_bytes_median, s.state_bytes_max);
    if (s.stateful) out << format("; %zu keys before the reloads, %zu after", s.keys, s.keys_after);
    if (!s.version.empty()) out << "; " << s.previous_version << " -> " << s.version;
    out << "\n";
  }
  out << "\n";
  out << format("  %-36s %10s %10s %10s %10s\n", "calls (us)", "p50", "p99", "max", "calls");
  for (const auto& s : services) {
    auto line = [&](const char* when, const latency_stats& l) {
      out << format("  %-6s %-29s %10.1f %10.1f %10.1f %10zu\n", s.key.c_str(), when, l.p50_us, l.p99_us, l.max_us,
                    l.samples);
    };
    line("outside a reload", s.outside);
    line("overlapping a reload", s.during);
  }
  for (const auto& s : services) {
    out << format("  %-5s worst call overlapping a reload = %.1fx the p50 outside (goal <= %.0fx: %s; the worst "
                  "call outside a reload: %.1fx); failed calls %zu; sent %zu, replied %zu\n",
                  (s.key + ":").c_str(), s.worst_ratio, reload_goal_ratio, verdict(s), outside_ratio(s),
                  s.failed_calls, s.sent, s.replied);
    if (!s.first_error.empty()) out << "        first failed call: " << s.first_error << "\n";
    if (!s.error.empty()) out << format("        %zu reload(s) failed, the first: ", s.failed_reloads) << s.error << "\n";
  }
  out << format("  (kv's clients alternate swap and get over its %zu keys; echo's call echo with a %zu-byte string.\n"
                "   With state, calls wait while the old host snapshots and the new one restores; without, the\n"
                "   membership switches first. switched includes starting the new host (about spawn-to-ready, "
                "below);\n   a call overlaps a reload if it was in flight at any time between reload()'s call and "
                "return)\n\n",
                c.reload_keys, c.payload);
}

nlohmann::json reload_json(const results& r) {
  const settings& c = r.config;
  nlohmann::json j = {{"reloads_asked", c.reloads},
                      {"clients", c.reload_clients},
                      {"probation_ms", 0},
                      {"gap_ms", c.reload_gap_ms},
                      {"call_deadline_ms", 5000},
                      {"goal_max_over_p50", reload_goal_ratio}};
  for (const auto& s : r.reload.services) {
    nlohmann::json v = {{"what", s.what},
                        {"hosts", s.hosts},
                        {"stateful", s.stateful},
                        {"reloads", s.reloads},
                        {"failed_reloads", s.failed_reloads},
                        {"switched_ms", duration_json(s.switched)},
                        {"took_ms", duration_json(s.took)},
                        {"state_bytes", {{"median", s.state_bytes_median}, {"max", s.state_bytes_max}}},
                        {"version", s.version},
                        {"previous_version", s.previous_version},
                        {"calls",
                         {{"sent", s.sent},
                          {"replied", s.replied},
                          {"failed", s.failed_calls},
                          {"first_error", s.first_error},
                          {"outside_reload_us", latency_json(s.outside)},
                          {"during_reload_us", latency_json(s.during)}}},
                        {"max_during_over_p50_outside", s.worst_ratio},
                        {"max_outside_over_p50_outside", outside_ratio(s)},
                        {"goal", verdict(s)},
                        {"error", s.error}};
    if (s.stateful) v["keys"] = {{"before", s.keys}, {"after", s.keys_after}};
    j[s.key] = v;
  }
  return j;
}

}  // namespace titan::bench
