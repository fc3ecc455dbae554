#include "titan/workflow_builder.hpp"

namespace titan {

workflow_builder::workflow_builder(std::string name) { spec_.name = std::move(name); }

workflow_stage* workflow_builder::current(const char* what) {
  if (!spec_.stages.empty()) return &spec_.stages.back();
  misuse_.push_back({spec_.name + "." + what, std::string(what) + "() before any stage(): call stage(NAME) first"});
  return nullptr;
}

workflow_builder& workflow_builder::stage(std::string name) {
  spec_.stages.emplace_back();
  spec_.stages.back().name = std::move(name);
  return *this;
}

workflow_builder& workflow_builder::call(std::string service_method) {
  if (auto* s = current("call")) s->call.call = std::move(service_method);
  return *this;
}

workflow_builder& workflow_builder::args(workflow_value::array args) {
  if (auto* s = current("args")) s->call.args = std::move(args);
  return *this;
}

workflow_builder& workflow_builder::depends_on(std::vector<std::string> stages) {
  if (auto* s = current("depends_on")) s->depends_on = std::move(stages);
  return *this;
}

workflow_builder& workflow_builder::for_each(std::string reference) {
  if (auto* s = current("for_each")) s->for_each = std::move(reference);
  return *this;
}

workflow_builder& workflow_builder::timeout(std::chrono::milliseconds per_attempt) {
  if (auto* s = current("timeout")) s->timeout = per_attempt;
  return *this;
}

workflow_builder& workflow_builder::retries(unsigned retries) {
  if (auto* s = current("retries")) s->retries = retries;
  return *this;
}

workflow_builder& workflow_builder::backoff(std::chrono::milliseconds base, double factor,
                                            std::chrono::milliseconds max) {
  if (auto* s = current("backoff")) s->backoff = {base, factor, max, s->backoff.reset_after};
  return *this;
}

workflow_builder& workflow_builder::compensate(std::string service_method, workflow_value::array args) {
  if (auto* s = current("compensate")) s->compensate = workflow_call{std::move(service_method), std::move(args)};
  return *this;
}

workflow_builder& workflow_builder::output(workflow_value output) {
  spec_.output = std::move(output);
  return *this;
}

workflow_spec workflow_builder::build(const std::optional<std::set<std::string>>& known_services) const {
  std::vector<workflow_spec_error> errors = misuse_;
  for (auto& e : validate(spec_, known_services)) errors.push_back(std::move(e));
  if (!errors.empty()) throw invalid_workflow(spec_.name, std::move(errors));
  return spec_;
}

}  // namespace titan
