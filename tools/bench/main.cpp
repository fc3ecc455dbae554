// titan-bench: Titan echo calls against raw ZeroMQ measured in the same run,
// plus spawn-to-ready time and the memory of an idle host.
#include <CLI/CLI.hpp>
#include <filesystem>
#include <iostream>

#include <titan/process_manager.hpp>

#include "bench.hpp"
#include "child.hpp"
#include "compare.hpp"
#include "raw_echo.hpp"
#include "report.hpp"
#include "titan_echo.hpp"

#ifndef TITAN_PLUGIN_DIR
#define TITAN_PLUGIN_DIR ""
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
}

results run(const settings& s) {
  results r;
  r.config = s;
  const std::string plugin = (std::filesystem::path(s.plugin_dir) / "echo.so").string();
  if (!std::filesystem::exists(plugin))
    throw std::runtime_error("no echo plugin at " + plugin + " (build target 'echo', or give --plugin-dir)");

  temp_dir dir;  // the raw server's ipc socket
  titan::ProcessManager pm;  // its destructor stops every host, on error too
  for (const auto& t : s.transports) {
    std::cerr << "titan-bench: " << t << ": raw ZeroMQ vs Titan...\n";
    r.transports.push_back(compare_transport(s, pm, plugin, t, dir, r.transports.empty() ? &r.raw_server_memory : nullptr));
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
  bool json = false;
  std::string raw_server;

  CLI::App app{"titan-bench: Titan echo calls vs raw ZeroMQ DEALER/ROUTER, measured in the same run; "
               "spawn-to-ready time; idle host memory."};
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
  // Internal: the raw echo server, a copy of this program.
  app.add_option("--raw-server", raw_server)->group("");
  CLI11_PARSE(app, argc, argv);

  try {
    if (!raw_server.empty()) return run_raw_server(raw_server);
    install_interrupt_handlers();
    if (s.quick) apply_quick(s, app);
    if (s.payload == 0) throw std::runtime_error("--payload must be at least 1");
    results r = run(s);
    if (json)
      std::cout << to_json(r).dump(2) << std::endl;
    else
      print_table(r, std::cout);
    return 0;
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
