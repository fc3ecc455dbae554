#include "compute.hpp"

#include <unistd.h>

#include <chrono>
#include <thread>

namespace {

bool is_prime(std::uint64_t n) {
  if (n < 2) return false;
  for (std::uint64_t d = 2; d * d <= n; ++d)
    if (n % d == 0) return false;
  return true;
}

}  // namespace

std::uint64_t ComputeService::count_primes(std::uint64_t from, std::uint64_t to) {
  if (to < from) throw titan::Error(titan::status_code::invalid_argument, "to must not be below from");
  std::uint64_t count = 0;
  for (std::uint64_t n = from; n < to; ++n) count += is_prime(n) ? 1 : 0;
  return count;
}

void ComputeService::primes(std::uint64_t from, std::uint64_t to, titan::Stream<std::uint64_t>& out) {
  if (to != 0 && to < from) throw titan::Error(titan::status_code::invalid_argument, "to must not be below from");
  for (std::uint64_t n = from; to == 0 || n < to; ++n)
    if (is_prime(n)) out.write(n);  // waits while the reader is behind; throws once it stopped
}

ComputeService::summary ComputeService::mean(titan::Source<double>& in) {
  summary s;
  double total = 0;
  for (double v : in) {
    total += v;
    ++s.count;
  }
  s.mean = s.count == 0 ? 0 : total / static_cast<double>(s.count);
  return s;
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
