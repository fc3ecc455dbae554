// ps, spawn, kill, stop, scale, shutdown: titan.manager calls to the daemon.
#include <signal.h>
#include <string.h>

#include <CLI/CLI.hpp>
#include <cstdio>
#include <iostream>

#include "commands.hpp"
#include "instance.hpp"
#include "json_msgpack.hpp"

namespace titan::cli {
namespace {

nlohmann::json to_json(const process_record& r) {
  return {{"id", r.id},          {"group", r.group},       {"name", r.name},         {"service", r.service},
          {"version", r.version}, {"plugin", r.plugin},    {"endpoint", r.endpoint}, {"pid", r.pid},
          {"state", r.state},    {"started_ms", r.started_ms}, {"restarts", r.restarts}, {"adopted", r.adopted},
          {"cpu_percent", r.cpu_percent}, {"rss_bytes", r.rss_bytes}, {"exit_reason", r.exit_reason}};
}

std::string human_duration(std::int64_t ms) {
  const std::int64_t s = ms / 1000;
  char buf[32];
  if (s < 60) std::snprintf(buf, sizeof buf, "%llds", static_cast<long long>(s));
  else if (s < 3600) std::snprintf(buf, sizeof buf, "%lldm%02llds", static_cast<long long>(s / 60), static_cast<long long>(s % 60));
  else std::snprintf(buf, sizeof buf, "%lldh%02lldm", static_cast<long long>(s / 3600), static_cast<long long>(s / 60 % 60));
  return buf;
}

void print_table(const std::vector<process_record>& rows) {
  const auto now_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                          std::chrono::system_clock::now().time_since_epoch()).count();
  std::printf("%-4s %-16s %-14s %-8s %-9s %-8s %-8s %6s %9s  %s\n", "ID", "NAME", "GROUP", "PID", "STATE", "RESTARTS",
              "UPTIME", "CPU%", "RSS", "ENDPOINT");
  for (const auto& r : rows) {
    const bool live = r.state != "exited";
    char rss[32];
    std::snprintf(rss, sizeof rss, "%.1fM", static_cast<double>(r.rss_bytes) / (1024.0 * 1024.0));
    std::printf("%-4llu %-16s %-14s %-8lld %-9s %-8llu %-8s %6.1f %9s  %s\n", static_cast<unsigned long long>(r.id),
                r.name.c_str(), r.group.c_str(), static_cast<long long>(r.pid), r.state.c_str(),
                static_cast<unsigned long long>(r.restarts), live ? human_duration(now_ms - r.started_ms).c_str() : "-",
                r.cpu_percent, live ? rss : "-", live ? r.endpoint.c_str() : r.exit_reason.c_str());
  }
}

int parse_signal(const std::string& text) {
  if (!text.empty() && std::isdigit(static_cast<unsigned char>(text[0]))) return std::stoi(text);
  std::string name = text.rfind("SIG", 0) == 0 ? text.substr(3) : text;
  for (int s = 1; s < NSIG; ++s)
    if (const char* abbrev = sigabbrev_np(s); abbrev && name == abbrev) return s;
  throw std::invalid_argument("unknown signal '" + text + "'");
}

// Runs fn against the daemon; maps errors to exit codes.
template <class F>
int with_manager(const common_args& common, F&& fn) {
  try {
    auto manager = connect_manager(common.instance, common.timeout_ms);
    fn(manager);
    return 0;
  } catch (const std::invalid_argument& e) {
    std::cerr << "error: " << e.what() << '\n';
    return exit_usage;
  } catch (const std::exception& e) {
    return report_error(e);
  }
}

}  // namespace

void add_manager_commands(CLI::App& app, common_args& common, int& rc) {
  struct args {
    bool json = false;
    std::string plugin, name, strategy, signal = "TERM";
    std::uint64_t id = 0, size = 0, timeout_ms = 5000;
    bool pool = false;
  };
  auto a = std::make_shared<args>();

  auto* ps = app.add_subcommand("ps", "List the hosts of the daemon: name, id, pid, state, restarts, uptime, CPU, RSS");
  ps->add_flag("--json", a->json, "Print a JSON array");
  ps->callback([a, &common, &rc] {
    rc = with_manager(common, [&](auto& m) {
      auto rows = m.ps().get();
      if (a->json) {
        nlohmann::json out = nlohmann::json::array();
        for (const auto& r : rows) out.push_back(to_json(r));
        std::cout << out.dump(2) << std::endl;
      } else {
        print_table(rows);
      }
    });
  });

  auto* spawn = app.add_subcommand("spawn", "Start a host (or, with --size, a pool) for a plugin");
  spawn->add_option("plugin", a->plugin, "Plugin file (.so)")->required();
  spawn->add_option("--name,-n", a->name, "Name to register it under (default: the service name)");
  auto* size = spawn->add_option("--size", a->size, "Start a pool of this many hosts (0: one per core)");
  spawn->add_option("--strategy", a->strategy, "Pool strategy: round-robin, least-loaded, random, consistent-hash")
      ->needs(size);
  spawn->callback([a, size, &common, &rc] {
    rc = with_manager(common, [&](auto& m) {
      std::vector<process_record> rows;
      if (size->count() > 0) {
        if (a->name.empty()) a->name = std::filesystem::path(a->plugin).stem().string();
        rows = titan::with_timeout(m, std::chrono::minutes(2)).pool(a->plugin, a->name, a->size, a->strategy).get();
      } else {
        rows.push_back(titan::with_timeout(m, std::chrono::minutes(1)).spawn(a->plugin, a->name).get());
      }
      print_table(rows);
    });
  });

  auto* kill = app.add_subcommand("kill", "Send a signal to a host");
  kill->add_option("id", a->id, "Host id (see titan ps)")->required();
  kill->add_option("--signal,-s", a->signal, "Signal name or number (default TERM)");
  kill->callback([a, &common, &rc] {
    rc = with_manager(common, [&](auto& m) { m.kill(a->id, parse_signal(a->signal)).get(); });
  });

  auto* stop = app.add_subcommand("stop", "Stop a host: drain, SIGTERM, SIGKILL after the timeout");
  stop->add_option("id", a->id, "Host id (see titan ps)")->required();
  stop->add_option("--kill-timeout", a->timeout_ms, "Milliseconds from SIGTERM to SIGKILL (default 5000)");
  stop->callback([a, &common, &rc] {
    rc = with_manager(common, [&](auto& m) {
      titan::with_timeout(m, std::chrono::milliseconds(a->timeout_ms + 10000)).stop(a->id, a->timeout_ms).get();
    });
  });

  auto* scale = app.add_subcommand("scale", "Grow or shrink a pool");
  scale->add_option("name", a->name, "Pool name")->required();
  scale->add_option("size", a->size, "New number of hosts")->required();
  scale->callback([a, &common, &rc] {
    rc = with_manager(common, [&](auto& m) {
      print_table(titan::with_timeout(m, std::chrono::minutes(2)).scale(a->name, a->size).get());
    });
  });

  auto* shutdown = app.add_subcommand("shutdown", "Stop every host and the daemon");
  shutdown->callback([&common, &rc] { rc = with_manager(common, [&](auto& m) { m.shutdown().get(); }); });
}

}  // namespace titan::cli
