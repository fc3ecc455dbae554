// The results as a readable table or as one JSON object.
#pragma once

#include <cstdio>
#include <ostream>
#include <string>

#include <nlohmann/json.hpp>

#include "bench.hpp"

namespace titan::bench {

void print_table(const results& r, std::ostream& out);
nlohmann::json to_json(const results& r);

// printf into a string, for the report sections' lines.
std::string format(const char* fmt, auto... v) {
  char buf[512];
  std::snprintf(buf, sizeof buf, fmt, v...);
  return buf;
}

}  // namespace titan::bench
