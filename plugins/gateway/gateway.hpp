// The gateway service: calls the compute service from inside a plugin
// (service to service, host to host) through ctx.connect.
#pragma once

#include <cstdint>

#include <titan/titan.hpp>

#include "compute.hpp"

class GatewayService {
 public:
  // `compute_name` in the host's --config picks the service to call (default "compute").
  explicit GatewayService(titan::Context& ctx)
      : compute_(ctx.connect<ComputeService>(ctx.config_value<std::string>("compute_name", "compute"))) {}

  // Which compute host answered a call made from this host.
  Worker compute_worker() { return compute_.whoami().get(); }
  // Splits [from, to) in `parts` ranges, sends them to the compute service at
  // once (a pool spreads them) and adds the results.
  std::uint64_t count_primes(std::uint64_t from, std::uint64_t to, std::uint32_t parts);

 private:
  titan::Proxy<ComputeService> compute_;
};

TITAN_SERVICE(GatewayService, "gateway", (compute_worker, titan::idempotent), (count_primes, titan::idempotent))
