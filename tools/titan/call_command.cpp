#include <CLI/CLI.hpp>
#include <iostream>

#include <titan/client.hpp>

#include "call_words.hpp"
#include "commands.hpp"
#include "instance.hpp"
#include "json_msgpack.hpp"

namespace titan::cli {
namespace {

struct call_args {
  std::string endpoint;
  bool pretty = false;
};

int run_call(const common_args& common, const call_args& a, std::vector<std::string> rest) {
  std::optional<call_words> w = read_call_words("call", a.endpoint, rest);
  if (!w) return exit_usage;
  try {
    const Client client = call_target(common, a.endpoint, w->name, {});
    msgpack::object_handle result = client.call_packed(w->method, w->body.data(), w->body.size()).get();
    std::cout << to_json(result.get()).dump(a.pretty ? 2 : -1) << std::endl;
    return 0;
  } catch (const Error& e) {
    return report_error(e);
  }
}

int run_describe(const common_args& common, const std::string& endpoint, const std::string& name, bool json) {
  if (endpoint.empty() && name.empty()) {
    std::cerr << "error: usage: titan describe NAME  or  titan describe --endpoint EP\n";
    return exit_usage;
  }
  try {
    msgpack::object_handle result = call_target(common, endpoint, name, {}).call("$describe").get();
    nlohmann::json d = to_json(result.get());
    if (json) {
      std::cout << d.dump(2) << std::endl;
      return 0;
    }
    std::cout << d.value("service", "?") << ' ' << d.value("version", "?") << "  (instance " << d.value("name", "?")
              << ", sdk " << d.value("sdk_version", "?") << ", abi " << d.value("abi", 0) << ")\n";
    for (const auto& m : d.value("methods", nlohmann::json::array())) {
      std::string args;
      for (const auto& t : m.value("args", nlohmann::json::array())) args += (args.empty() ? "" : ", ") + t.get<std::string>();
      std::cout << "  " << m.value("name", "?") << '(' << args << ") -> " << m.value("result", "?")
                << (m.value("idempotent", false) ? "  [idempotent]" : "") << '\n';
    }
    return 0;
  } catch (const Error& e) {
    return report_error(e);
  }
}

}  // namespace

int report_error(const std::exception& e) {
  if (const auto* te = dynamic_cast<const Error*>(&e)) {
    std::cerr << "error: " << to_string(te->code()) << ": " << te->message() << '\n';
    return exit_call_error_base + static_cast<int>(te->code());
  }
  std::cerr << "error: " << e.what() << '\n';
  return 1;
}

void add_call_command(CLI::App& app, common_args& common, int& rc) {
  auto a = std::make_shared<call_args>();  // kept alive by the callback
  auto* cmd = app.add_subcommand("call", "Call a method of a service (by name, or one host with --endpoint)");
  cmd->footer(
      "\nUsage: titan call NAME METHOD [ARGS...]           a service registered with the daemon\n"
      "       titan call --endpoint EP METHOD [ARGS...]   one host, no daemon needed\n"
      "ARGS are JSON values (a bare word is a string); the result is printed as one line of JSON.");
  cmd->add_option("--endpoint,-e", a->endpoint, "Call this host directly instead of a service by name");
  cmd->add_flag("--pretty", a->pretty, "Indent the JSON result");
  // NAME, METHOD and ARGS are taken verbatim after the options, so JSON such
  // as [1,2] or -5 is never read as an option or split up.
  cmd->prefix_command();
  cmd->callback([cmd, a, &common, &rc] { rc = run_call(common, *a, cmd->remaining()); });
}

void add_describe_command(CLI::App& app, common_args& common, int& rc) {
  struct describe_args {
    std::string endpoint, name;
    bool json = false;
  };
  auto a = std::make_shared<describe_args>();
  auto* cmd = app.add_subcommand("describe", "List a service's version and methods with their types");
  cmd->add_option("name", a->name, "Service registered with the daemon");
  cmd->add_option("--endpoint,-e", a->endpoint, "Describe this host directly");
  cmd->add_flag("--json", a->json, "Print the raw $describe result as JSON");
  cmd->callback([a, &common, &rc] { rc = run_describe(common, a->endpoint, a->name, a->json); });
}

}  // namespace titan::cli
