// Service to service: a plugin calls another service through ctx.connect,
// host to host (plugins/gateway calls the compute pool).
#include <signal.h>

#include <catch2/catch.hpp>
#include <set>

#include "gateway.hpp"
#include "pool_support.hpp"

using namespace titan::test::pool;

TEST_CASE("a plugin calls a pool through ctx.connect", "[pool][s2s]") {
  titan::ProcessManager pm(manager_options());
  pm.pool<ComputeService>(titan::test::plugin_path("compute"), pool_opts("compute", 2));
  auto gateway = pm.spawn<GatewayService>(titan::test::plugin_path("gateway"));

  // The gateway's calls are spread over the pool like anyone's.
  std::set<std::int64_t> answered;
  for (int i = 0; i < 20; ++i) answered.insert(gateway.compute_worker().get().pid);
  std::set<std::int64_t> members;
  for (const auto& m : pm.members("compute")) members.insert(m.pid);
  CHECK(answered == members);

  // Its fan-out over the pool adds up to the same as one call.
  auto compute = pm.discover<ComputeService>("compute");
  CHECK(gateway.count_primes(0, 200000, 4).get() == compute.count_primes(0, 200000).get());
}

TEST_CASE("ctx.connect follows the pool when a member is replaced", "[pool][s2s]") {
  titan::ProcessManager pm(manager_options());
  pm.pool<ComputeService>(titan::test::plugin_path("compute"), pool_opts("compute", 1));
  auto gateway = pm.spawn<GatewayService>(titan::test::plugin_path("gateway"));
  const auto old_pid = gateway.compute_worker().get().pid;
  REQUIRE(pm.kill(pm.members("compute").front().id, SIGKILL));
  // compute_worker is idempotent: the gateway's call waits for the replacement.
  std::int64_t new_pid = old_pid;
  const auto deadline = clock::now() + patience;
  while (new_pid == old_pid && clock::now() < deadline) {
    try {
      new_pid = gateway.compute_worker().get().pid;
    } catch (const titan::Error&) {
    }
  }
  CHECK(new_pid != old_pid);
}
