// titan: the command-line client. Results go to stdout (JSON where a value is
// printed), errors to stderr as "error: CODE: message".
#include <CLI/CLI.hpp>
#include <cstdlib>

#include "commands.hpp"

namespace {
constexpr const char* footer = R"(
Exit codes:
  0      success
  1      the daemon (titan daemon, titan up) could not start, or a topology's top supervisor gave up
  2      bad command line or an argument that is not valid JSON
  3      titan check, titan up: the topology is invalid (each problem on stderr as FILE:LINE:COL: KEY: message)
  4      titan run: a stage of the workflow failed (the stages that had run were compensated)
  5      titan run: a stage failed and a compensation failed too
  10+N   the call failed with gRPC status code N, e.g.
         13 INVALID_ARGUMENT  14 DEADLINE_EXCEEDED  15 NOT_FOUND
         19 FAILED_PRECONDITION  22 UNIMPLEMENTED  23 INTERNAL  24 UNAVAILABLE
  128+N  titan up (foreground): signal N arrived while the tree was still starting
)";
}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"titan: run, call and inspect Titan services"};
  app.footer(footer);
  app.require_subcommand(1);
  titan::cli::common_args common;
  if (const char* env = std::getenv("TITAN_INSTANCE"); env && *env) common.instance = env;
  titan::cli::add_common_options(app, common);
  int rc = 0;
  titan::cli::add_call_command(app, common, rc);
  titan::cli::add_describe_command(app, common, rc);
  titan::cli::add_stream_command(app, common, rc);
  titan::cli::add_daemon_command(app, common, rc);
  titan::cli::add_up_commands(app, common, rc);
  titan::cli::add_ps_command(app, common, rc);
  titan::cli::add_manager_commands(app, common, rc);
  titan::cli::add_reload_command(app, common, rc);
  titan::cli::add_check_command(app, common, rc);
  titan::cli::add_logs_command(app, common, rc);
  titan::cli::add_run_command(app, common, rc);
  for (CLI::App* sub : app.get_subcommands({})) titan::cli::add_common_options(*sub, common);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    int r = app.exit(e);
    return r == 0 ? 0 : titan::cli::exit_usage;
  }
  return rc;
}
