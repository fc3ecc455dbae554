// `titan daemon`: runs the manager the other commands talk to.
#include <CLI/CLI.hpp>
#include <memory>

#include "commands.hpp"
#include "daemon_runner.hpp"

namespace titan::cli {

void add_daemon_command(CLI::App& app, common_args& common, int& rc) {
  auto a = std::make_shared<daemon_args>();  // kept alive by the callback
  auto* cmd = app.add_subcommand("daemon", "Run the manager (titan.manager) that the other commands talk to");
  cmd->add_flag("--detach,-d", a->detach, "Run in the background; return once it serves");
  cmd->add_option("--log-level", a->log_level, "trace, debug, info, warn, error")
      ->check(CLI::IsMember({"trace", "debug", "info", "warn", "error", "critical", "off"}));
  cmd->add_option("--log-dir", a->log_dir, "Capture each host's stdout and stderr in DIR/NAME.log (see titan logs)");
  cmd->add_option("--log-max-size", a->log_max_size, "Rotate a host's log file past this many bytes (default 10 MiB)")
      ->check(CLI::PositiveNumber);
  cmd->add_option("--log-files", a->log_files, "Rotated files kept per host: NAME.log.1 ... NAME.log.N (default 5)");
  cmd->callback([a, &common, &rc] {
    a->instance = common.instance;
    rc = a->detach ? detach(*a) : run_daemon(*a, -1);
  });
}

}  // namespace titan::cli
