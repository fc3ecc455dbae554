#include <CLI/CLI.hpp>
#include <iostream>

#include <titan/client.hpp>

#include "commands.hpp"
#include "json_msgpack.hpp"

namespace titan::cli {
namespace {

void print_human(const nlohmann::json& d) {
  std::cout << d.value("service", "?") << ' ' << d.value("version", "?") << "  (instance " << d.value("name", "?")
            << ", sdk " << d.value("sdk_version", "?") << ", abi " << d.value("abi", 0) << ")\n";
  for (const auto& m : d.value("methods", nlohmann::json::array())) {
    std::string args;
    for (const auto& t : m.value("args", nlohmann::json::array())) {
      if (!args.empty()) args += ", ";
      args += t.get<std::string>();
    }
    std::cout << "  " << m.value("name", "?") << '(' << args << ") -> " << m.value("result", "?")
              << (m.value("idempotent", false) ? "  [idempotent]" : "") << '\n';
  }
}

int run_describe(const describe_args& a) {
  try {
    auto client = Client::connect(a.endpoint, {.timeout = std::chrono::milliseconds(a.timeout_ms)});
    msgpack::object_handle result = client.call("$describe").get();
    nlohmann::json d = to_json(result.get());
    if (a.json)
      std::cout << d.dump(2) << std::endl;
    else
      print_human(d);
    return 0;
  } catch (const Error& e) {
    std::cerr << "error: " << to_string(e.code()) << ": " << e.message() << '\n';
    return exit_call_error_base + static_cast<int>(e.code());
  }
}

}  // namespace

void add_describe_command(CLI::App& app, describe_args& a, int& rc) {
  auto* cmd = app.add_subcommand("describe", "List a host's service, version and methods with their types");
  cmd->add_option("--endpoint,-e", a.endpoint, "Host endpoint")->required();
  cmd->add_option("--timeout", a.timeout_ms, "Deadline in milliseconds")->check(CLI::PositiveNumber);
  cmd->add_flag("--json", a.json, "Print the raw $describe result as JSON");
  cmd->callback([&a, &rc] { rc = run_describe(a); });
}

}  // namespace titan::cli
