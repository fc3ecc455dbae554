// What a workflow is, as plain values: a DAG of stages, each a call to a
// service (or pool) method. Built in C++ (titan/workflow_builder.hpp) or read
// from a TOML topology ([workflows.NAME], titan/topology.hpp), checked by
// validate() before anything runs, then run by titan::workflow_runner
// (titan/workflow.hpp). See README "Workflows".
//
// Argument templates: inside `args` (and `for_each`, a compensation's args
// and the workflow's `output`), a string that starts with '$' is a reference:
//   "$input"              the workflow's input
//   "$input.a.0.b"        a path into it: map keys and array indexes, split by '.'
//   "$STAGE", "$STAGE.x"  the output of stage STAGE, which must be among the
//                         stage's dependencies (direct or transitive)
//   "$item"               the current element of the stage's for_each list
//   "$self"               in a compensation: the output of the stage it undoes
// A string starting with "$$" is the literal string without its first '$'
// ("$$5" is "$5"). Every other value is literal; arrays and maps are walked,
// so a reference may sit anywhere inside them (map keys are always literal).
// A reference is the whole string: "$a and $b" is an (invalid) reference.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "titan/status.hpp"
#include "titan/supervisor_spec.hpp"
#include "titan/workflow_value.hpp"

namespace titan {

// "service.method" and its argument template (an array: the positional
// arguments). The service is a name the manager knows: a service or a pool.
struct workflow_call {
  std::string call{};  // "SERVICE.METHOD": split at the last '.', so a service name may contain dots
  workflow_value args = workflow_value::array{};
};

struct workflow_stage {
  std::string name{};  // letters, digits, '_' and '-'; not input, item or self
  workflow_call call{};
  std::vector<std::string> depends_on{};  // stages that must have run first
  // Fan out: a reference to a list; one call per element ($item), all sent
  // at once (a pool spreads them); the stage's output is the array of the
  // results, in element order. Nil: one call.
  workflow_value for_each{};
  // Deadline of each attempt's call(s); nullopt: the service's call_timeout
  // (as announced by the manager), else 5 s.
  std::optional<std::chrono::milliseconds> timeout{};
  unsigned retries = 0;  // attempts after the first one that failed
  // Delay before retry n (1-based): base * factor^(n-1), at most max.
  // reset_after is not used by workflows.
  backoff_spec backoff{std::chrono::milliseconds(100), 2.0, std::chrono::milliseconds(5000)};
  // Undoes the stage after a later failure; its templates may also use $self.
  std::optional<workflow_call> compensate{};
};

struct workflow_spec {
  std::string name{};                  // like a service name: letters, digits, '_', '.' and '-'
  std::vector<workflow_stage> stages{};  // any order that respects depends_on is fine
  // The run's result; nil: a map of each stage that no other stage depends
  // on to its output.
  workflow_value output{};
};

// One problem, with its path such as "pipeline.stages.load.depends_on[1]"
// (the TOML key without its "workflows." prefix) and what is wrong.
using workflow_spec_error = spec_error;

// Checks everything that can be checked before a run: names, calls,
// depends_on (unknown stages, itself, duplicates, cycles), the references
// of every template (syntax, and each stage's only to its transitive
// dependencies), timeouts, backoff. With `known_services` given, each
// call's service must be one of them. Every problem, in stage order.
std::vector<workflow_spec_error> validate(const workflow_spec& spec,
                                          const std::optional<std::set<std::string>>& known_services = std::nullopt);

// Thrown by check() (and so by workflow_builder::build(),
// ProcessManager::add_workflow() and workflow_runner's constructor): code
// INVALID_ARGUMENT, a message listing every problem, and the problems.
class invalid_workflow : public Error {
 public:
  invalid_workflow(const std::string& workflow, std::vector<workflow_spec_error> errors);
  const std::vector<workflow_spec_error>& errors() const { return errors_; }

 private:
  std::vector<workflow_spec_error> errors_;
};

// validate(), throwing invalid_workflow when it finds a problem: "workflow
// 'x' is invalid: x.stages.b.call: ...; x.stages.c...".
void check(const workflow_spec& spec, const std::optional<std::set<std::string>>& known_services = std::nullopt);

// {"extract.run"} -> {"extract", "run"}; nullopt without a '.' or with an empty part.
struct call_target {
  std::string service;
  std::string method;
};
std::optional<call_target> split_call(const std::string& call);

}  // namespace titan
