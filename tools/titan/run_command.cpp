// titan run WORKFLOW [JSON]: fetches a workflow's spec from the daemon
// (titan.manager `workflow`) and runs it here, in the CLI's process, with
// discovering clients of the daemon's services: the daemon serves its API
// on one thread, which a long run must not hold, and the progress is seen
// here as it happens. Progress goes to stderr, one line per event; stdout
// gets only the result (or, with --json, the whole report).
#include <CLI/CLI.hpp>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <sstream>
#include <system_error>

#include <titan/workflow.hpp>

#include "commands.hpp"
#include "instance.hpp"
#include "json_msgpack.hpp"
#include "workflow_json.hpp"

namespace titan::cli {
namespace {

struct run_args {
  std::string workflow;
  std::string input;  // "": none given (null)
  std::string input_file;
  bool json = false;
  bool pretty = false;
  bool quiet = false;
  bool list = false;
};

std::string seconds_since(std::chrono::steady_clock::time_point start, std::chrono::steady_clock::time_point t) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "+%.3fs",
                std::chrono::duration<double>(t - start).count());
  return buf;
}

std::string event_text(const workflow_event& e) {
  using kind = workflow_event::kind;
  const std::string error = std::string(to_string(e.code)) + ": " + e.message;
  const std::string items = e.items ? ", " + std::to_string(e.items) + " item" + (e.items == 1 ? "" : "s") : "";
  switch (e.what) {
    case kind::started: return "started" + items;
    case kind::ran: return "ran" + items + (e.attempt > 1 ? " (attempt " + std::to_string(e.attempt) + ")" : "");
    case kind::failed:
      if (e.attempt == 0) return "failed before any call: " + error;
      return "failed after " + std::to_string(e.attempt) + " attempt" + (e.attempt == 1 ? "" : "s") + ": " + error;
    case kind::retrying:
      return "retrying: attempt " + std::to_string(e.attempt) + " in " + std::to_string(e.delay.count()) +
             " ms (" + error + ")";
    case kind::skipped: return "skipped";
    case kind::compensating: return "compensating";
    case kind::compensated: return "compensated";
    case kind::compensation_failed: return "compensation failed: " + error;
  }
  return "?";
}

int list_workflows(const common_args& common) {
  return with_manager(common, [](auto& m) {
    for (const auto& name : m.workflows().get()) std::cout << name << '\n';
  });
}

std::string read_input(const run_args& a) {
  if (a.input_file.empty()) return a.input;
  if (a.input_file == "-") {
    std::ostringstream text;
    text << std::cin.rdbuf();
    return text.str();
  }
  std::ifstream in(a.input_file);
  if (!in)
    throw std::system_error(errno, std::generic_category(), "cannot read --input-file " + a.input_file);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

int run_workflow(const common_args& common, const run_args& a) {
  if (a.list) return list_workflows(common);
  if (a.workflow.empty()) {
    std::cerr << "error: usage: titan run WORKFLOW [JSON]  (titan run --list names them)\n";
    return exit_usage;
  }
  if (!a.input.empty() && !a.input_file.empty()) {
    std::cerr << "error: give the input as JSON or as --input-file, not both\n";
    return exit_usage;
  }
  workflow_value input;
  try {
    // As titan call reads an argument (a bare word is a string); a file is strict JSON.
    input = value_from_json(a.input_file.empty() ? parse_argument(a.input.empty() ? "null" : a.input) : nlohmann::json::parse(read_input(a)));
  } catch (const std::system_error& e) {
    std::cerr << "error: " << e.what() << '\n';
    return exit_usage;
  } catch (const std::exception& e) {
    std::cerr << "error: the input is not valid JSON: " << e.what() << '\n';
    return exit_usage;
  }
  workflow_spec spec;
  int rc = with_manager(common, [&](auto& m) { spec = m.workflow(a.workflow).get(); });
  if (rc != 0) return rc;
  // --timeout: the deadline of each call of the stages that set none.
  if (common.timeout_given)
    for (auto& stage : spec.stages)
      if (!stage.timeout) stage.timeout = std::chrono::milliseconds(common.timeout_ms);
  try {
    workflow_runner runner(std::move(spec), control_endpoint(common.instance));
    const auto start = std::chrono::steady_clock::now();
    if (!a.quiet) {
      std::size_t width = 0;
      for (const auto& s : runner.spec().stages) width = std::max(width, s.name.size());
      std::cerr << "titan run " << a.workflow << ": " << runner.spec().stages.size() << " stage"
                << (runner.spec().stages.size() == 1 ? "" : "s") << '\n';
      runner.on_progress([start, width](const workflow_event& e) {
        std::string name = e.stage + std::string(width > e.stage.size() ? width - e.stage.size() : 0, ' ');
        std::cerr << "  " << seconds_since(start, e.at) << "  " << name << "  " << event_text(e) << std::endl;
      });
    }
    const workflow_report r = runner.run(input);
    if (a.json) std::cout << wire_json(r).dump(a.pretty ? 2 : -1) << std::endl;
    if (r.ok) {
      if (!a.json) std::cout << wire_json(r.output).dump(a.pretty ? 2 : -1) << std::endl;
      return 0;
    }
    bool compensation_failed = false;
    std::string compensated;
    for (const auto& name : r.compensated) {
      const stage_report* s = r.stage(name);
      compensation_failed = compensation_failed || s->state == stage_state::compensation_failed;
      compensated += (compensated.empty() ? "" : ", ") + name +
                     (s->state == stage_state::compensation_failed ? " (FAILED)" : "");
    }
    std::cerr << "error: workflow '" << r.workflow << "' failed"
              << (r.failed_stage.empty() ? std::string(" building its output")
                                         : " at stage '" + r.failed_stage + "'")
              << ": " << to_string(r.code) << ": " << r.message << "; compensated: "
              << (compensated.empty() ? "nothing" : compensated) << '\n';
    return compensation_failed ? exit_compensation_failed : exit_workflow_failed;
  } catch (const std::exception& e) {
    return report_error(e);
  }
}

}  // namespace

void add_run_command(CLI::App& app, common_args& common, int& rc) {
  auto a = std::make_shared<run_args>();
  auto* cmd = app.add_subcommand("run", "Run a workflow of the daemon, showing each stage's progress");
  cmd->add_option("workflow", a->workflow, "A workflow the daemon knows (its topology's [workflows.NAME])");
  cmd->add_option("input", a->input, "The workflow's input, as JSON (default null)");
  cmd->add_option("--input-file", a->input_file, "Read the input JSON from this file ('-': stdin)");
  cmd->add_flag("--json", a->json, "Print the whole report as JSON on stdout (stages, attempts, errors, outputs)");
  cmd->add_flag("--pretty", a->pretty, "Indent the JSON");
  cmd->add_flag("--quiet,-q", a->quiet, "No progress lines on stderr");
  cmd->add_flag("--list", a->list, "List the daemon's workflows");
  cmd->footer(
      "\nProgress goes to stderr, one line per event; stdout gets the output as one line of JSON (or the report "
      "with --json).\nExit codes: 0 it ran; 4 a stage failed (the stages that ran were compensated); 5 a stage failed "
      "and a compensation failed too;\n15 no such workflow; 2 bad command line or input JSON; 24 no daemon.");
  cmd->callback([a, &common, &rc] { rc = run_workflow(common, *a); });
}

}  // namespace titan::cli
