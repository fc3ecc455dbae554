#include "compute.hpp"

#include <unistd.h>

#include <chrono>
#include <thread>

std::uint64_t ComputeService::count_primes(std::uint64_t from, std::uint64_t to) {
  if (to < from) throw titan::Error(titan::status_code::invalid_argument, "to must not be below from");
  std::uint64_t count = 0;
  for (std::uint64_t n = std::max<std::uint64_t>(from, 2); n < to; ++n) {
    bool prime = true;
    for (std::uint64_t d = 2; d * d <= n; ++d) {
      if (n % d == 0) {
        prime = false;
        break;
      }
    }
    count += prime ? 1 : 0;
  }
  return count;
}

std::uint64_t ComputeService::hash_rounds(const std::string& data, std::uint32_t rounds) {
  std::uint64_t h = 14695981039346656037ull;
  for (std::uint32_t r = 0; r < rounds; ++r)
    for (unsigned char c : data) {
      h ^= c;
      h *= 1099511628211ull;
    }
  return h;
}

Worker ComputeService::whoami() { return {static_cast<std::int64_t>(::getpid()), name_}; }

Worker ComputeService::sleep_ms(std::uint32_t ms) {
  std::this_thread::sleep_for(std::chrono::milliseconds(ms));
  return whoami();
}

Worker ComputeService::owner(const std::string&) { return whoami(); }

TITAN_PLUGIN(ComputeService, "1.0.0")
