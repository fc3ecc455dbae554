// Helpers for the workflow tests: a manager running wf_step hosts (the test
// plugin in tests/plugins/wf_step) that journal into a private directory,
// the journal read back, and report lookups that fail the test clearly.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <memory>
#include <ostream>
#include <string>
#include <vector>

#include <titan/process_manager.hpp>
#include <titan/workflow.hpp>

#include "temp_dir.hpp"

namespace titan::test::workflow {

using namespace std::chrono_literals;

// Generous bound for anything the tests wait for; only reached when broken.
constexpr auto patience = 20s;

// "EVENT TAG HOST PID NS", as wf_step writes it.
struct journal_line {
  std::string event;
  std::string tag;
  std::string host;
  pid_t pid = 0;
  std::int64_t ns = 0;  // steady_clock, the same for every process
};

// A test's world: a private directory with the journal, and a manager whose
// hosts run wf_step. The manager goes first (it stops every host).
class world {
 public:
  world();
  ~world();
  world(const world&) = delete;
  world& operator=(const world&) = delete;

  titan::ProcessManager& pm() { return *pm_; }
  const temp_dir& dir() const { return dir_; }

  // A wf_step service journaling here, running `concurrency` calls at once,
  // restarted quickly (backoff base 10 ms) when it dies.
  titan::child_spec service(const std::string& name, unsigned concurrency = 4) const;
  // A pool of `size` wf_step hosts (one call at a time each), round-robin.
  titan::child_spec pool(const std::string& name, std::size_t size) const;
  // Starts a one_for_one tree of `children` and returns once all run.
  void start(std::vector<titan::child_spec> children);

  std::vector<journal_line> journal() const;
  // The tags of the journal lines whose event is `event`, in order.
  std::vector<std::string> tags(const std::string& event) const;

 private:
  std::string config() const;

  temp_dir dir_;
  std::string journal_path_;
  std::unique_ptr<titan::ProcessManager> pm_;
};

// The report of stage `name`; fails the test when there is none.
const titan::stage_report& stage(const titan::workflow_report& r, const std::string& name);

// The first journal line with this event and tag; fails the test when there is none.
journal_line line(const std::vector<journal_line>& journal, const std::string& event, const std::string& tag);

}  // namespace titan::test::workflow

namespace titan {
// For Catch's messages.
inline std::ostream& operator<<(std::ostream& os, const workflow_value& v) { return os << v.to_json(); }
inline std::ostream& operator<<(std::ostream& os, stage_state s) { return os << to_string(s); }
inline std::ostream& operator<<(std::ostream& os, status_code c) { return os << to_string(c); }
}  // namespace titan
