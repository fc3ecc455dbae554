#include "gateway.hpp"

#include <vector>

std::uint64_t GatewayService::count_primes(std::uint64_t from, std::uint64_t to, std::uint32_t parts) {
  if (parts == 0 || to < from) throw titan::Error(titan::status_code::invalid_argument, "need parts > 0 and from <= to");
  std::vector<titan::Future<std::uint64_t>> calls;
  const std::uint64_t step = (to - from + parts - 1) / parts;
  for (std::uint64_t lo = from; lo < to; lo += step) calls.push_back(compute_.count_primes(lo, std::min(to, lo + step)));
  std::uint64_t total = 0;
  for (auto& c : calls) total += c.get();
  return total;
}

TITAN_PLUGIN(GatewayService, "1.0.0")
