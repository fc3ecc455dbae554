// The echo service: small methods over scalars, containers and structs.
// Shared by the plugin and its clients.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <tuple>
#include <vector>

#include <titan/titan.hpp>

struct Point {
  double x = 0;
  double y = 0;
  MSGPACK_DEFINE_MAP(x, y);
};

class EchoService {
 public:
  std::string echo(const std::string& text) { return text; }
  std::int64_t add(std::int64_t a, std::int64_t b) { return a + b; }
  double sum(const std::vector<double>& values);
  std::map<std::string, std::int64_t> count_words(const std::string& text);
  Point midpoint(const Point& a, const Point& b) { return {(a.x + b.x) / 2, (a.y + b.y) / 2}; }
  std::optional<std::string> lookup(const std::map<std::string, std::string>& table, const std::string& key);
  std::tuple<std::int64_t, std::int64_t> divmod(std::int64_t a, std::int64_t b);
  std::vector<std::uint8_t> bytes(std::vector<std::uint8_t> data) { return data; }
  void noop() {}
  std::uint64_t calls() { return ++calls_; }

 private:
  std::uint64_t calls_ = 0;
};

TITAN_SERVICE(EchoService, "echo", (echo, titan::idempotent), (add, titan::idempotent), sum, count_words, midpoint,
              lookup, divmod, bytes, noop, calls)
