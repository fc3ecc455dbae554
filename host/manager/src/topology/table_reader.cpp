#include "table_reader.hpp"

#include <limits>

#include "topology_values.hpp"

namespace titan::topo {

table_reader::table_reader(const toml::table& table, std::string key, source_position where, topology_context& ctx)
    : table_(table), key_(std::move(key)), where_(where), ctx_(ctx) {
  if (!key_.empty()) ctx_.record(key_, where_);
}

const toml::node* table_reader::get(std::string_view name) {
  const toml::node* node = table_.get(name);
  if (node) ctx_.record(key_of(name), position_of(*node));
  return node;
}

void table_reader::error(std::string_view name, std::string message) {
  const toml::node* node = table_.get(name);
  ctx_.error(key_of(name), node ? position_of(*node) : where_, std::move(message));
}

void table_reader::wrong_type(std::string_view name, std::string_view expected) {
  const toml::node* node = table_.get(name);
  error(name, "expected " + std::string(expected) + ", got " +
                  std::string(type_name(node ? node->type() : toml::node_type::none)));
}

std::optional<std::string> table_reader::string(std::string_view name) {
  const toml::node* node = get(name);
  if (!node) return std::nullopt;
  if (auto* s = node->as_string()) return s->get();
  wrong_type(name, "a string");
  return std::nullopt;
}

std::optional<std::string> table_reader::expanded(std::string_view name) {
  auto text = string(name);
  if (!text) return std::nullopt;
  auto result = expand_env(*text);
  if (!result.value) error(name, result.error);
  return result.value;
}

std::optional<std::string> table_reader::path(std::string_view name) {
  auto text = expanded(name);
  if (!text) return std::nullopt;
  return ctx_.resolve(*text);
}

std::optional<bool> table_reader::boolean(std::string_view name) {
  const toml::node* node = get(name);
  if (!node) return std::nullopt;
  if (auto* b = node->as_boolean()) return b->get();
  wrong_type(name, "a boolean (true or false)");
  return std::nullopt;
}

std::optional<std::uint64_t> table_reader::integer(std::string_view name, std::uint64_t max) {
  const toml::node* node = get(name);
  if (!node) return std::nullopt;
  auto* i = node->as_integer();
  if (!i) {
    wrong_type(name, "an integer");
    return std::nullopt;
  }
  if (i->get() < 0 || static_cast<std::uint64_t>(i->get()) > max) {
    error(name, "expected an integer from 0 to " + std::to_string(max) + ", got " + std::to_string(i->get()));
    return std::nullopt;
  }
  return static_cast<std::uint64_t>(i->get());
}

std::optional<double> table_reader::number(std::string_view name) {
  const toml::node* node = get(name);
  if (!node) return std::nullopt;
  if (auto* f = node->as_floating_point()) return f->get();
  if (auto* i = node->as_integer()) return static_cast<double>(i->get());
  wrong_type(name, "a number");
  return std::nullopt;
}

std::optional<std::chrono::milliseconds> table_reader::duration(std::string_view name) {
  const toml::node* node = get(name);
  if (!node) return std::nullopt;
  if (auto* i = node->as_integer()) return std::chrono::milliseconds(i->get());
  if (auto* s = node->as_string()) {
    auto result = parse_duration(s->get());
    if (!result.value) error(name, result.error);
    return result.value;
  }
  error(name, "expected a duration, got " + std::string(type_name(node->type())) + ": use " + duration_forms);
  return std::nullopt;
}

std::optional<std::uint64_t> table_reader::size(std::string_view name) {
  const toml::node* node = get(name);
  if (!node) return std::nullopt;
  if (auto* i = node->as_integer()) {
    if (i->get() >= 0) return static_cast<std::uint64_t>(i->get());
    error(name, "a size must not be negative (got " + std::to_string(i->get()) + ")");
    return std::nullopt;
  }
  if (auto* s = node->as_string()) {
    auto result = parse_size(s->get());
    if (!result.value) error(name, result.error);
    return result.value;
  }
  error(name, "expected a size, got " + std::string(type_name(node->type())) + ": use " + size_forms);
  return std::nullopt;
}

const toml::table* table_reader::sub_table(std::string_view name) {
  const toml::node* node = get(name);
  if (!node) return nullptr;
  if (auto* t = node->as_table()) return t;
  wrong_type(name, "a table");
  return nullptr;
}

void table_reader::check_keys(const std::vector<std::string_view>& allowed) {
  for (auto&& [k, v] : table_) {
    std::string_view name = k.str();
    bool known = false;
    for (auto a : allowed) known = known || a == name;
    if (known) continue;
    std::string message = "unknown key '" + std::string(name) + "'";
    if (auto guess = closest(name, allowed); !guess.empty())
      message += "; did you mean '" + std::string(guess) + "'?";
    else
      message += " (allowed: " + one_of(allowed, ", ") + ")";
    const auto& begin = k.source().begin;
    source_position where{static_cast<unsigned>(begin.line), static_cast<unsigned>(begin.column)};
    if (where.line == 0) where = position_of(v);
    ctx_.error(key_of(name), where, std::move(message));
  }
}

}  // namespace titan::topo
