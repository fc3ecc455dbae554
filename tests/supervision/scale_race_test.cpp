// A pool in a tree while it scales: stops and shutdowns that land while new
// members are still starting (found in review: a lost scale callback hung
// scale() for ever; a member stopped before READY counted as a failed start).
#include <signal.h>

#include <catch2/catch.hpp>
#include <future>

#include "supervision_support.hpp"

using namespace titan::test::supervision;
using titan::supervisor_strategy;

namespace {

// A pool whose members take a while to start, and that gives up at its
// first restart (intensity 0).
titan::child_spec slow_pool(const world& w, const std::string& name) {
  auto p = w.child(name);
  p.kind = titan::child_kind::pool;
  p.size = 1;
  p.host.config += "start_delay_ms = 300\n";
  p.pool_flags.intensity = 0;
  return p;
}

std::optional<titan::process_info> starting_member(const titan::ProcessManager& pm, const std::string& name) {
  for (const auto& p : pm.list())
    if (p.name == name && p.state == titan::process_state::starting) return p;
  return std::nullopt;
}

}  // namespace

TEST_CASE("a member stopped while it starts is not a failed start: no restart, no escalation",
          "[supervision][pool]") {
  world w;
  w.pm().supervise(supervisor("root", supervisor_strategy::one_for_one, 0, 5s, {slow_pool(w, "p")}));
  auto grow = std::async(std::launch::async, [&] { return w.pm().scale("p", 2); });
  std::optional<titan::process_info> fresh;
  REQUIRE(poll_until([&] { return (fresh = starting_member(w.pm(), "p-1")).has_value(); }));
  REQUIRE(w.pm().stop(fresh->id, 5s));  // before it is READY
  REQUIRE(grow.wait_for(patience) == std::future_status::ready);
  CHECK_NOTHROW(grow.get());
  CHECK(w.tree_exits().empty());
  CHECK(row_of(w.pm(), "p")->state == "running");
  CHECK(row_of(w.pm(), "p")->restarts == 0);
  CHECK(wait_running(w.pm(), "p-0"));
}

TEST_CASE("a scale cut short by shutdown() ends with an error instead of hanging", "[supervision][pool]") {
  world w;
  w.pm().supervise(supervisor("root", supervisor_strategy::one_for_one, 3, 5s, {slow_pool(w, "p")}));
  auto grow = std::async(std::launch::async, [&] { return w.pm().scale("p", 3); });
  REQUIRE(poll_until([&] { return starting_member(w.pm(), "p-1").has_value(); }));
  w.pm().shutdown();
  REQUIRE(grow.wait_for(patience) == std::future_status::ready);
  CHECK_THROWS_AS(grow.get(), titan::Error);
  for (const auto& p : w.pm().list()) CHECK(p.state == titan::process_state::exited);
}

TEST_CASE("on_tree_exit may call the manager: shutdown() from the callback returns", "[supervision]") {
  auto pm = std::make_unique<titan::ProcessManager>(manager_options());
  world w;
  std::promise<void> stopped;
  pm->on_tree_exit([&](const std::string&, bool, const std::string&) {
    pm->shutdown();
    stopped.set_value();
  });
  pm->supervise(supervisor("root", supervisor_strategy::one_for_one, 0, 5s, {w.child("a")}));
  auto a = wait_running(*pm, "a");
  REQUIRE(a);
  REQUIRE(pm->kill(a->id, SIGKILL));  // intensity 0: the root gives up
  REQUIRE(stopped.get_future().wait_for(patience) == std::future_status::ready);
  pm.reset();
}
