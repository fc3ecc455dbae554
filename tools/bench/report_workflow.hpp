// The workflow section of the report: a 3-stage workflow against the same
// three calls made by hand.
#pragma once

#include <ostream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "bench.hpp"

namespace titan::bench {

void print_workflow_table(const results& r, std::ostream& out);
nlohmann::json workflow_json(const results& r);
// "workflow: ..." when the measurement failed.
std::vector<std::string> workflow_errors(const results& r);

}  // namespace titan::bench
