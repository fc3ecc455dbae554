// Workflows as JSON for the CLI: inputs in, outputs and reports out.
#pragma once

#include <nlohmann/json.hpp>
#include <titan/workflow.hpp>

namespace titan::cli {

workflow_value value_from_json(const nlohmann::json& j);
nlohmann::json value_to_json(const workflow_value& v);

// The whole report: ok, failed_stage, error, output, completed,
// compensated, duration_ms, and each stage with its state, attempts,
// items, start_ms/end_ms (from the run's start), error, output and
// compensation.
nlohmann::json report_to_json(const workflow_report& r);

}  // namespace titan::cli
