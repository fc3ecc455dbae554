// The supervision section of the report: restart of a supervised service,
// start of a tree of many hosts three ways.
#pragma once

#include <ostream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "bench.hpp"

namespace titan::bench {

void print_supervision_table(const results& r, std::ostream& out);
nlohmann::json supervision_json(const results& r);
// "supervision, ...: ..." for every supervision measurement that failed.
std::vector<std::string> supervision_errors(const results& r);

}  // namespace titan::bench
