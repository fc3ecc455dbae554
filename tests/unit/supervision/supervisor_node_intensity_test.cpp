// supervisor_node in process: restart intensity and period (OTP
// supervisor_SUITE: restart_one_for_one ..., nested supervisors,
// escalation), crashes spaced wider than the period, the window's edge in
// milliseconds, backoff and its reset.
#include <catch2/catch.hpp>

#include "engine_world.hpp"

using namespace titan::test::engine;
using titan::restart_type;
using titan::supervisor_strategy;

TEST_CASE("supervisor_node: intensity exceeded in a permanent nested supervisor: it ends and its parent restarts it",
          "[supervisor_node][intensity]") {
  engine_world w;
  auto inner = supervisor("inner", supervisor_strategy::one_for_one, 1, 10s, {child("x"), child("y")});
  w.start_ok(
      supervisor("outer", supervisor_strategy::one_for_one, 5, 10s, {titan::supervisor_child(inner), child("z")}));
  const auto mark = w.mark();
  w.crash("x");  // within intensity 1: x alone
  CHECK(w.journal(mark) == strings{"start x"});
  w.run_for(1s);
  w.crash("x");  // one too many for inner: it stops y and ends; outer restarts it
  w.run_for(1s);
  CHECK(w.journal(mark) == strings{"start x", "stop y", "start x", "start y"});
  CHECK(w.row("inner")->restarts == 1);
  CHECK(w.state("inner") == "running");
  CHECK(contains(w.row("inner")->reason, "restart intensity"));
  CHECK(w.row("z")->restarts == 0);
  CHECK(w.exits().empty());
}

TEST_CASE("supervisor_node: intensity exceeded in a transient nested supervisor: its parent leaves it stopped",
          "[supervisor_node][intensity]") {
  engine_world w;
  auto inner =
      titan::supervisor_child(supervisor("inner", supervisor_strategy::one_for_one, 1, 10s, {child("x"), child("y")}));
  inner.restart = restart_type::transient;  // OTP: a supervisor that gives up ends with reason shutdown
  w.start_ok(supervisor("outer", supervisor_strategy::one_for_one, 5, 10s, {inner, child("z")}));
  const auto mark = w.mark();
  w.crash("x");
  w.crash("x");
  w.run_for(1s);
  CHECK(w.journal(mark) == strings{"start x", "stop y"});
  CHECK(w.state("inner") == "stopped");
  CHECK(w.row("inner")->restarts == 0);
  CHECK_FALSE(w.row("x"));  // a stopped supervisor shows no children
  CHECK(w.state("z") == "running");
  CHECK(w.exits().empty());
}

TEST_CASE("supervisor_node: intensity exceeded at the top: the tree stops its children and reports the escalation",
          "[supervisor_node][intensity]") {
  engine_world w;
  strings expected;
  SECTION("the same child crashing twice") {
    w.start_ok(supervisor("top", supervisor_strategy::one_for_one, 1, 10s, {child("a"), child("b"), child("c")}));
    w.crash("a");
    w.crash("a");
    expected = {"start a", "stop c", "stop b", "give_up top"};
  }
  SECTION("restarts of different children count together") {
    w.start_ok(supervisor("top", supervisor_strategy::one_for_one, 1, 10s, {child("a"), child("b"), child("c")}));
    w.crash("a");
    w.crash("b");
    expected = {"start a", "stop c", "stop a", "give_up top"};
  }
  SECTION("intensity 0: the first crash") {
    w.start_ok(supervisor("top", supervisor_strategy::one_for_one, 0, 10s, {child("a"), child("b"), child("c")}));
    w.crash("a");
    expected = {"stop c", "stop b", "give_up top"};
  }
  CHECK(w.journal(3) == expected);
  REQUIRE(w.exits().size() == 1);
  CHECK(w.exits()[0].name == "top");
  CHECK(w.exits()[0].escalated);
  CHECK(contains(w.exits()[0].reason, "reached its restart intensity (more than "));
  CHECK(contains(w.exits()[0].reason, " restart(s) in 10 s); last: '"));
  CHECK(contains(w.exits()[0].reason, "killed by SIGKILL"));
  CHECK(w.rows().empty());
  for (const char* n : {"a", "b", "c"}) CHECK(w.runner().host_of(n) == 0);
}

TEST_CASE("supervisor_node: escalation cascades: a nested supervisor giving up too often makes its parent give up",
          "[supervisor_node][intensity]") {
  engine_world w;
  auto inner = supervisor("inner", supervisor_strategy::one_for_one, 0, 30s, {child("x")});
  w.start_ok(
      supervisor("outer", supervisor_strategy::one_for_one, 1, 30s, {child("z"), titan::supervisor_child(inner)}));
  const auto mark = w.mark();
  w.crash("x");  // inner ends; outer restarts it once
  CHECK(w.journal(mark) == strings{"start x"});
  CHECK(w.row("inner")->restarts == 1);
  w.run_for(1s);
  w.crash("x");  // and gives up the second time
  CHECK(w.journal(mark) == strings{"start x", "stop z", "give_up outer"});
  REQUIRE(w.exits().size() == 1);
  CHECK(contains(w.exits()[0].reason, "'inner'"));
}

TEST_CASE("supervisor_node: crashes spaced wider than the period never exceed the intensity",
          "[supervisor_node][intensity]") {
  engine_world w;
  w.start_ok(supervisor("spaced", supervisor_strategy::one_for_one, 1, 300ms, {no_backoff(child("a"))}));
  for (int i = 0; i < 5; ++i) {
    w.crash("a");
    w.run_for(301ms);
    CHECK(w.state("a") == "running");
  }
  CHECK(w.row("a")->restarts == 5);
  CHECK(w.exits().empty());
  SECTION("and closer than the period, two crashes are one too many") {
    w.crash("a");
    w.run_for(299ms);
    w.crash("a");
    CHECK(w.exits().size() == 1);
  }
}

TEST_CASE("supervisor_node: the window is measured in milliseconds: crashes 2.6 s apart are outside a 2 s period",
          "[supervisor_node][intensity][otp-difference]") {
  // OTP counts restarts in whole seconds of monotonic time, so two crashes
  // 2.6 s apart can fall inside a 2 s period there (seconds 0 and 2) and
  // make it give up. Titan keeps milliseconds (README: Supervision trees).
  engine_world w;
  w.start_ok(supervisor("edge", supervisor_strategy::one_for_one, 1, 2s, {child("a")}));
  w.crash("a");
  w.run_for(2600ms);
  w.crash("a");
  w.run_for(1s);
  CHECK(w.exits().empty());
  CHECK(w.state("a") == "running");
  SECTION("exactly 2 s apart is inside") {
    w.run_for(2600ms);
    w.crash("a");
    w.run_for(2000ms);
    w.crash("a");
    CHECK(w.exits().size() == 1);
  }
}

TEST_CASE("supervisor_node: backoff: the first restart is at once, the next ones wait base x factor^n, up to max",
          "[supervisor_node][backoff]") {
  engine_world w;
  auto a = child("a");
  a.backoff = {.base = 1s, .factor = 2.0, .max = 3s, .reset_after = 60s};
  const long t0 = w.clock().elapsed_ms();
  w.start_ok(supervisor("backoff", supervisor_strategy::one_for_one, 100, 60s, {a}));
  for (int i = 0; i < 4; ++i) {
    w.crash("a");
    if (i > 0) {
      CHECK(w.state("a") == "restarting");
      CHECK(w.row("a")->host == 0);
    }
    w.run_for(5s);
    CHECK(w.state("a") == "running");
  }
  std::vector<long> starts;
  for (long t : w.runner().attempt_times("a")) starts.push_back(t - t0);
  // The first start; crashes at 0, 5 s, 10 s and 15 s, each restarted 0,
  // 1 s, 2 s and 3 s (max) later.
  CHECK(starts == std::vector<long>{0, 0, 6000, 12000, 18000});
  CHECK(w.row("a")->restarts == 4);
}

TEST_CASE("supervisor_node: backoff starts over once a child stayed up reset_after", "[supervisor_node][backoff]") {
  engine_world w;
  auto a = child("a");
  a.backoff = {.base = 1s, .factor = 2.0, .max = 8s, .reset_after = 10s};
  w.start_ok(supervisor("reset", supervisor_strategy::one_for_one, 100, 60s, {a}));
  w.crash("a");  // restart 1: at once
  w.crash("a");  // restart 2: 1 s
  w.run_for(1s);
  REQUIRE(w.state("a") == "running");
  w.run_for(9999ms);  // up 9.999 s: not yet stable
  w.crash("a");       // restart 3: 2 s
  CHECK(w.state("a") == "restarting");
  w.run_for(2s);
  REQUIRE(w.state("a") == "running");
  w.run_for(10s);  // up 10 s: stable
  const auto mark = w.mark();
  w.crash("a");  // the first restart again: at once
  CHECK(w.journal(mark) == strings{"start a"});
  CHECK(w.state("a") == "running");
}
