// titan: the command-line client. Every subcommand is also usable from scripts:
// results on stdout as JSON, errors on stderr as "error: CODE: message".
#include <CLI/CLI.hpp>

#include "commands.hpp"

namespace {
constexpr const char* footer = R"(
Exit codes:
  0      success
  2      bad command line or an argument that is not valid JSON
  10+N   the call failed with gRPC status code N, e.g.
         13 INVALID_ARGUMENT  14 DEADLINE_EXCEEDED  15 NOT_FOUND
         19 FAILED_PRECONDITION  22 UNIMPLEMENTED  23 INTERNAL  24 UNAVAILABLE
)";
}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"titan: call and inspect Titan services"};
  app.footer(footer);
  app.require_subcommand(1);
  int rc = 0;
  titan::cli::call_args call;
  titan::cli::describe_args describe;
  titan::cli::add_call_command(app, call, rc);
  titan::cli::add_describe_command(app, describe, rc);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    int r = app.exit(e);
    return r == 0 ? 0 : titan::cli::exit_usage;
  }
  return rc;
}
