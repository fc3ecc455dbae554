// What every part of the parser shares: the file, where relative paths
// resolve, the problems found so far and where each key was read.
#pragma once

#include <toml++/toml.h>

#include <filesystem>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "titan/topology.hpp"

namespace titan::topo {

class topology_context {
 public:
  topology_context(std::string file, std::map<std::string, source_position>& positions)
      : file_(std::move(file)),
        dir_(std::filesystem::absolute(std::filesystem::path(file_)).parent_path()),
        positions_(positions) {}

  const std::string& file() const { return file_; }

  void error(std::string key, source_position where, std::string message) {
    errors_.push_back({file_, where, std::move(key), std::move(message)});
  }
  void error_at(const std::string& key, std::string message) { error(key, position(key), std::move(message)); }
  std::vector<topology_error>& errors() { return errors_; }

  void record(const std::string& key, source_position where) { positions_.emplace(key, where); }
  // Where `key` was read; unknown (0:0) for a key never read.
  source_position position(const std::string& key) const {
    auto it = positions_.find(key);
    return it == positions_.end() ? source_position{} : it->second;
  }

  // Absolute and lexically normal; relative paths start at the file's directory.
  std::string resolve(const std::string& path) const {
    if (path.empty()) return path;
    return (dir_ / path).lexically_normal().string();
  }

 private:
  std::string file_;
  std::filesystem::path dir_;
  std::map<std::string, source_position>& positions_;
  std::vector<topology_error> errors_;
};

// Where a node begins, as 1-based line and column (0:0 when toml++ knows none).
inline source_position position_of(const toml::node& node) {
  const auto& begin = node.source().begin;
  return {static_cast<unsigned>(begin.line), static_cast<unsigned>(begin.column)};
}

}  // namespace titan::topo
