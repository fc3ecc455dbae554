#include "report_workflow.hpp"

#include "report.hpp"

namespace titan::bench {

std::vector<std::string> workflow_errors(const results& r) {
  if (r.workflow.error.empty()) return {};
  return {"workflow: " + r.workflow.error};
}

void print_workflow_table(const results& r, std::ostream& out) {
  const settings& c = r.config;
  const workflow_bench_result& w = r.workflow;
  if (c.workflow_runs == 0) return;
  out << format("workflow: a 3-stage linear workflow (echo -> echo -> echo, %zu-byte string) run by "
                "pm.workflow().run(), against the same 3 calls made by hand through a discovering client of the "
                "same host; %zu runs each, in turns of 100\n",
                c.payload, w.runs);
  out << format("  %-28s %12s %12s %10s\n", "(us per run)", "by hand", "workflow", "wf/hand");
  auto row = [&](const char* what, double hand, double wf) {
    out << format("  %-28s %12.1f %12.1f %9.2fx\n", what, hand, wf, hand > 0 ? wf / hand : 0.0);
  };
  row("latency p50", w.by_hand.p50_us, w.workflow.p50_us);
  row("latency p90", w.by_hand.p90_us, w.workflow.p90_us);
  row("latency p99", w.by_hand.p99_us, w.workflow.p99_us);
  row("latency mean", w.by_hand.mean_us, w.workflow.mean_us);
  out << format("  overhead per stage (p50): %.1f us (scheduling, templates, MessagePack <-> values; a chain runs "
                "on the caller's thread)\n",
                w.overhead_per_stage_us);
  if (!w.error.empty()) out << "  not measured: " << w.error << "\n";
  out << "\n";
}

nlohmann::json workflow_json(const results& r) {
  const workflow_bench_result& w = r.workflow;
  auto latency = [](const latency_stats& l) {
    return nlohmann::json{{"samples", l.samples}, {"min", l.min_us}, {"p50", l.p50_us}, {"p90", l.p90_us},
                          {"p99", l.p99_us},      {"max", l.max_us}, {"mean", l.mean_us}};
  };
  return {{"runs", w.runs},
          {"stages", w.stages},
          {"by_hand_us", latency(w.by_hand)},
          {"workflow_us", latency(w.workflow)},
          {"p50_ratio", w.p50_ratio},
          {"mean_ratio", w.mean_ratio},
          {"overhead_per_stage_us", w.overhead_per_stage_us},
          {"error", w.error}};
}

}  // namespace titan::bench
