// The stream section of the report: streaming throughput against raw
// ZeroMQ, and a long stream to a slow reader.
#pragma once

#include <ostream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "bench.hpp"

namespace titan::bench {

void print_stream_table(const results& r, std::ostream& out);
nlohmann::json stream_json(const results& r);
// "streams: ..." when the measurement failed.
std::vector<std::string> stream_errors(const results& r);

}  // namespace titan::bench
