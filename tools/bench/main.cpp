// titan-bench: Titan echo calls against raw ZeroMQ measured in the same run,
// pool throughput by pool size, failover after a member's death, the restart
// of a supervised service and the start of a tree of many hosts, hot
// reload under load, plus spawn-to-ready time and the memory of an idle host.
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include <CLI/CLI.hpp>
#include <filesystem>
#include <iostream>

#include <titan/process_manager.hpp>

#include "bench.hpp"
#include "child.hpp"
#include "compare.hpp"
#include "failover.hpp"
#include "pool.hpp"
#include "raw_echo.hpp"
#include "reload.hpp"
#include "report.hpp"
#include "report_pool.hpp"
#include "supervision.hpp"
#include "titan_echo.hpp"
#include "workflow_bench.hpp"
#include "stream_bench.hpp"

#ifndef TITAN_PLUGIN_DIR
#define TITAN_PLUGIN_DIR ""
#endif
#ifndef TITAN_TEST_PLUGIN_DIR
#define TITAN_TEST_PLUGIN_DIR ""
#endif
#ifndef TITAN_CLI_BINARY
#define TITAN_CLI_BINARY ""
#endif

using namespace titan::bench;

namespace {

// Fewer iterations, for a smoke run; options given explicitly still win.
void apply_quick(settings& s, CLI::App& app) {
  auto unset = [&](const char* name) { return app.get_option(name)->count() == 0; };
  s.latency_warmup = 200;
  s.latency_chunks = 2;
  s.throughput_warmup = 2000;
  if (unset("--latency-calls")) s.latency_calls = 1000;
  if (unset("--throughput-calls")) s.throughput_calls = 5000;
  if (unset("--rounds")) s.throughput_rounds = 1;
  if (unset("--spawns")) s.spawns = 3;
  s.pool_calibration_calls = 40;
  if (unset("--pool-calls")) s.pool_calls = 300;
  if (unset("--pool-rounds")) s.pool_rounds = 1;
  if (unset("--failovers")) s.failovers = 2;
  if (unset("--restarts")) s.restarts = 2;
  if (unset("--tree-starts")) s.tree_starts = 1;
  if (unset("--reloads")) s.reloads = 3;
  if (unset("--workflow-runs")) s.workflow_runs = 200;
  if (unset("--stream-items")) s.stream_items = 100000;
  s.stream_big_items = 200;
  s.stream_rounds = 1;
  if (unset("--stream-slow-items")) s.stream_slow_items = 200000;
  s.reload_gap_ms = 100;
}

// The titan CLI next to this program (an install), else the build's.
std::string default_titan_binary() {
  std::error_code ec;
  const auto self = std::filesystem::read_symlink("/proc/self/exe", ec);
  if (!ec) {
    const auto next = self.parent_path() / "titan";
    if (std::filesystem::exists(next, ec)) return next.string();
  }
  return TITAN_CLI_BINARY;
}

std::string plugin_path(const settings& s, const char* file, const char* target) {
  const std::string plugin = (std::filesystem::path(s.plugin_dir) / file).string();
  if (!std::filesystem::exists(plugin))
    throw std::runtime_error("no " + std::string(target) + " plugin at " + plugin + " (build target '" + target +
                             "', or give --plugin-dir)");
  return plugin;
}

// For a manager whose expected warnings (a pool member killed, restarted) would only be noise.
std::shared_ptr<spdlog::logger> errors_only_logger() {
  auto log = std::make_shared<spdlog::logger>("titan-bench", std::make_shared<spdlog::sinks::stderr_color_sink_mt>());
  log->set_level(spdlog::level::err);
  return log;
}

results run(const settings& s) {
  results r;
  r.config = s;
  const std::string plugin = plugin_path(s, "echo.so", "echo");
  const std::string compute = plugin_path(s, "compute.so", "compute");

  temp_dir dir;  // the raw server's ipc socket
  titan::ProcessManager pm;  // its destructor stops every host, on error too
  for (const auto& t : s.transports) {
    std::cerr << "titan-bench: " << t << ": raw ZeroMQ vs Titan...\n";
    // A Titan error here means the echo host misbehaved (e.g. stopped
    // answering): measure again with a fresh host, and say so in the report.
    std::size_t replaced = 0;
    std::string why;
    for (;;) {
      try {
        r.transports.push_back(
            compare_transport(s, pm, plugin, t, dir, r.transports.empty() ? &r.raw_server_memory : nullptr));
        break;
      } catch (const titan::Error& e) {
        if (interrupt_requested() || ++replaced >= 3) throw;
        if (why.empty()) why = e.what();
        std::cerr << "titan-bench: " << t << ": " << e.what() << "; measuring again with a fresh host\n";
      }
    }
    r.transports.back().host_replaced = replaced;
    r.transports.back().host_replaced_why = why;
  }
  // The pool and failover sections record a failure in the results and
  // the run goes on (exit status 2): see section_errors().
  if (!s.pool_sizes.empty()) {
    std::cerr << "titan-bench: pool throughput...\n";
    try {
      r.pool = measure_pools(s, pm, compute);
    } catch (const std::exception& e) {
      if (interrupt_requested()) throw;
      r.pool.error = e.what();
    }
  }
  if (s.failovers > 0) {
    // Its own manager: killing members makes the manager warn, as it should.
    titan::ProcessManager::options o;
    o.logger = errors_only_logger();
    titan::ProcessManager failover_pm(o);
    for (std::size_t size : {2, 1}) {
      std::cerr << "titan-bench: failover, pool of " << size << ", x" << s.failovers << "...\n";
      r.failover.push_back(measure_failover(s, failover_pm, compute, size));
    }
    failover_pm.shutdown();
  }
  // Managers of its own, one per tree (see supervision.hpp).
  r.supervision.titan_binary = s.titan_binary;
  if (s.restarts > 0) {
    std::cerr << "titan-bench: supervision: restart of a supervised service x" << s.restarts << "...\n";
    r.supervision.restart = measure_restarts(s, compute, errors_only_logger());
  }
  if (s.tree_starts > 0) {
    std::cerr << "titan-bench: supervision: start of " << s.tree_size << " hosts, three ways, x" << s.tree_starts
              << "...\n";
    r.supervision.starts.push_back(measure_tree_start(s, compute, false, errors_only_logger()));
    r.supervision.starts.push_back(measure_tree_start(s, compute, true, errors_only_logger()));
    r.supervision.starts.push_back(measure_titan_up(s, compute));
  }
  // A manager of its own; each service records its own failure (see reload.hpp).
  if (s.reloads > 0) r.reload = measure_reloads(s, plugin_path(s, "kv.so", "kv"), plugin, errors_only_logger());
  if (s.workflow_runs > 0) {
    std::cerr << "titan-bench: workflow: 3 stages vs 3 calls by hand, x" << s.workflow_runs << "...\n";
    r.workflow = measure_workflow(s, plugin, errors_only_logger());
  }
  if (s.stream_items > 0) {
    std::cerr << "titan-bench: streams, " << s.stream_items << " items vs raw ZeroMQ...\n";
    try {
      if (!std::filesystem::exists(s.stream_plugin))
        throw std::runtime_error("no streamer plugin at " + s.stream_plugin + " (build target 'streamer', or give --stream-plugin)");
      r.stream = measure_streams(s, pm, s.stream_plugin);
    } catch (const std::exception& e) {
      r.stream.error = e.what();
    }
  }
  std::cerr << "titan-bench: spawn-to-ready x" << s.spawns << "...\n";
  r.spawn = measure_spawn(pm, plugin, s.spawns);
  std::cerr << "titan-bench: idle host memory...\n";
  r.host_memory = measure_idle_host(pm, plugin);
  pm.shutdown();
  return r;
}

}  // namespace

int main(int argc, char** argv) {
  settings s;
  s.plugin_dir = TITAN_PLUGIN_DIR;
  s.titan_binary = default_titan_binary();
  bool json = false;
  std::string raw_server;

  CLI::App app{"titan-bench: Titan echo calls vs raw ZeroMQ DEALER/ROUTER, measured in the same run; "
               "pools, failover, supervision (restart, tree start), hot reload; workflows; streams; spawn-to-ready time; idle host memory."};
  app.add_option("--payload", s.payload, "Bytes of the echoed string")->capture_default_str();
  app.add_flag("--json", json, "Print one JSON object instead of the table");
  app.add_flag("--quick", s.quick, "Few iterations: a smoke run, not a measurement");
  app.add_option("--plugin-dir", s.plugin_dir, "Directory holding echo.so")->capture_default_str();
  app.add_option("--transport", s.transports, "ipc and/or tcp (repeatable)")
      ->check(CLI::IsMember({"ipc", "tcp"}))
      ->capture_default_str();
  app.add_option("--latency-calls", s.latency_calls, "Measured calls with one in flight")->capture_default_str();
  app.add_option("--throughput-calls", s.throughput_calls, "Calls per throughput round")->capture_default_str();
  app.add_option("--rounds", s.throughput_rounds, "Throughput rounds (median reported)")->capture_default_str();
  app.add_option("--window", s.window, "Calls in flight for throughput")
      ->check(CLI::Range(std::size_t{1}, std::size_t{100000}))
      ->capture_default_str();
  app.add_option("--spawns", s.spawns, "Spawns timed for spawn-to-ready")->capture_default_str();
  app.add_option("--pool-sizes", s.pool_sizes, "Pool sizes for pool throughput (comma-separated)")
      ->delimiter(',')
      ->check(CLI::Range(std::size_t{1}, std::size_t{64}))
      ->capture_default_str();
  app.add_option("--pool-strategy", s.pool_strategy, "Balancing strategy of the pools")
      ->check(CLI::IsMember({"round-robin", "least-loaded", "random"}))
      ->capture_default_str();
  app.add_option("--pool-call-us", s.pool_call_us, "Work per hash_rounds call, in microseconds")
      ->check(CLI::Range(1.0, 100000.0))
      ->capture_default_str();
  app.add_option("--pool-calls", s.pool_calls, "Calls per pool size and round")->capture_default_str();
  app.add_option("--pool-rounds", s.pool_rounds, "Pool rounds (median reported)")->capture_default_str();
  app.add_option("--failovers", s.failovers, "Member kills timed per pool size (2 and 1; 0: skip)")
      ->capture_default_str();
  app.add_option("--restarts", s.restarts, "SIGKILLs of a supervised service, each timed until a new process "
                 "answers (0: skip)")->capture_default_str();
  app.add_option("--tree-starts", s.tree_starts, "Starts timed per way of starting a tree (0: skip)")
      ->capture_default_str();
  app.add_option("--tree-size", s.tree_size, "Hosts in each started tree")
      ->check(CLI::Range(std::size_t{1}, std::size_t{256}))
      ->capture_default_str();
  app.add_option("--reloads", s.reloads, "Hot reloads timed per service (kv with state, an echo pool without; "
                 "0: skip)")->capture_default_str();
  app.add_option("--reload-clients", s.reload_clients, "Threads calling during the reloads, one call at a time each")
      ->check(CLI::Range(std::size_t{1}, std::size_t{64}))
      ->capture_default_str();
  app.add_option("--workflow-runs", s.workflow_runs, "Runs of a 3-stage workflow, and of the same 3 calls by hand "
                 "(0: skip)")->capture_default_str();
  s.stream_plugin = (std::filesystem::path(TITAN_TEST_PLUGIN_DIR) / "streamer.so").string();
  app.add_option("--stream-items", s.stream_items, "Items per streaming round, against raw ZeroMQ (0: skip)")
      ->capture_default_str();
  app.add_option("--stream-slow-items", s.stream_slow_items, "Items of one stream to a slow reader (0: skip)")
      ->capture_default_str();
  app.add_option("--stream-window", s.stream_window, "Credit of the streams, in items (0: titan::client_options' default)")
      ->capture_default_str();
  app.add_option("--stream-plugin", s.stream_plugin, "The streamer test plugin")->capture_default_str();
  app.add_option("--titan", s.titan_binary, "The titan CLI, for `titan up --detach`")->capture_default_str();
  // Internal: the raw echo server, a copy of this program.
  app.add_option("--raw-server", raw_server)->group("");
  std::string raw_streamer;
  app.add_option("--raw-streamer", raw_streamer)->group("");
  CLI11_PARSE(app, argc, argv);

  try {
    if (!raw_server.empty()) return run_raw_server(raw_server);
    if (!raw_streamer.empty()) return run_raw_streamer(raw_streamer);
    install_interrupt_handlers();
    if (s.quick) apply_quick(s, app);
    if (s.payload == 0) throw std::runtime_error("--payload must be at least 1");
    results r = run(s);
    if (json)
      std::cout << to_json(r).dump(2) << std::endl;
    else
      print_table(r, std::cout);
    const auto errors = section_errors(r);
    for (const auto& e : errors) std::cerr << "titan-bench: " << e << "\n";
    return errors.empty() ? 0 : 2;
  } catch (const interrupted&) {
    std::cerr << "titan-bench: interrupted; every process it started is stopped\n";
    return 130;
  } catch (const std::exception& e) {
    if (interrupt_requested()) {  // e.g. a receive cut short by the signal
      std::cerr << "titan-bench: interrupted (" << e.what() << "); every process it started is stopped\n";
      return 130;
    }
    std::cerr << "titan-bench: " << e.what() << "\n";
    return 1;
  }
}
