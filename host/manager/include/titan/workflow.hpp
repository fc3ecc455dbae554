// Running a workflow (a DAG of service calls with compensation, see
// titan/workflow_spec.hpp and README "Workflows"):
//
//   titan::workflow_report r = pm.workflow("pipeline").run(input);
//   if (!r.ok) std::cerr << r.failed_stage << ": " << r.message << '\n';
//
// A stage starts once every stage it depends on has run; all stages that
// are ready start at once. A stage that fails after its retries stops the
// run: no stage starts after it, the running ones finish (a stage waiting
// to retry does not retry), then every stage that ran and has a
// `compensate` call is compensated, in reverse order of completion.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "titan/status.hpp"
#include "titan/workflow_builder.hpp"
#include "titan/workflow_spec.hpp"
#include "titan/workflow_value.hpp"

namespace titan {

namespace detail {
class service_clients;
}

// Where a stage ended up.
enum class stage_state {
  skipped,              // never started (a stage failed before it was ready)
  ran,                  // its call(s) succeeded (and it was not compensated)
  failed,               // its call failed after its retries (or its args could not be built)
  compensated,          // it ran, then its compensation succeeded
  compensation_failed,  // it ran, then its compensation failed (see compensation_code)
};
std::string_view to_string(stage_state s);

struct stage_report {
  std::string name;
  stage_state state = stage_state::skipped;
  unsigned attempts = 0;  // of its call (a fan-out's attempt sends every element still failing)
  std::size_t items = 0;  // elements of its for_each list (0 without for_each)
  bool started = false;
  std::chrono::steady_clock::time_point started_at{}, ended_at{};  // its first attempt .. its last one ended
  status_code code = status_code::ok;  // why it failed
  std::string message;
  workflow_value output;  // when it ran
  // Its compensation, when it ran:
  unsigned compensation_attempts = 0;
  std::chrono::steady_clock::time_point compensation_started_at{}, compensation_ended_at{};
  status_code compensation_code = status_code::ok;
  std::string compensation_message;
};

struct workflow_report {
  std::string workflow;
  bool ok = false;
  std::string failed_stage;  // the first stage that failed ("" when ok, or when only the output failed)
  status_code code = status_code::ok;
  std::string message;       // its error
  workflow_value output;     // when ok: the spec's output, or each last stage's output by name
  std::vector<stage_report> stages;      // in the spec's order
  std::vector<std::string> completed;    // stages that ran, in the order they completed
  std::vector<std::string> compensated;  // compensations run (succeeded or not), in the order run
  std::chrono::system_clock::time_point started{};  // wall clock, for logs
  std::chrono::steady_clock::time_point started_at{}, ended_at{};

  const stage_report* stage(std::string_view name) const;
};

// What the progress callback hears, as it happens.
struct workflow_event {
  enum class kind { started, ran, failed, retrying, skipped, compensating, compensated, compensation_failed };
  kind what = kind::started;
  std::string stage;
  unsigned attempt = 0;   // retrying: the attempt about to come (2 = the first retry)
  std::size_t items = 0;  // started, ran: elements of its for_each list
  std::chrono::milliseconds delay{0};  // retrying: the backoff before it
  status_code code = status_code::ok;  // failed, retrying, compensation_failed
  std::string message;
  std::chrono::steady_clock::time_point at{};
};
std::string_view to_string(workflow_event::kind k);

// Runs one workflow spec against the services a manager knows. Copies share
// their connections (one discovering titan::Client per service, which
// follows restarts, reloads and pools); run() may be called from several
// threads at once.
class workflow_runner {
 public:
  // A runner of `spec` (checked: throws invalid_workflow) whose calls reach
  // each service through the manager at `manager_endpoint` (its control
  // endpoint: Client::discover). This is how `titan run` runs a daemon's workflow.
  workflow_runner(workflow_spec spec, const std::string& manager_endpoint);

  const workflow_spec& spec() const { return *spec_; }

  // Called for each event, one at a time, on the engine's threads; it
  // should return quickly.
  workflow_runner& on_progress(std::function<void(const workflow_event&)> fn);

  // Runs the workflow to its end, compensation included. A stage's failure
  // is in the report, not thrown.
  workflow_report run(const workflow_value& input = {}) const;

 private:
  friend class ProcessManager;
  workflow_runner(std::shared_ptr<const workflow_spec> spec, std::shared_ptr<detail::service_clients> clients);

  std::shared_ptr<const workflow_spec> spec_;
  std::shared_ptr<detail::service_clients> clients_;
  std::function<void(const workflow_event&)> progress_;
};

}  // namespace titan
