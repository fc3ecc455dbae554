#include "workflow_support.hpp"

#include <catch2/catch.hpp>
#include <cstdlib>
#include <fstream>
#include <sstream>

#include "manager_support.hpp"

namespace titan::test::workflow {
namespace {

// The hosts' own logs, only with TITAN_TEST_VERBOSE set in the environment.
std::string host_log_level() {
  const char* v = std::getenv("TITAN_TEST_VERBOSE");
  return v != nullptr && *v != '\0' ? "info" : "off";
}

}  // namespace

world::world() : journal_path_((dir_ / "journal").string()) {
  std::ofstream(journal_path_).flush();  // wf_step appends to an existing file only
  pm_ = std::make_unique<titan::ProcessManager>(titan::test::manager_options("workflow-test"));
}

world::~world() { pm_.reset(); }

std::string world::config() const { return "journal = " + toml_string(journal_path_) + "\n"; }

titan::child_spec world::service(const std::string& name, unsigned concurrency) const {
  titan::host_spec h;
  h.config = config();
  h.concurrency = concurrency;
  h.log_level = host_log_level();
  titan::child_spec c = titan::service_child(name, TITAN_TEST_PLUGIN_DIR "/wf_step.so", h);
  c.backoff.base = 10ms;
  c.shutdown.timeout = 2s;
  return c;
}

titan::child_spec world::pool(const std::string& name, std::size_t size) const {
  titan::host_spec h;
  h.config = config();
  h.log_level = host_log_level();
  titan::child_spec c =
      titan::pool_child(name, TITAN_TEST_PLUGIN_DIR "/wf_step.so", size, titan::balance::round_robin, h);
  c.shutdown.timeout = 2s;
  return c;
}

void world::start(std::vector<titan::child_spec> children) {
  titan::supervisor_spec tree;
  tree.name = "wf-tree";
  tree.flags.intensity = 10;
  tree.flags.period = 10s;
  tree.children = std::move(children);
  pm_->supervise(tree);
}

std::vector<journal_line> world::journal() const {
  std::vector<journal_line> out;
  std::ifstream in(journal_path_);
  std::string text;
  while (std::getline(in, text)) {
    std::istringstream fields(text);
    journal_line l;
    if (fields >> l.event >> l.tag >> l.host >> l.pid >> l.ns) out.push_back(l);
  }
  return out;
}

std::vector<std::string> world::tags(const std::string& event) const {
  std::vector<std::string> out;
  for (const auto& l : journal())
    if (l.event == event) out.push_back(l.tag);
  return out;
}

const titan::stage_report& stage(const titan::workflow_report& r, const std::string& name) {
  const titan::stage_report* s = r.stage(name);
  INFO("stage " << name);
  REQUIRE(s != nullptr);
  return *s;
}

journal_line line(const std::vector<journal_line>& journal, const std::string& event, const std::string& tag) {
  for (const auto& l : journal)
    if (l.event == event && l.tag == tag) return l;
  FAIL("no journal line '" << event << " " << tag << "'");
  return {};
}

}  // namespace titan::test::workflow
