#include "report_supervision.hpp"

#include <cstdio>

#include "pool.hpp"
#include "report.hpp"
#include "report_pool.hpp"


namespace titan::bench {
namespace {

// The figures for comparison; not measured here.
constexpr double pm2_restart_ms = 210;
constexpr double target_restart_ms = 10;

const char* const backoff_note =
    "one tree, the same child killed each time; its backoff.reset_after is 0 ms, so every death counts as the first "
    "after a stable uptime and is restarted at once (no backoff)";

const char* const letters[] = {"(a)", "(b)", "(c)"};

}  // namespace

std::vector<std::string> supervision_errors(const results& r) {
  std::vector<std::string> out;
  const restart_result& k = r.supervision.restart;
  if (!k.error.empty())
    out.push_back(format("supervision, restart: %zu kill(s) not measured: ", k.broken_kills) + k.error);
  for (const auto& t : r.supervision.starts)
    if (!t.error.empty())
      out.push_back("supervision, tree start, " + t.key + format(": %zu run(s) failed: ", t.broken) + t.error);
  return out;
}

void print_supervision_table(const results& r, std::ostream& out) {
  const settings& c = r.config;
  const supervision_result& sup = r.supervision;
  if (c.restarts > 0) {
    const restart_result& k = sup.restart;
    out << format("supervision, restart: a supervised service (not a pool) SIGKILLed (pm.kill) while one client of "
                  "pm.discover(\"bench-restart\") calls whoami in a loop (1000 ms deadline per call); %zu kill(s), ",
                  c.restarts)
        << backoff_note << "\n";
    out << format("  %-42s %10s %10s %10s %10s\n", "(ms)", "median", "p90", "max", "samples");
    auto line = [&](const char* what, const duration_stats& d) {
      out << format("  %-42s %10.2f %10.2f %10.2f %10zu\n", what, d.median_ms, d.p90_ms, d.max_ms, d.samples);
    };
    line("kill -> a new process answers", k.replacement);
    line("kill -> the manager started the new host", k.respawn_started);
    out << format("  (for comparison, from the issue, not measured here: PM2 ~%.0f ms on this kind of machine; "
                  "target <= %.0f ms)\n",
                  pm2_restart_ms, target_restart_ms);
    out << format("  failed calls between a kill and the new process's reply: %zu", k.failed_calls);
    if (!k.first_error.empty()) out << "; first: " << k.first_error;
    out << "\n";
    if (k.gave_up)
      out << format("  %zu kill(s) with no reply from a new process within %zu ms\n", k.gave_up,
                    c.failover_timeout_ms);
    if (k.victim_replies)
      out << format("  %zu reply(ies) from the victim after pm.kill returned (signal not yet delivered)\n",
                    k.victim_replies);
    if (!k.error.empty()) out << format("  %zu kill(s) not measured, the first because: ", k.broken_kills) << k.error << "\n";
    out << "\n";
  }
  if (sup.starts.empty()) return;
  out << format("supervision, tree start: %zu hosts of the compute plugin until every one is READY, %zu run(s) each "
                "way (a fresh manager or instance per run)\n",
                c.tree_size, c.tree_starts);
  out << format("  %-48s %5s %10s %10s %10s\n", "(ms)", "runs", "median", "max",
                format("per host (median/%zu)", c.tree_size).c_str());
  for (std::size_t i = 0; i < sup.starts.size(); ++i) {
    const tree_start_result& t = sup.starts[i];
    const std::string label = std::string(i < 3 ? letters[i] : "   ") + " " + t.way;
    if (t.runs == 0)
      out << format("  %-48s %5zu   not measured (see below)\n", label.c_str(), t.runs);
    else
      out << format("  %-48s %5zu %10.1f %10.1f %10.2f\n", label.c_str(), t.runs, t.total.median_ms,
                    t.total.max_ms, t.per_host_ms);
    if (t.key == "titan_up" && t.down.samples)
      out << format("  %-48s %5zu %10.1f %10.1f\n", "    then titan down (until the daemon exited)", t.down.samples,
                    t.down.median_ms, t.down.max_ms);
  }
  const double spawn = r.spawn.median_ms;
  const unsigned cores = usable_cpus();
  out << format("  (a) OTP order: one child at a time, each READY before the next, so about %zu x spawn-to-ready",
                c.tree_size);
  if (spawn > 0)
    out << format(" (%zu x %.1f ms, the echo plugin's median below, = %.0f ms)", c.tree_size, spawn,
                  static_cast<double>(c.tree_size) * spawn);
  out << "\n";
  out << format("  (b) the %zu members start at once: their start-up work shares %u core(s)\n", c.tree_size, cores);
  out << "  (c) the same one-by-one start as (a) (an implicit one_for_one root), plus the CLI, titan-host --check of "
         "the plugin\n      and the daemon's fork and manager; timed from the exec of `titan up` to its exit\n";
  for (const auto& t : sup.starts) {
    if (t.leftovers)
      out << format("  %s: %zu process(es) were still alive after titan down and were killed\n", t.key.c_str(),
                    t.leftovers);
    if (!t.error.empty())
      out << "  " << t.key << format(": %zu run(s) failed, the first because: ", t.broken) << t.error << "\n";
  }
  out << "\n";
}

nlohmann::json supervision_json(const results& r) {
  const settings& c = r.config;
  const supervision_result& sup = r.supervision;
  const restart_result& k = sup.restart;
  nlohmann::json j;
  j["restart"] = {{"child", "bench-restart"},
                  {"kind", "service"},
                  {"kills_asked", c.restarts},
                  {"kills", k.kills},
                  {"backoff", backoff_note},
                  {"replacement_ms", duration_json(k.replacement)},
                  {"respawn_started_ms", duration_json(k.respawn_started)},
                  {"gave_up", k.gave_up},
                  {"failed_calls", k.failed_calls},
                  {"victim_replies", k.victim_replies},
                  {"first_error", k.first_error},
                  {"broken_kills", k.broken_kills},
                  {"error", k.error},
                  {"reference_not_measured", {{"pm2_ms", pm2_restart_ms}, {"target_ms", target_restart_ms}}}};
  nlohmann::json starts = {{"hosts", c.tree_size}, {"runs_per_way", c.tree_starts}};
  for (const auto& t : sup.starts) {
    nlohmann::json w = {{"way", t.way},
                        {"runs", t.runs},
                        {"total_ms", duration_json(t.total)},
                        {"per_host_ms", t.per_host_ms},
                        {"broken", t.broken},
                        {"error", t.error}};
    if (t.key == "titan_up") {
      w["down_ms"] = duration_json(t.down);
      w["leftovers_killed"] = t.leftovers;
      w["titan"] = sup.titan_binary;
    }
    starts[t.key] = w;
  }
  j["tree_start"] = starts;
  return j;
}

}  // namespace titan::bench
