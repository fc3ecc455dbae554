// supervisor_node in process: significant children and auto_shutdown (OTP
// supervisor_SUITE: significant_temporary, significant_transient,
// auto_shutdown of nested supervisors).
#include <catch2/catch.hpp>

#include "engine_world.hpp"

using namespace titan::test::engine;
using titan::auto_shutdown_policy;
using titan::restart_type;
using titan::supervisor_strategy;

TEST_CASE("supervisor_node: a transient child that is not significant ends: nothing else, whatever auto_shutdown",
          "[supervisor_node][auto_shutdown]") {
  const auto policy = GENERATE(auto_shutdown_policy::never, auto_shutdown_policy::any_significant,
                               auto_shutdown_policy::all_significant);
  INFO(titan::to_string(policy));
  std::vector<titan::child_spec> children{child("a"), child("t", restart_type::transient)};
  if (policy != auto_shutdown_policy::never) children.push_back(significant("s"));
  engine_world w;
  w.start_ok(supervisor("calm", supervisor_strategy::one_for_one, 1, 5s, children, policy));
  const auto mark = w.mark();
  w.exit("t", 0);
  CHECK(w.journal(mark).empty());
  CHECK(w.state("t") == "stopped");
  CHECK(w.state("calm") == "running");
  CHECK(w.exits().empty());
}

TEST_CASE("supervisor_node: auto_shutdown any_significant: one significant child ending stops the tree",
          "[supervisor_node][auto_shutdown]") {
  engine_world w;
  w.start_ok(supervisor("any", supervisor_strategy::one_for_one, 5, 10s,
                        {child("a"), significant("s1"), significant("s2")}, auto_shutdown_policy::any_significant));
  const auto mark = w.mark();
  w.crash("s1");  // a crash of a significant transient child is a restart, not an end
  CHECK(w.journal(mark) == strings{"start s1"});
  CHECK(w.exits().empty());
  w.exit("s1", 0);
  CHECK(w.journal(mark) == strings{"start s1", "stop s2", "stop a", "shut_down any"});
  REQUIRE(w.exits().size() == 1);
  CHECK_FALSE(w.exits()[0].escalated);
  CHECK(contains(w.exits()[0].reason, "significant child 's1' ended (auto_shutdown any_significant)"));
  CHECK(w.rows().empty());
}

TEST_CASE("supervisor_node: auto_shutdown all_significant: the tree stops only once every significant child has ended",
          "[supervisor_node][auto_shutdown]") {
  engine_world w;
  w.start_ok(supervisor("all", supervisor_strategy::one_for_one, 5, 10s,
                        {child("a"), significant("s1"), significant("s2", restart_type::temporary)},
                        auto_shutdown_policy::all_significant));
  const auto mark = w.mark();
  w.exit("s1", 0);
  CHECK(w.journal(mark).empty());
  CHECK(w.state("all") == "running");
  w.crash("s2");  // temporary: never restarted, so a crash ends it
  CHECK(w.journal(mark) == strings{"stop a", "shut_down all"});
  REQUIRE(w.exits().size() == 1);
  CHECK_FALSE(w.exits()[0].escalated);
  CHECK(contains(w.exits()[0].reason, "'s2'"));
}

TEST_CASE("supervisor_node: a nested supervisor ended by auto_shutdown: restarted if permanent, not if transient",
          "[supervisor_node][auto_shutdown]") {
  const auto type = GENERATE(restart_type::permanent, restart_type::transient);
  INFO(titan::to_string(type));
  engine_world w;
  auto inner =
      titan::supervisor_child(supervisor("inner", supervisor_strategy::one_for_one, 5, 10s,
                                         {child("x"), significant("s")}, auto_shutdown_policy::any_significant));
  inner.restart = type;
  w.start_ok(supervisor("outer", supervisor_strategy::one_for_one, 5, 10s, {inner, child("z")}));
  const auto mark = w.mark();
  w.exit("s", 0);
  if (type == restart_type::permanent) {
    CHECK(w.journal(mark) == strings{"stop x", "start x", "start s"});
    CHECK(w.row("inner")->restarts == 1);
    CHECK(w.state("inner") == "running");
  } else {
    CHECK(w.journal(mark) == strings{"stop x"});
    CHECK(w.state("inner") == "stopped");
    CHECK(contains(w.row("inner")->reason, "significant"));
  }
  CHECK(w.state("z") == "running");
  CHECK(w.exits().empty());
}

TEST_CASE("supervisor_node: auto_shutdown cascades: a significant nested supervisor ending ends its parent",
          "[supervisor_node][auto_shutdown]") {
  engine_world w;
  auto inner =
      titan::supervisor_child(supervisor("inner", supervisor_strategy::one_for_one, 5, 10s,
                                         {child("x"), significant("s")}, auto_shutdown_policy::any_significant));
  inner.restart = restart_type::transient;
  inner.significant = true;
  w.start_ok(supervisor("outer", supervisor_strategy::one_for_one, 5, 10s, {child("z"), inner},
                        auto_shutdown_policy::any_significant));
  const auto mark = w.mark();
  w.exit("s", 0);
  CHECK(w.journal(mark) == strings{"stop x", "stop z", "shut_down outer"});
  REQUIRE(w.exits().size() == 1);
  CHECK_FALSE(w.exits()[0].escalated);
  CHECK(contains(w.exits()[0].reason, "'inner'"));
}

TEST_CASE("supervisor_node: auto_shutdown is not triggered by a significant child the supervisor itself stopped",
          "[supervisor_node][auto_shutdown]") {
  engine_world w;
  SECTION("stopped by hand (terminate_child)") {
    w.start_ok(supervisor("kept", supervisor_strategy::one_for_one, 5, 10s, {child("a"), significant("s")},
                          auto_shutdown_policy::any_significant));
    w.stop_by_hand("s");
  }
  SECTION("stopped as a bystander of a one_for_all restart") {
    // OTP: neither a sibling's death under one_for_all or rest_for_one nor
    // terminate_child counts as a significant child terminating by itself.
    w.start_ok(supervisor("kept", supervisor_strategy::one_for_all, 5, 10s,
                          {child("a"), significant("s", restart_type::temporary)},
                          auto_shutdown_policy::any_significant));
    const auto mark = w.mark();
    w.crash("a");
    CHECK(w.journal(mark) == strings{"stop s", "start a"});
  }
  CHECK(w.state("s") == "stopped");
  CHECK(w.state("kept") == "running");
  CHECK(w.state("a") == "running");
  CHECK(w.exits().empty());
}
