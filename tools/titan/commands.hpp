// The `titan` subcommands. Each sets `rc`, the process exit code.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace CLI {
class App;
}

namespace titan::cli {

// Exit codes: 0 success, 2 bad command line, 10 + the gRPC code number of a
// call that failed (13 INVALID_ARGUMENT, 14 DEADLINE_EXCEEDED, 15 NOT_FOUND,
// 22 UNIMPLEMENTED, 23 INTERNAL, 24 UNAVAILABLE, ...).
inline constexpr int exit_usage = 2;
inline constexpr int exit_invalid_topology = 3;  // titan check
inline constexpr int exit_workflow_failed = 4;      // titan run: a stage failed; what ran was compensated
inline constexpr int exit_compensation_failed = 5;  // titan run: a stage failed, and a compensation too
inline constexpr int exit_call_error_base = 10;

// Options every command shares.
struct common_args {
  std::string instance = "default";  // which daemon (--instance, $TITAN_INSTANCE)
  long timeout_ms = 5000;
  bool timeout_given = false;  // --timeout on the command line (else a service's own call_timeout applies)
};

struct daemon_args {
  std::string instance;
  bool detach = false;
  std::string log_level = "info";
  std::string log_dir;  // hosts' output goes to LOG_DIR/NAME.log; "" = not captured
  std::uint64_t log_max_size = 10u << 20;
  unsigned log_files = 5;
  std::string topology_file;  // `titan up FILE`: run this topology (already checked)
};

void add_call_command(CLI::App& app, common_args& common, int& rc);
void add_describe_command(CLI::App& app, common_args& common, int& rc);
void add_stream_command(CLI::App& app, common_args& common, int& rc);
void add_daemon_command(CLI::App& app, common_args& common, int& rc);
void add_manager_commands(CLI::App& app, common_args& common, int& rc);  // spawn, kill, stop, scale, shutdown
void add_check_command(CLI::App& app, common_args& common, int& rc);
void add_logs_command(CLI::App& app, common_args& common, int& rc);
void add_ps_command(CLI::App& app, common_args& common, int& rc);
void add_reload_command(CLI::App& app, common_args& common, int& rc);
void add_up_commands(CLI::App& app, common_args& common, int& rc);  // up, down
void add_run_command(CLI::App& app, common_args& common, int& rc);  // run a workflow

// --instance and --timeout, accepted before and after the subcommand.
void add_common_options(CLI::App& app, common_args& common);

// Prints "error: CODE: message" and returns the matching exit code.
int report_error(const std::exception& e);

}  // namespace titan::cli
