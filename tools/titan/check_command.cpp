// titan check FILE: reads a topology as the daemon would, loads each plugin
// with `titan-host --check`, and prints the tree, or every problem as
// "FILE:LINE:COL: KEY: message". Starts nothing. Then its workflows.
#include <CLI/CLI.hpp>
#include <cstdio>
#include <filesystem>
#include <string>
#include <titan/topology.hpp>
#include <vector>

#include "commands.hpp"

namespace titan::cli {
namespace {

struct check_args {
  std::string file;
  bool no_plugins = false;
};

std::string duration_text(std::chrono::milliseconds d) {
  auto ms = d.count();
  if (ms != 0 && ms % 3'600'000 == 0) return std::to_string(ms / 3'600'000) + "h";
  if (ms != 0 && ms % 60'000 == 0) return std::to_string(ms / 60'000) + "m";
  if (ms != 0 && ms % 1000 == 0) return std::to_string(ms / 1000) + "s";
  if (ms >= 1000 && ms % 100 == 0) return std::to_string(ms / 1000) + "." + std::to_string(ms % 1000 / 100) + "s";
  return std::to_string(ms) + "ms";
}

std::string flags_text(const supervisor_flags& f) {
  std::string out = std::string(to_string(f.strategy)) + ", intensity " + std::to_string(f.intensity) + " in " +
                    duration_text(f.period);
  if (f.auto_shutdown != auto_shutdown_policy::never)
    out += ", auto_shutdown " + std::string(to_string(f.auto_shutdown));
  return out;
}

std::string child_details(const child_spec& c) {
  std::string out;
  auto add = [&](const std::string& s) { out += (out.empty() ? "" : ", ") + s; };
  if (c.kind == child_kind::supervisor) {
    if (c.supervisor) add(flags_text(c.supervisor->flags));
  } else {
    add(std::filesystem::path(c.host.plugin).filename().string());
    if (c.kind == child_kind::pool)
      add((c.size == 0 ? std::string("size auto") : "size " + std::to_string(c.size)) + ", " +
          std::string(to_string(c.strategy)));
    if (c.host.concurrency != 1) add("concurrency " + std::to_string(c.host.concurrency));
    if (c.host.watch) add("watch");
    if (c.host.transport != "ipc") add(c.host.transport);
  }
  if (c.restart != restart_type::permanent) add(std::string(to_string(c.restart)));
  if (c.significant) add("significant");
  return out;
}

struct tree_line {
  std::string head;  // tree drawing and name
  std::string kind;
  std::string details;
};

void collect(const supervisor_spec& s, const std::string& indent, std::vector<tree_line>& lines) {
  for (std::size_t i = 0; i < s.children.size(); ++i) {
    const child_spec& c = s.children[i];
    bool last = i + 1 == s.children.size();
    lines.push_back({indent + (last ? "└─ " : "├─ ") + c.name, std::string(to_string(c.kind)), child_details(c)});
    if (c.supervisor) collect(*c.supervisor, indent + (last ? "   " : "│  "), lines);
  }
}

// Columns line up by what is seen, not by bytes ("├─" is 2 columns, 6 bytes).
std::size_t columns(const std::string& s) {
  std::size_t n = 0;
  for (unsigned char c : s) n += (c & 0xC0) != 0x80;
  return n;
}

void print_tree(const topology& t) {
  std::vector<tree_line> lines{{t.root.name, "supervisor", flags_text(t.root.flags)}};
  collect(t.root, "", lines);
  std::size_t width = 0;
  for (const auto& l : lines) width = std::max(width, columns(l.head));
  for (const auto& l : lines) {
    std::string head = l.head + std::string(width - columns(l.head), ' ');
    std::printf("%s  %-10s  %s\n", head.c_str(), l.kind.c_str(), l.details.c_str());
  }
}

// Each workflow and its stages, in the tree's style:
//   workflow data_pipeline  3 stages
//   ├─ extract    extract.run, compensate extract.release
//   └─ load       load.store, after extract, transform
void print_workflows(const topology& t) {
  for (const auto& w : t.workflows) {
    std::printf("\nworkflow %s  %zu stage%s\n", w.name.c_str(), w.stages.size(), w.stages.size() == 1 ? "" : "s");
    std::size_t width = 0;
    for (const auto& s : w.stages) width = std::max(width, s.name.size());
    for (std::size_t i = 0; i < w.stages.size(); ++i) {
      const workflow_stage& s = w.stages[i];
      std::string details = s.call.call;
      auto add = [&](const std::string& d) { details += ", " + d; };
      if (!s.depends_on.empty()) {
        std::string deps;
        for (const auto& d : s.depends_on) deps += (deps.empty() ? "" : ", ") + d;
        add("after " + deps);
      }
      if (!s.for_each.is_nil()) add("for_each " + s.for_each.to_json());
      if (s.timeout) add("timeout " + duration_text(*s.timeout));
      if (s.retries) add("retries " + std::to_string(s.retries));
      if (s.compensate) add("compensate " + s.compensate->call);
      const bool last = i + 1 == w.stages.size();
      std::printf("%s %-*s  %s\n", last ? "└─" : "├─", static_cast<int>(width), s.name.c_str(), details.c_str());
    }
  }
}

int run_check(const check_args& args) {
  std::vector<topology_error> errors;
  topology t;
  try {
    t = load_topology(args.file);
  } catch (const topology_errors& e) {
    errors = e.errors();
  }
  if (errors.empty() && !args.no_plugins) errors = check_plugins(t);
  for (const auto& e : errors) std::fprintf(stderr, "%s\n", e.to_string().c_str());
  if (!errors.empty()) {
    std::fprintf(stderr, "%s: %zu problem%s\n", args.file.c_str(), errors.size(), errors.size() == 1 ? "" : "s");
    return exit_invalid_topology;
  }
  print_tree(t);
  print_workflows(t);
  return 0;
}

}  // namespace

void add_check_command(CLI::App& app, common_args& /*common*/, int& rc) {
  auto args = std::make_shared<check_args>();
  CLI::App* cmd = app.add_subcommand("check", "Check a TOML topology and its plugins; print its supervision tree");
  cmd->add_option("file", args->file, "The topology (see README \"Topologies\")")->required();
  cmd->add_flag("--no-plugins", args->no_plugins, "Do not load the plugins (titan-host --check)");
  cmd->footer(
      "Exit codes: 0 valid, 3 invalid (each problem on stderr as FILE:LINE:COL: KEY: message), 2 bad command line.");
  cmd->callback([args, &rc] { rc = run_check(*args); });
}

}  // namespace titan::cli
