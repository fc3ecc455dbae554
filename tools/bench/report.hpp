// The results as a readable table or as one JSON object.
#pragma once

#include <ostream>

#include <nlohmann/json.hpp>

#include "bench.hpp"

namespace titan::bench {

void print_table(const results& r, std::ostream& out);
nlohmann::json to_json(const results& r);

}  // namespace titan::bench
