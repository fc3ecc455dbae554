#include <CLI/CLI.hpp>
#include <iostream>

#include <titan/client.hpp>

#include "commands.hpp"
#include "json_msgpack.hpp"

namespace titan::cli {
namespace {

int run_call(const call_args& a) {
  msgpack::sbuffer body;
  msgpack::packer<msgpack::sbuffer> packer(body);
  packer.pack_array(static_cast<std::uint32_t>(a.args.size()));
  for (const auto& text : a.args) {
    try {
      pack_json(packer, parse_argument(text));
    } catch (const std::invalid_argument& e) {
      std::cerr << "error: " << e.what() << '\n';
      return exit_usage;
    }
  }
  try {
    auto client = Client::connect(a.endpoint, {.timeout = std::chrono::milliseconds(a.timeout_ms)});
    msgpack::object_handle result = client.call_packed(a.method, body.data(), body.size()).get();
    std::cout << to_json(result.get()).dump(a.pretty ? 2 : -1) << std::endl;
    return 0;
  } catch (const Error& e) {
    std::cerr << "error: " << to_string(e.code()) << ": " << e.message() << '\n';
    return exit_call_error_base + static_cast<int>(e.code());
  }
}

}  // namespace

void add_call_command(CLI::App& app, call_args& a, int& rc) {
  auto* cmd = app.add_subcommand("call", "Call a method: titan call [OPTIONS] METHOD [ARGS...]; ARGS are JSON values (a bare word is a string), the result is printed as JSON");
  cmd->add_option("--endpoint,-e", a.endpoint, "Host endpoint, e.g. ipc:///run/titan/echo.sock")->required();
  cmd->add_option("--timeout", a.timeout_ms, "Deadline in milliseconds")->check(CLI::PositiveNumber);
  cmd->add_flag("--pretty", a.pretty, "Indent the JSON result");
  // METHOD and ARGS are taken verbatim after the options, so JSON such as
  // [1,2] or -5 is never read as an option or split up.
  cmd->prefix_command();
  cmd->callback([cmd, &a, &rc] {
    std::vector<std::string> rest = cmd->remaining();
    if (rest.empty()) {
      std::cerr << "error: missing METHOD\n" << cmd->help();
      rc = exit_usage;
      return;
    }
    a.method = rest.front();
    a.args.assign(rest.begin() + 1, rest.end());
    rc = run_call(a);
  });
}

}  // namespace titan::cli
