// titan reload NAME: hot reload of a service or pool run by the daemon.
#include <CLI/CLI.hpp>
#include <cstdio>
#include <filesystem>
#include <iostream>

#include "commands.hpp"
#include "instance.hpp"
#include "json_msgpack.hpp"

namespace titan::cli {
namespace {

std::string build_text(const std::string& version, const std::string& build_id) {
  return build_id.empty() ? version : version + " (build " + build_id.substr(0, 12) + ")";
}

}  // namespace

void add_reload_command(CLI::App& app, common_args& common, int& rc) {
  struct args {
    std::string name, plugin;
    std::uint64_t probation_ms = 0;
    bool json = false;
  };
  auto a = std::make_shared<args>();
  auto* reload = app.add_subcommand(
      "reload",
      "Hot reload a service or pool: each host is replaced by one on the new plugin, with no call lost; "
      "a new version that fails to start, is unhealthy, refuses the state or dies within the probation is "
      "rolled back (the old one keeps serving) and the exit code is non-zero");
  reload->add_option("name", a->name, "Service or pool name (see titan ps)")->required();
  reload->add_option("--plugin,-p", a->plugin, "New plugin file (default: the file it runs from, rebuilt)");
  reload->add_option("--probation", a->probation_ms,
                     "Milliseconds each new host must stay up before the old ones are let go (default 1000)");
  reload->add_flag("--json", a->json, "Print the outcome as JSON");
  reload->callback([a, &common, &rc] {
    // The daemon resolves nothing against our working directory.
    if (!a->plugin.empty()) a->plugin = std::filesystem::absolute(a->plugin).lexically_normal().string();
    rc = with_manager(common, [&](auto& m) {
      const reload_report r =
          titan::with_timeout(m, std::chrono::minutes(10)).reload(a->name, a->plugin, a->probation_ms).get();
      if (a->json) {
        std::cout << wire_json(r).dump(2) << '\n';
        return;
      }
      std::printf("reloaded %s: %s -> %s on %zu host%s in %llu ms (new calls went to it after %llu ms",
                  r.name.c_str(), build_text(r.previous_version, r.previous_build_id).c_str(),
                  build_text(r.version, r.build_id).c_str(), r.hosts.size(), r.hosts.size() == 1 ? "" : "s",
                  static_cast<unsigned long long>(r.took.count()), static_cast<unsigned long long>(r.switched.count()));
      if (r.state_bytes > 0) std::printf("; %llu bytes of state handed over", static_cast<unsigned long long>(r.state_bytes));
      std::printf(")\n");
    });
  });
}

}  // namespace titan::cli
