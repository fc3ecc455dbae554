// The reload section of the report: reload time, and the calls made during
// reloads against those made outside, with and without state handover.
#pragma once

#include <ostream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "bench.hpp"

namespace titan::bench {

void print_reload_table(const results& r, std::ostream& out);
nlohmann::json reload_json(const results& r);
// "reload, kv: ..." for every service whose reloads or measurement failed.
std::vector<std::string> reload_errors(const results& r);

}  // namespace titan::bench
