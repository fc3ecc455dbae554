#include "echo.hpp"

#include <numeric>
#include <sstream>

double EchoService::sum(const std::vector<double>& values) { return std::accumulate(values.begin(), values.end(), 0.0); }

std::map<std::string, std::int64_t> EchoService::count_words(const std::string& text) {
  std::map<std::string, std::int64_t> counts;
  std::istringstream in(text);
  for (std::string word; in >> word;) ++counts[word];
  return counts;
}

std::optional<std::string> EchoService::lookup(const std::map<std::string, std::string>& table,
                                               const std::string& key) {
  auto it = table.find(key);
  if (it == table.end()) return std::nullopt;
  return it->second;
}

std::tuple<std::int64_t, std::int64_t> EchoService::divmod(std::int64_t a, std::int64_t b) {
  if (b == 0) throw titan::Error(titan::status_code::invalid_argument, "division by zero");
  return {a / b, a % b};
}

TITAN_PLUGIN(EchoService, "1.0.0")
