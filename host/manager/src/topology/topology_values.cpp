#include "topology_values.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdlib>

namespace titan::topo {
namespace {

// A decimal number at the front of `text` ("1", "1.5"); its length, 0 if none.
std::size_t number_prefix(std::string_view text, double& value) {
  std::size_t i = 0, digits = 0;
  while (i < text.size() && std::isdigit(static_cast<unsigned char>(text[i]))) ++i, ++digits;
  if (i < text.size() && text[i] == '.') {
    ++i;
    while (i < text.size() && std::isdigit(static_cast<unsigned char>(text[i]))) ++i, ++digits;
  }
  if (digits == 0) return 0;
  value = std::strtod(std::string(text.substr(0, i)).c_str(), nullptr);
  return i;
}

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

}  // namespace

parsed<std::chrono::milliseconds> parse_duration(std::string_view text) {
  auto bad = [&](std::string why) {
    return parsed<std::chrono::milliseconds>{
        std::nullopt, "invalid duration '" + std::string(text) + "'" + why + ": use " + duration_forms};
  };
  std::string_view rest = text;
  bool negative = !rest.empty() && rest.front() == '-';
  if (negative) rest.remove_prefix(1);
  double number = 0;
  std::size_t n = number_prefix(rest, number);
  if (n == 0) return bad("");
  std::string_view unit = rest.substr(n);
  while (!unit.empty() && unit.front() == ' ') unit.remove_prefix(1);
  double factor = 0;
  if (unit == "ms")
    factor = 1;
  else if (unit == "s")
    factor = 1000;
  else if (unit == "m")
    factor = 60'000;
  else if (unit == "h")
    factor = 3'600'000;
  else if (unit.empty())
    return bad(" has no unit");
  else
    return bad(" has an unknown unit '" + std::string(unit) + "'");
  double ms = number * factor;
  if (ms > 1e15) return bad(" is too long");
  if (ms != std::floor(ms)) return bad(" is not a whole number of milliseconds");
  auto count = static_cast<std::int64_t>(ms);
  return {std::chrono::milliseconds(negative ? -count : count), {}};
}

parsed<std::uint64_t> parse_size(std::string_view text) {
  auto bad = [&](std::string why) {
    return parsed<std::uint64_t>{std::nullopt,
                                 "invalid size '" + std::string(text) + "'" + why + ": use " + size_forms};
  };
  double number = 0;
  std::size_t n = number_prefix(text, number);
  if (n == 0) return bad("");
  std::string_view unit_text = text.substr(n);
  while (!unit_text.empty() && unit_text.front() == ' ') unit_text.remove_prefix(1);
  const std::string unit = lower(unit_text);
  double factor = 0;
  if (unit.empty() || unit == "b")
    factor = 1;
  else if (unit == "k" || unit == "kb" || unit == "kib")
    factor = 1024.0;
  else if (unit == "m" || unit == "mb" || unit == "mib")
    factor = 1024.0 * 1024;
  else if (unit == "g" || unit == "gb" || unit == "gib")
    factor = 1024.0 * 1024 * 1024;
  else
    return bad(" has an unknown unit '" + std::string(unit_text) + "'");
  double bytes = std::floor(number * factor);
  if (bytes > 1e18) return bad(" is too large");
  return {static_cast<std::uint64_t>(bytes), {}};
}

parsed<std::string> expand_env(std::string_view text) {
  std::string out;
  std::size_t i = 0;
  while (i < text.size()) {
    if (text[i] != '$' || i + 1 >= text.size() || text[i + 1] != '{') {
      out += text[i++];
      continue;
    }
    std::size_t close = text.find('}', i + 2);
    if (close == std::string_view::npos)
      return {std::nullopt, "unterminated '${' in '" + std::string(text) + "': write ${VAR} or ${VAR:-default}"};
    std::string_view inner = text.substr(i + 2, close - i - 2);
    std::optional<std::string_view> fallback;
    if (auto sep = inner.find(":-"); sep != std::string_view::npos) {
      fallback = inner.substr(sep + 2);
      inner = inner.substr(0, sep);
    }
    bool name_ok = !inner.empty() && !std::isdigit(static_cast<unsigned char>(inner.front()));
    for (char c : inner) name_ok = name_ok && (std::isalnum(static_cast<unsigned char>(c)) || c == '_');
    if (!name_ok)
      return {std::nullopt,
              "'${" + std::string(inner) +
                  "}' is not a variable name: use letters, digits and '_', as in ${VAR} or ${VAR:-default}"};
    const char* value = std::getenv(std::string(inner).c_str());
    // As in the shell, ${VAR:-default} also replaces an empty VAR.
    if (value && (*value || !fallback))
      out += value;
    else if (fallback)
      out += *fallback;
    else
      return {std::nullopt, "environment variable " + std::string(inner) + " is not set (write ${" +
                                std::string(inner) + ":-default} to give a default)"};
    i = close + 1;
  }
  return {std::move(out), {}};
}

std::string_view type_name(toml::node_type t) {
  switch (t) {
    case toml::node_type::table:
      return "a table";
    case toml::node_type::array:
      return "an array";
    case toml::node_type::string:
      return "a string";
    case toml::node_type::integer:
      return "an integer";
    case toml::node_type::floating_point:
      return "a float";
    case toml::node_type::boolean:
      return "a boolean";
    case toml::node_type::date:
      return "a date";
    case toml::node_type::time:
      return "a time";
    case toml::node_type::date_time:
      return "a date-time";
    case toml::node_type::none:
      break;
  }
  return "nothing";
}

std::size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<std::size_t> row(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    std::size_t diagonal = row[0];
    row[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      std::size_t above = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diagonal = above;
    }
  }
  return row[b.size()];
}

std::string_view closest(std::string_view word, const std::vector<std::string_view>& candidates) {
  std::string_view best;
  std::size_t best_distance = 3;
  for (auto c : candidates) {
    std::size_t d = edit_distance(word, c);
    if (d < best_distance) best = c, best_distance = d;
  }
  return best;
}

std::string one_of(const std::vector<std::string_view>& words, std::string_view last_joiner) {
  std::string out;
  for (std::size_t i = 0; i < words.size(); ++i) {
    if (i > 0) out += i + 1 == words.size() ? last_joiner : std::string_view(", ");
    out += words[i];
  }
  return out;
}

}  // namespace titan::topo
