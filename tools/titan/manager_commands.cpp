// spawn, kill, stop, scale, shutdown: titan.manager calls to the daemon.
#include <signal.h>
#include <string.h>

#include <CLI/CLI.hpp>
#include <cstdio>
#include <iostream>

#include "commands.hpp"
#include "instance.hpp"
#include "json_msgpack.hpp"
#include "process_table.hpp"

namespace titan::cli {
namespace {

int parse_signal(const std::string& text) {
  if (!text.empty() && std::isdigit(static_cast<unsigned char>(text[0]))) return std::stoi(text);
  std::string name = text.rfind("SIG", 0) == 0 ? text.substr(3) : text;
  for (int s = 1; s < NSIG; ++s)
    if (const char* abbrev = sigabbrev_np(s); abbrev && name == abbrev) return s;
  throw std::invalid_argument("unknown signal '" + text + "'");
}

}  // namespace

void add_manager_commands(CLI::App& app, common_args& common, int& rc) {
  struct args {
    std::string plugin, name, strategy, signal = "TERM";
    std::uint64_t id = 0, size = 0, timeout_ms = 5000;
    bool pool = false;
  };
  auto a = std::make_shared<args>();

  auto* spawn = app.add_subcommand("spawn", "Start a host (or, with --size, a pool) for a plugin");
  spawn->add_option("plugin", a->plugin, "Plugin file (.so)")->required();
  spawn->add_option("--name,-n", a->name, "Name to register it under (default: the service name)");
  auto* size = spawn->add_option("--size", a->size, "Start a pool of this many hosts (0: one per core)");
  spawn->add_option("--strategy", a->strategy, "Pool strategy: round-robin, least-loaded, random, consistent-hash")
      ->needs(size);
  spawn->callback([a, size, &common, &rc] {
    rc = with_manager(common, [&](auto& m) {
      std::vector<process_info> rows;
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
