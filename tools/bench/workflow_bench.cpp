#include "workflow_bench.hpp"

#include <titan/process_manager.hpp>
#include <titan/workflow.hpp>

#include "child.hpp"

namespace titan::bench {
namespace {

constexpr std::size_t chunk = 100;  // runs per turn
constexpr std::size_t warmup = 50;  // per side

}  // namespace

workflow_bench_result measure_workflow(const settings& s, const std::string& echo_plugin,
                                       std::shared_ptr<spdlog::logger> log) {
  workflow_bench_result r;
  r.runs = s.workflow_runs;
  try {
    titan::ProcessManager::options o;
    o.logger = std::move(log);
    titan::ProcessManager pm(o);
    pm.spawn_host(echo_plugin, {.name = "bench-wf-echo"});
    pm.add_workflow(titan::workflow_builder("bench3")
                        .stage("a").call("bench-wf-echo.echo").args({"$input"})
                        .stage("b").call("bench-wf-echo.echo").args({"$a"}).depends_on({"a"})
                        .stage("c").call("bench-wf-echo.echo").args({"$b"}).depends_on({"b"})
                        .output("$c")
                        .build());
    const titan::workflow_runner runner = pm.workflow("bench3");
    const titan::Client client = titan::Client::discover(pm.control_endpoint(), "bench-wf-echo");
    const std::string payload = make_payload(s.payload);
    const titan::workflow_value input(payload);

    auto by_hand = [&] {
      std::string a = client.call<std::string>("echo", payload).get();
      std::string b = client.call<std::string>("echo", a).get();
      if (client.call<std::string>("echo", b).get() != payload) throw std::runtime_error("by hand: wrong echo");
    };
    auto by_workflow = [&] {
      const titan::workflow_report rep = runner.run(input);
      if (!rep.ok) throw std::runtime_error("workflow: stage " + rep.failed_stage + ": " + rep.message);
      if (rep.output != input) throw std::runtime_error("workflow: wrong output " + rep.output.to_json());
    };
    for (std::size_t i = 0; i < warmup; ++i) by_hand(), by_workflow();

    std::vector<double> hand_ns, workflow_ns;
    auto timed = [](auto&& fn, std::vector<double>& out) {
      const auto t0 = clock::now();
      fn();
      const auto ns = std::chrono::duration_cast<std::chrono::nanoseconds>(clock::now() - t0).count();
      out.push_back(static_cast<double>(ns));
    };
    while (hand_ns.size() < s.workflow_runs) {
      throw_if_interrupted();
      const std::size_t n = std::min(chunk, s.workflow_runs - hand_ns.size());
      for (std::size_t i = 0; i < n; ++i) timed(by_hand, hand_ns);
      for (std::size_t i = 0; i < n; ++i) timed(by_workflow, workflow_ns);
    }
    r.by_hand = summarize_latency(hand_ns);
    r.workflow = summarize_latency(workflow_ns);
    if (r.by_hand.p50_us > 0) r.p50_ratio = r.workflow.p50_us / r.by_hand.p50_us;
    if (r.by_hand.mean_us > 0) r.mean_ratio = r.workflow.mean_us / r.by_hand.mean_us;
    r.overhead_per_stage_us = (r.workflow.p50_us - r.by_hand.p50_us) / static_cast<double>(r.stages);
    pm.shutdown();
  } catch (const interrupted&) {
    throw;
  } catch (const std::exception& e) {
    if (interrupt_requested()) throw;
    r.error = e.what();
  }
  return r;
}

}  // namespace titan::bench
