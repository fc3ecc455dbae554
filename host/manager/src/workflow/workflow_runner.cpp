#include "titan/workflow.hpp"

#include "service_clients.hpp"
#include "workflow_run.hpp"

namespace titan {

std::string_view to_string(stage_state s) {
  switch (s) {
    case stage_state::skipped: return "skipped";
    case stage_state::ran: return "ran";
    case stage_state::failed: return "failed";
    case stage_state::compensated: return "compensated";
    case stage_state::compensation_failed: return "compensation_failed";
  }
  return "?";
}

std::string_view to_string(workflow_event::kind k) {
  switch (k) {
    case workflow_event::kind::started: return "started";
    case workflow_event::kind::ran: return "ran";
    case workflow_event::kind::failed: return "failed";
    case workflow_event::kind::retrying: return "retrying";
    case workflow_event::kind::skipped: return "skipped";
    case workflow_event::kind::compensating: return "compensating";
    case workflow_event::kind::compensated: return "compensated";
    case workflow_event::kind::compensation_failed: return "compensation_failed";
  }
  return "?";
}

const stage_report* workflow_report::stage(std::string_view name) const {
  for (const auto& s : stages)
    if (s.name == name) return &s;
  return nullptr;
}

workflow_runner::workflow_runner(workflow_spec spec, const std::string& manager_endpoint) {
  check(spec);
  spec_ = std::make_shared<const workflow_spec>(std::move(spec));
  clients_ = std::make_shared<detail::service_clients>(manager_endpoint);
}

workflow_runner::workflow_runner(std::shared_ptr<const workflow_spec> spec,
                                 std::shared_ptr<detail::service_clients> clients)
    : spec_(std::move(spec)), clients_(std::move(clients)) {}

workflow_runner& workflow_runner::on_progress(std::function<void(const workflow_event&)> fn) {
  progress_ = std::move(fn);
  return *this;
}

workflow_report workflow_runner::run(const workflow_value& input) const {
  wf::workflow_run run(*spec_, *clients_, progress_);
  return run.run(input);
}

}  // namespace titan
