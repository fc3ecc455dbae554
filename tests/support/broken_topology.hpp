// Tables of broken topologies, each with the one problem parse_topology
// must report: shared by the topology and the workflow TOML tests.
#pragma once

#include <catch2/catch.hpp>
#include <string>
#include <titan/topology.hpp>
#include <vector>

namespace titan::test {

struct broken_topology {
  const char* name;
  const char* text;
  const char* key;  // where the problem is: its key, line and column
  unsigned line, column;
  const char* fragment;  // part of its message
};

// What parse_topology(text, file) reports; empty when the text is valid.
inline std::vector<topology_error> topology_problems(const std::string& text, const std::string& file) {
  try {
    parse_topology(text, file);
  } catch (const topology_errors& e) {
    return e.errors();
  }
  return {};
}

// `text` (c.text, maybe after a prelude) reports c's problem and only it,
// as FILE:LINE:COL: KEY: message.
inline void check_only_problem(const broken_topology& c, const std::string& text, const std::string& file) {
  INFO(c.name << ":\n" << text);
  const auto errors = topology_problems(text, file);
  std::string got;
  for (const auto& e : errors) got += "\n  " + e.to_string();
  INFO("got:" << got);
  REQUIRE(errors.size() == 1);
  const topology_error& e = errors.front();
  CHECK(e.file == file);
  CHECK(e.key == c.key);
  CHECK(e.where.line == c.line);
  CHECK(e.where.column == c.column);
  CHECK_THAT(e.message, Catch::Contains(c.fragment));
  CHECK_THAT(e.to_string(), Catch::StartsWith(file + ":" + std::to_string(c.line) + ":" + std::to_string(c.column) +
                                              ": " + (*c.key ? std::string(c.key) + ": " : "")));
}

}  // namespace titan::test
