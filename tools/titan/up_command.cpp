// `titan up FILE`: check a topology, then run it (in the foreground, or with
// --detach in the background once every host is READY). `titan down`:
// stop it, in reverse start order, and wait until the daemon has exited.
#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <chrono>
#include <filesystem>
#include <iostream>
#include <memory>
#include <thread>

#include <titan/detail/unique_fd.hpp>
#include <titan/topology.hpp>

#include "commands.hpp"
#include "daemon_runner.hpp"
#include "instance.hpp"

namespace titan::cli {
namespace {

// Every problem in the file and its plugins, printed; false if any.
bool check_topology(const std::string& file) {
  try {
    titan::topology t = titan::load_topology(file);
    auto problems = titan::check_plugins(t);
    for (const auto& p : problems) std::cerr << "error: " << p.to_string() << '\n';
    return problems.empty();
  } catch (const titan::topology_errors& e) {
    for (const auto& p : e.errors()) std::cerr << "error: " << p.to_string() << '\n';
    return false;
  }
}

// The daemon holds an flock on INSTANCE.lock while it lives.
bool daemon_exited(const std::string& instance) {
  const std::string lock_path = instances_dir() + "/" + instance + ".lock";
  const detail::unique_fd fd(::open(lock_path.c_str(), O_RDWR | O_CLOEXEC));
  if (!fd) return true;
  return ::flock(fd.get(), LOCK_EX | LOCK_NB) == 0;
}

int down(const common_args& common, long wait_ms) {
  if (daemon_exited(common.instance)) {  // the lock tells, even after a daemon that was killed
    std::cerr << "titan down: no titan daemon runs for instance '" << common.instance << "'\n";
    return 0;
  }
  try {
    auto manager = connect_manager(common.instance, common.timeout_ms);
    manager.shutdown().get();
  } catch (const std::exception& e) {
    return report_error(e);
  }
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(wait_ms);
  while (!daemon_exited(common.instance)) {
    if (std::chrono::steady_clock::now() > deadline) {
      std::cerr << "error: DEADLINE_EXCEEDED: the daemon of instance '" << common.instance << "' still runs after "
                << wait_ms << " ms\n";
      return exit_call_error_base + static_cast<int>(status_code::deadline_exceeded);
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));  // polling the lock, with a deadline
  }
  std::cout << "titan down: instance '" << common.instance << "' stopped\n";
  return 0;
}

}  // namespace

void add_up_commands(CLI::App& app, common_args& common, int& rc) {
  auto a = std::make_shared<daemon_args>();
  auto* up = app.add_subcommand("up", "Check a TOML topology, then start it in order and keep it running");
  up->add_option("file", a->topology_file, "Topology file (see titan check)")->required()->check(CLI::ExistingFile);
  up->add_flag("--detach,-d", a->detach, "Run in the background; return once every host is READY (exit 0) or not (1)");
  up->add_option("--log-level", a->log_level, "The manager's own log: trace, debug, info, warn, error")
      ->check(CLI::IsMember({"trace", "debug", "info", "warn", "error", "critical", "off"}));
  up->footer("\nCtrl-C (or titan down) stops every host in reverse start order. Exit code 3: the topology is not "
             "valid (nothing started); 1: it could not start, or its top supervisor gave up.");
  up->callback([a, &common, &rc] {
    a->instance = common.instance;
    a->topology_file = std::filesystem::absolute(a->topology_file).lexically_normal().string();
    if (!check_topology(a->topology_file)) {
      rc = exit_invalid_topology;
      return;
    }
    rc = a->detach ? detach(*a) : run_daemon(*a, -1);
  });

  auto wait_ms = std::make_shared<long>(120000);
  auto* down_cmd = app.add_subcommand("down", "Stop the daemon's hosts in reverse start order and wait until it exits");
  down_cmd->add_option("--wait", *wait_ms, "Milliseconds to wait for the daemon to exit (default 120000)")
      ->check(CLI::PositiveNumber);
  down_cmd->callback([wait_ms, &common, &rc] { rc = down(common, *wait_ms); });
}

}  // namespace titan::cli
