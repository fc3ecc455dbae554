#include "report.hpp"

#include <cstdio>
#include <string>

#include "report_pool.hpp"
#include "report_reload.hpp"
#include "report_supervision.hpp"
#include "report_workflow.hpp"
#include "report_stream.hpp"

namespace titan::bench {
namespace {

double ratio(double titan, double raw) { return raw > 0 ? titan / raw : 0; }

std::string fmt(const char* format, double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, format, v);
  return buf;
}

void row(std::ostream& out, const std::string& transport, const char* what, const std::string& raw,
         const std::string& titan, const std::string& ratio_text) {
  char buf[160];
  std::snprintf(buf, sizeof buf, "  %-5s %-28s %12s %12s %10s\n", transport.c_str(), what, raw.c_str(), titan.c_str(),
                ratio_text.c_str());
  out << buf;
}

void ratio_row(std::ostream& out, const std::string& t, const char* what, const char* format, double raw,
               double titan) {
  row(out, t, what, fmt(format, raw), fmt(format, titan), fmt("%.2fx", ratio(titan, raw)));
}

nlohmann::json side_json(const side_result& s, const std::string& endpoint) {
  const latency_stats& l = s.latency;
  const throughput_stats& t = s.throughput;
  return {
      {"endpoint", endpoint},
      {"latency_us",
       {{"min", l.min_us}, {"p50", l.p50_us}, {"p90", l.p90_us}, {"p99", l.p99_us}, {"max", l.max_us}, {"mean", l.mean_us},
        {"samples", l.samples}}},
      {"throughput",
       {{"calls_per_s", t.calls_per_s},
        {"rounds_calls_per_s", t.rounds},
        {"client_cpu_us_per_call", t.client_cpu_us_per_call},
        {"server_cpu_us_per_call", t.server_cpu_us_per_call}}},
  };
}

nlohmann::json memory_json(const memory_result& m) { return {{"rss", m.rss_kb}, {"pss", m.pss_kb}}; }

}  // namespace

void print_table(const results& r, std::ostream& out) {
  const settings& c = r.config;
  out << "titan-bench: " << c.payload << "-byte string through EchoService::echo" << (c.quick ? "  [--quick]" : "")
      << "\n  latency: " << c.latency_calls << " calls, one in flight (after " << c.latency_warmup << " warm-up)"
      << "\n  throughput: " << c.throughput_rounds << " round(s) of " << c.throughput_calls << " calls, " << c.window
      << " in flight (median round)\n\n";
  row(out, "", "", "raw ZeroMQ", "Titan", "Titan/raw");
  for (const auto& t : r.transports) {
    const auto &raw = t.raw, &titan = t.titan;
    ratio_row(out, t.transport, "latency min (us)", "%.1f", raw.latency.min_us, titan.latency.min_us);
    ratio_row(out, t.transport, "latency p50 (us)", "%.1f", raw.latency.p50_us, titan.latency.p50_us);
    ratio_row(out, t.transport, "latency p90 (us)", "%.1f", raw.latency.p90_us, titan.latency.p90_us);
    ratio_row(out, t.transport, "latency p99 (us)", "%.1f", raw.latency.p99_us, titan.latency.p99_us);
    ratio_row(out, t.transport, "throughput (calls/s)", "%.0f", raw.throughput.calls_per_s,
              titan.throughput.calls_per_s);
    ratio_row(out, t.transport, "client CPU per call (us)", "%.2f", raw.throughput.client_cpu_us_per_call,
              titan.throughput.client_cpu_us_per_call);
    ratio_row(out, t.transport, "server CPU per call (us)", "%.2f", raw.throughput.server_cpu_us_per_call,
              titan.throughput.server_cpu_us_per_call);
  }
  out << "  (CPU per call: user+system time of all threads during the throughput rounds; 2 processes share "
         "the machine's cores)\n";
  for (const auto& t : r.transports)
    if (t.host_replaced)
      out << "  " << t.transport << ": the Titan echo host stopped answering " << t.host_replaced
          << " time(s); measured again with a fresh host; first: " << t.host_replaced_why << "\n";
  out << "\n";

  print_pool_table(r, out);
  print_failover_table(r, out);
  print_supervision_table(r, out);
  print_reload_table(r, out);
  print_workflow_table(r, out);
  print_stream_table(r, out);

  char buf[256];
  const spawn_result& s = r.spawn;
  std::snprintf(buf, sizeof buf,
                "spawn-to-ready (spawn_host until READY, %zu spawns): median %.1f ms, p90 %.1f ms "
                "(min %.1f, max %.1f); stop median %.1f ms\n",
                s.count, s.median_ms, s.p90_ms, s.min_ms, s.max_ms, s.stop_median_ms);
  out << buf;
  std::snprintf(buf, sizeof buf, "idle titan-host (echo plugin): Rss %ld kB, Pss %ld kB\n", r.host_memory.rss_kb,
                r.host_memory.pss_kb);
  out << buf;
  std::snprintf(buf, sizeof buf, "idle raw echo server (titan-bench --raw-server, for reference): Rss %ld kB, Pss %ld kB\n",
                r.raw_server_memory.rss_kb, r.raw_server_memory.pss_kb);
  out << buf;
}

nlohmann::json to_json(const results& r) {
  const settings& c = r.config;
  nlohmann::json j;
  j["payload_bytes"] = c.payload;
  j["quick"] = c.quick;
  j["settings"] = {{"latency_warmup", c.latency_warmup},     {"latency_calls", c.latency_calls},
                   {"window", c.window},                     {"throughput_warmup", c.throughput_warmup},
                   {"throughput_calls", c.throughput_calls}, {"throughput_rounds", c.throughput_rounds},
                   {"spawns", c.spawns},                     {"pool_sizes", c.pool_sizes},
                   {"pool_strategy", c.pool_strategy},       {"pool_call_us", c.pool_call_us},
                   {"pool_calls", c.pool_calls},             {"pool_rounds", c.pool_rounds},
                   {"pool_window_per_member", c.pool_window_per_member},
                   {"failovers", c.failovers},               {"failover_timeout_ms", c.failover_timeout_ms},
                   {"restarts", c.restarts},                 {"tree_starts", c.tree_starts},
                   {"tree_size", c.tree_size},               {"reloads", c.reloads},
                   {"reload_clients", c.reload_clients},     {"reload_keys", c.reload_keys},
                   {"workflow_runs", c.workflow_runs},       {"stream_items", c.stream_items},
                   {"stream_slow_items", c.stream_slow_items}};
  j["transports"] = nlohmann::json::object();
  for (const auto& t : r.transports) {
    j["transports"][t.transport] = {
        {"raw", side_json(t.raw, t.raw_endpoint)},
        {"titan", side_json(t.titan, t.titan_endpoint)},
        {"latency_p50_ratio", ratio(t.titan.latency.p50_us, t.raw.latency.p50_us)},
        {"latency_p99_ratio", ratio(t.titan.latency.p99_us, t.raw.latency.p99_us)},
        {"throughput_ratio", ratio(t.titan.throughput.calls_per_s, t.raw.throughput.calls_per_s)},
        {"titan_host_replaced", t.host_replaced},
        {"titan_host_replaced_why", t.host_replaced_why},
    };
  }
  const spawn_result& s = r.spawn;
  j["spawn_to_ready_ms"] = {{"count", s.count}, {"median", s.median_ms}, {"p90", s.p90_ms},
                            {"min", s.min_ms},  {"max", s.max_ms},       {"stop_median", s.stop_median_ms}};
  j["pool"] = pool_json(r);
  j["failover"] = failover_json(r);
  j["supervision"] = supervision_json(r);
  j["reload"] = reload_json(r);
  j["workflow"] = workflow_json(r);
  j["stream"] = stream_json(r);
  j["errors"] = section_errors(r);
  j["idle_host_memory_kb"] = memory_json(r.host_memory);
  j["raw_server_memory_kb"] = memory_json(r.raw_server_memory);
  return j;
}

}  // namespace titan::bench
