// The compute service: CPU-bound work for pools to spread across cores, and
// methods that tell which host answered. Shared by the plugin and clients.
#pragma once

#include <cstdint>
#include <string>

#include <titan/titan.hpp>

struct Worker {
  std::int64_t pid = 0;
  std::string name;  // the host's instance name, e.g. "compute-2"
  MSGPACK_DEFINE_MAP(pid, name);
};

class ComputeService {
 public:
  explicit ComputeService(titan::Context& ctx) : name_(ctx.name()) {}

  // Primes in [from, to), by trial division: about 1 s of CPU for [0, 3'000'000).
  std::uint64_t count_primes(std::uint64_t from, std::uint64_t to);
  // `rounds` passes of FNV-1a over `data`.
  std::uint64_t hash_rounds(const std::string& data, std::uint32_t rounds);
  // Which host answered.
  Worker whoami();
  // Sleeps, then says which host answered (a slow call, for load tests).
  Worker sleep_ms(std::uint32_t ms);
  // Which host owns `key`: routed by `key` in a consistent-hash pool.
  Worker owner(const std::string& key);
  // Streams the primes in [from, to) as it finds them (`to` = 0: no end;
  // the reader stops it): `titan stream compute primes 2 0 | head`.
  void primes(std::uint64_t from, std::uint64_t to, titan::Stream<std::uint64_t>& out);
  // Reads a stream of numbers and returns their mean and count:
  // `seq 1 100 | titan stream compute mean`.
  struct summary {
    std::uint64_t count = 0;
    double mean = 0;
    MSGPACK_DEFINE_MAP(count, mean);
  };
  summary mean(titan::Source<double>& in);

 private:
  std::string name_;
};

TITAN_SERVICE(ComputeService, "compute", (count_primes, titan::idempotent), (hash_rounds, titan::idempotent),
              (whoami, titan::idempotent), sleep_ms, (owner, titan::idempotent | titan::key(0)), primes, mean)
