// Reads typed values out of one TOML table. Each getter returns nothing when
// the key is absent, or when its value is wrong (then the problem is
// recorded with the key path and the value's position); every key read has
// its position recorded.
#pragma once

#include <toml++/toml.h>

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "topology_context.hpp"

namespace titan::topo {

class table_reader {
 public:
  // `key` is the table's own path ("services.api"); "" for the document.
  table_reader(const toml::table& table, std::string key, source_position where, topology_context& ctx);

  const std::string& key() const { return key_; }
  std::string key_of(std::string_view name) const {
    return key_.empty() ? std::string(name) : key_ + "." + std::string(name);
  }
  source_position position() const { return where_; }
  const toml::table& table() const { return table_; }
  bool has(std::string_view name) const { return table_.contains(name); }

  // The raw node (position recorded), or nullptr.
  const toml::node* get(std::string_view name);
  std::optional<std::string> string(std::string_view name);
  // A string with ${VAR} expanded.
  std::optional<std::string> expanded(std::string_view name);
  // An expanded string made an absolute path (relative to the file's directory).
  std::optional<std::string> path(std::string_view name);
  std::optional<bool> boolean(std::string_view name);
  std::optional<std::uint64_t> integer(std::string_view name, std::uint64_t max);
  std::optional<double> number(std::string_view name);
  std::optional<std::chrono::milliseconds> duration(std::string_view name);
  std::optional<std::uint64_t> size(std::string_view name);
  const toml::table* sub_table(std::string_view name);

  // A string naming one of a set of values: `parse` turns it into one;
  // `what` and `allowed` word the error ("unknown restart type 'x' (a, b or c)").
  template <class E, class Parse>
  std::optional<E> choice(std::string_view name, Parse parse, std::string_view what, std::string_view allowed) {
    auto text = string(name);
    if (!text) return std::nullopt;
    if (std::optional<E> value = parse(*text)) return value;
    error(name, "unknown " + std::string(what) + " '" + *text + "' (" + std::string(allowed) + ")");
    return std::nullopt;
  }

  // Reports each key not in `allowed`, at the key, with a suggestion.
  void check_keys(const std::vector<std::string_view>& allowed);
  // A problem with the value of `name`.
  void error(std::string_view name, std::string message);
  void wrong_type(std::string_view name, std::string_view expected);

 private:
  const toml::table& table_;
  std::string key_;
  source_position where_;
  topology_context& ctx_;
};

}  // namespace titan::topo
