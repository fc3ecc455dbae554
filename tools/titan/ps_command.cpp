// `titan ps`: the daemon's supervision trees and processes.
#include <CLI/CLI.hpp>
#include <iostream>
#include <memory>

#include "commands.hpp"
#include "instance.hpp"
#include "json_msgpack.hpp"
#include "process_table.hpp"

namespace titan::cli {

void add_ps_command(CLI::App& app, common_args& common, int& rc) {
  struct args {
    bool json = false;
    bool tree = false;
  };
  auto a = std::make_shared<args>();
  auto* ps = app.add_subcommand(
      "ps", "Show the supervision trees and hosts: name, id, pid, state, restarts, uptime, CPU, RSS, calls");
  ps->add_flag("--json", a->json, "Print a JSON array of processes (with --tree: of tree rows)");
  ps->add_flag("--tree", a->tree, "With --json: the supervision trees' rows, depth first");
  ps->callback([a, &common, &rc] {
    rc = with_manager(common, [&](auto& m) {
      auto processes = m.ps().get();
      if (a->json) {
        std::cout << (a->tree ? wire_json(m.tree().get()) : wire_json(processes)).dump(2) << std::endl;
        return;
      }
      auto tree = m.tree().get();
      if (tree.empty())
        print_table(processes);
      else
        print_tree(tree, processes);
    });
  });
}

}  // namespace titan::cli
