// Builds a titan::workflow_spec in C++; build() checks it as a topology's
// [workflows.NAME] is checked (validate() in titan/workflow_spec.hpp):
//
//   auto spec = titan::workflow_builder("pipeline")
//       .stage("extract").call("extract.run").args({"$input.source", "$input.rows"})
//           .compensate("extract.release", {"$self.batch"})
//       .stage("transform").call("transform.run").depends_on({"extract"})
//           .for_each("$extract.rows").args({"$item"}).timeout(std::chrono::seconds(2)).retries(2)
//       .stage("load").call("load.store").depends_on({"extract", "transform"})
//           .args({"$extract.batch", "$transform"})
//       .build();
#pragma once

#include <chrono>
#include <string>
#include <vector>

#include "titan/workflow_spec.hpp"

namespace titan {

class workflow_builder {
 public:
  explicit workflow_builder(std::string name);

  // Starts a stage: the calls below, up to the next stage(), set its fields.
  workflow_builder& stage(std::string name);
  workflow_builder& call(std::string service_method);
  workflow_builder& args(workflow_value::array args);
  workflow_builder& depends_on(std::vector<std::string> stages);
  workflow_builder& for_each(std::string reference);
  workflow_builder& timeout(std::chrono::milliseconds per_attempt);
  workflow_builder& retries(unsigned retries);
  workflow_builder& backoff(std::chrono::milliseconds base, double factor, std::chrono::milliseconds max);
  workflow_builder& compensate(std::string service_method, workflow_value::array args = {});
  // The workflow's result (a template); default: each last stage's output by name.
  workflow_builder& output(workflow_value output);

  // The spec, checked: throws titan::invalid_workflow (INVALID_ARGUMENT)
  // naming every problem, e.g. "pipeline.stages.load.depends_on[0]:
  // unknown stage 'extrct' in depends_on ...; did you mean 'extract'?".
  // `known_services`, when given, must contain each call's service.
  workflow_spec build(const std::optional<std::set<std::string>>& known_services = std::nullopt) const;

 private:
  workflow_stage* current(const char* what);

  workflow_spec spec_;
  std::vector<workflow_spec_error> misuse_;  // a stage field set before any stage(): reported by build()
};

}  // namespace titan
