// A workflow's input from JSON. (Outputs and whole reports print as
// wire_json(value): json_msgpack.hpp.)
#pragma once

#include <nlohmann/json.hpp>
#include <titan/workflow_value.hpp>

namespace titan::cli {

workflow_value value_from_json(const nlohmann::json& j);

}  // namespace titan::cli
