// The `titan` subcommands. Each returns the process exit code.
#pragma once

#include <chrono>
#include <string>
#include <vector>

namespace CLI {
class App;
}

namespace titan::cli {

// Exit codes: 0 success, 2 bad command line, 10 + the gRPC code number of a
// call that failed (13 INVALID_ARGUMENT, 14 DEADLINE_EXCEEDED, 22
// UNIMPLEMENTED, 23 INTERNAL, 24 UNAVAILABLE, ...).
inline constexpr int exit_usage = 2;
inline constexpr int exit_call_error_base = 10;

struct call_args {
  std::string endpoint;
  std::string method;
  std::vector<std::string> args;
  long timeout_ms = 5000;
  bool pretty = false;
};

struct describe_args {
  std::string endpoint;
  long timeout_ms = 5000;
  bool json = false;
};

void add_call_command(CLI::App& app, call_args& args, int& rc);
void add_describe_command(CLI::App& app, describe_args& args, int& rc);

}  // namespace titan::cli
