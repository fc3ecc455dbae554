// The pool and failover sections of the report (report.cpp prints the rest).
#pragma once

#include <ostream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "bench.hpp"

namespace titan::bench {

void print_pool_table(const results& r, std::ostream& out);
void print_failover_table(const results& r, std::ostream& out);
nlohmann::json pool_json(const results& r);
nlohmann::json failover_json(const results& r);
// {samples, min, median, p90, max}, in milliseconds.
nlohmann::json duration_json(const duration_stats& d);

// "pools, size 4: ..." for every pool, failover, supervision or reload measurement that failed
// (the run went on without it). Empty when all went through.
std::vector<std::string> section_errors(const results& r);

// The honest expectation for the pool ratios on this machine, one line.
std::string pool_expectation(const pool_result& p);

}  // namespace titan::bench
