// supervisor_node's restarts (supervisor_node_restart.cpp) in process (OTP
// supervisor_SUITE: one_for_one, one_for_all, rest_for_one, temporary
// bystanders, restart types against the ways a host ends). Each case
// compares the engine's start/stop sequence with what an OTP supervisor does.
#include <catch2/catch.hpp>

#include "engine_world.hpp"

using namespace titan::test::engine;
using titan::restart_type;
using titan::supervisor_strategy;

namespace {

// Three permanent children a, b, c under one supervisor, all running.
struct abc {
  engine_world w;
  std::size_t mark = 0;
  explicit abc(supervisor_strategy strategy) {
    w.start_ok(supervisor("abc", strategy, 3, 10s, {child("a"), child("b"), child("c")}));
    REQUIRE(w.journal() == strings{"start a", "start b", "start c"});
    mark = w.mark();
  }
};

}  // namespace

TEST_CASE("supervisor_node: strategy x the child that crashes: what is stopped and restarted, in OTP's order",
          "[supervisor_node][strategy]") {
  struct expectation {
    supervisor_strategy strategy;
    std::string victim;
    strings sequence;  // after the crash
  };
  const auto e = GENERATE(values<expectation>({
      {supervisor_strategy::one_for_one, "a", {"start a"}},
      {supervisor_strategy::one_for_one, "b", {"start b"}},
      {supervisor_strategy::one_for_one, "c", {"start c"}},
      {supervisor_strategy::one_for_all, "a", {"stop c", "stop b", "start a", "start b", "start c"}},
      {supervisor_strategy::one_for_all, "b", {"stop c", "stop a", "start a", "start b", "start c"}},
      {supervisor_strategy::one_for_all, "c", {"stop b", "stop a", "start a", "start b", "start c"}},
      {supervisor_strategy::rest_for_one, "a", {"stop c", "stop b", "start a", "start b", "start c"}},
      {supervisor_strategy::rest_for_one, "b", {"stop c", "start b", "start c"}},
      {supervisor_strategy::rest_for_one, "c", {"start c"}},
  }));
  INFO(titan::to_string(e.strategy) << ", crash of " << e.victim);
  abc t(e.strategy);
  t.w.crash(e.victim);
  CHECK(t.w.journal(t.mark) == e.sequence);
  for (const char* n : {"a", "b", "c"}) {
    INFO(n);
    CHECK(t.w.state(n) == "running");
    CHECK(t.w.runner().host_of(n) != 0);
  }
  CHECK(t.w.row(e.victim)->restarts == 1);
  CHECK(t.w.row(e.victim)->reason == "killed by SIGKILL");
  CHECK(t.w.row("abc")->state == "running");
  CHECK(t.w.exits().empty());
}

TEST_CASE("supervisor_node: a group restart counts as one restart, the next crash is one too many at intensity 1",
          "[supervisor_node][strategy]") {
  engine_world w;
  w.start_ok(supervisor("once", supervisor_strategy::one_for_all, 1, 30s, {child("a"), child("b"), child("c")}));
  w.crash("b");
  CHECK(w.exits().empty());
  const auto mark = w.mark();
  w.crash("c");
  CHECK(w.journal(mark) == strings{"stop b", "stop a", "give_up once"});
  REQUIRE(w.exits().size() == 1);
  CHECK(w.exits()[0].escalated);
}

TEST_CASE("supervisor_node: one_for_all: two children killed at once make one restart of the set",
          "[supervisor_node][strategy]") {
  abc t(supervisor_strategy::one_for_all);
  t.w.crash_together({"a", "c"});
  // OTP: the second exit is taken in by the restart the first one caused.
  CHECK(t.w.journal(t.mark) == strings{"stop b", "start a", "start b", "start c"});
  t.w.run_for(10s);
  CHECK(t.w.journal(t.mark).size() == 4);  // nothing more
  CHECK(t.w.exits().empty());
}

TEST_CASE("supervisor_node: a temporary bystander is stopped and never restarted", "[supervisor_node][strategy]") {
  SECTION("one_for_all") {
    engine_world w;
    w.start_ok(supervisor("tmp", supervisor_strategy::one_for_all, 3, 10s,
                          {child("a"), child("t", restart_type::temporary), child("c")}));
    const auto mark = w.mark();
    w.crash("a");
    CHECK(w.journal(mark) == strings{"stop c", "stop t", "start a", "start c"});
    CHECK(w.state("t") == "stopped");
    CHECK(w.row("t")->restarts == 0);
    CHECK(w.row("t")->host == 0);
    // And through the next restart too.
    w.run_for(1s);
    w.crash("c");
    CHECK(w.journal(mark) == strings{"stop c", "stop t", "start a", "start c", "stop a", "start a", "start c"});
    CHECK(w.state("t") == "stopped");
  }
  SECTION("rest_for_one") {
    engine_world w;
    w.start_ok(supervisor("tmp", supervisor_strategy::rest_for_one, 3, 10s,
                          {child("a"), child("b"), child("t", restart_type::temporary)}));
    const auto mark = w.mark();
    w.crash("b");
    CHECK(w.journal(mark) == strings{"stop t", "start b"});
    CHECK(w.state("t") == "stopped");
  }
}

TEST_CASE("supervisor_node: one_for_all: a child that is not restarted takes no sibling down",
          "[supervisor_node][strategy]") {
  const auto type = GENERATE(restart_type::temporary, restart_type::transient);
  INFO(titan::to_string(type));
  engine_world w;
  w.start_ok(supervisor("quiet", supervisor_strategy::one_for_all, 3, 30s, {child("a"), child("t", type), child("c")}));
  const auto mark = w.mark();
  if (type == restart_type::temporary)
    w.crash("t");
  else
    w.exit("t", 0);
  CHECK(w.journal(mark).empty());
  CHECK(w.state("t") == "stopped");
  CHECK(w.state("a") == "running");
  CHECK(w.state("c") == "running");
}

TEST_CASE("supervisor_node: restart types x the ways a host ends", "[supervisor_node][restart]") {
  struct ending {
    std::string how;
    bool abnormal;
    std::string reason;
  };
  const auto type = GENERATE(restart_type::permanent, restart_type::transient, restart_type::temporary);
  const auto end = GENERATE(values<ending>({{"exit 0", false, "exited with code 0"},
                                            {"exit 1", true, "exited with code 1"},
                                            {"SIGTERM", false, "exited with code 0"},
                                            {"SIGKILL", true, "killed by SIGKILL"}}));
  INFO(titan::to_string(type) << " child, " << end.how);
  engine_world w;
  w.start_ok(supervisor("types", supervisor_strategy::one_for_one, 10, 10s, {child("x", type), child("y")}));
  const auto mark = w.mark();
  if (end.how == "exit 0") w.exit("x", 0);
  if (end.how == "exit 1") w.exit("x", 1);
  if (end.how == "SIGTERM") w.sigterm("x");
  if (end.how == "SIGKILL") w.crash("x");
  const bool restarted = type == restart_type::permanent || (type == restart_type::transient && end.abnormal);
  CHECK(w.journal(mark) == (restarted ? strings{"start x"} : strings{}));
  CHECK(w.state("x") == (restarted ? "running" : "stopped"));
  CHECK(w.row("x")->restarts == (restarted ? 1u : 0u));
  CHECK(w.row("x")->reason == end.reason);
  CHECK(w.state("y") == "running");
  w.run_for(20s);
  CHECK(w.journal(mark).size() == (restarted ? 1u : 0u));  // once, and not again later
  CHECK(w.exits().empty());
}

TEST_CASE("supervisor_node: a child stopped by hand stays stopped, whatever its restart type (terminate_child)",
          "[supervisor_node][restart]") {
  const auto strategy = GENERATE(supervisor_strategy::one_for_one, supervisor_strategy::one_for_all);
  INFO(titan::to_string(strategy));
  abc t(strategy);
  t.w.stop_by_hand("b");
  t.w.run_for(20s);
  CHECK(t.w.journal(t.mark).empty());
  CHECK(t.w.state("b") == "stopped");
  CHECK(t.w.state("a") == "running");
  CHECK(t.w.state("c") == "running");
}
