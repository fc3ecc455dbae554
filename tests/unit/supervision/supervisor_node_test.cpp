// supervisor_node (supervisor_node.cpp) in process: start and stop order,
// a child waiting for the READY of the one before it, pools scaling. The
// restarts are supervisor_node_restart_test.cpp and the topic files next
// to it (intensity, retries, auto_shutdown).
#include <catch2/catch.hpp>

#include "engine_world.hpp"

using namespace titan::test::engine;
using titan::supervisor_strategy;

TEST_CASE("supervisor_node: children start in order, nested ones too, terminate stops them in reverse",
          "[supervisor_node][order]") {
  engine_world w;
  auto inner = supervisor("inner", supervisor_strategy::one_for_one, 1, 5s, {child("b"), child("c")});
  w.start_ok(supervisor("outer", supervisor_strategy::one_for_one, 1, 5s,
                        {child("a"), titan::supervisor_child(inner), child("d")}));
  CHECK(w.journal() == strings{"start a", "start b", "start c", "start d"});
  strings rows;
  for (auto& r : w.rows()) rows.push_back(r.name + "@" + std::to_string(r.depth) + ":" + r.state);
  CHECK(rows ==
        strings{"outer@0:running", "a@1:running", "inner@1:running", "b@2:running", "c@2:running", "d@1:running"});
  const auto mark = w.mark();
  bool done = false;
  w.engine().terminate_all(false, [&] { done = true; });
  w.settle();
  CHECK(done);
  CHECK(w.journal(mark) == strings{"stop d", "stop c", "stop b", "stop a"});
  CHECK(w.rows().empty());
  CHECK(w.exits().empty());  // terminate_all is not a tree ending by itself
}

TEST_CASE("supervisor_node: a child waits for the READY of the one before it", "[supervisor_node][order]") {
  engine_world w;
  w.runner().never_ready("a");
  std::optional<std::optional<std::string>> result;
  w.engine().add_tree(
      titan::supervisor_child(supervisor("slow", supervisor_strategy::one_for_one, 1, 5s, {child("a"), child("b")})),
      [&](std::optional<std::string> e) { result = e; });
  w.settle();
  CHECK(w.journal() == strings{"start a"});
  CHECK(w.state("a") == "starting");
  CHECK(w.state("b") == "stopped");
  CHECK_FALSE(result);
  w.engine().host_ready(w.runner().host_of("a"));
  w.settle();
  CHECK(w.journal() == strings{"start a", "start b"});
  REQUIRE(result);
  CHECK_FALSE(*result);
}

TEST_CASE("supervisor_node: a pool starts its members at once and restarts a dead one alone",
          "[supervisor_node][pool]") {
  engine_world w;
  auto pool = titan::pool_child("p", "/nonexistent/p.so", 3);
  pool.pool_flags.intensity = 2;
  w.start_ok(supervisor("t", supervisor_strategy::one_for_one, 1, 5s, {pool, child("z")}));
  CHECK(w.journal() == strings{"start p-0", "start p-1", "start p-2", "start z"});
  CHECK(w.runner().requests()[1].group == "p");
  CHECK(w.runner().requests()[1].slot == 1);
  const auto mark = w.mark();
  w.crash("p-1");
  CHECK(w.journal(mark) == strings{"start p-1"});
  CHECK(w.row("p-1")->kind == "member");
  CHECK(w.row("p-1")->restarts == 1);
  // Its own intensity (2 in 5 s): the third crash makes the pool give up;
  // its supervisor restarts it (one restart of 1 allowed).
  w.crash("p-0");
  w.crash("p-2");
  CHECK(w.journal(mark) ==
        strings{"start p-1", "start p-0", "stop p-1", "stop p-0", "start p-0", "start p-1", "start p-2"});
  CHECK(w.row("p")->restarts == 1);
  CHECK(w.exits().empty());
}

TEST_CASE("supervisor_node: scale grows a pool from its retired slots first and shrinks it from the highest",
          "[supervisor_node][pool]") {
  engine_world w;
  w.start_ok(supervisor("t", supervisor_strategy::one_for_one, 1, 5s, {titan::pool_child("p", "/x/p.so", 2)}));
  std::optional<std::optional<std::string>> result;
  auto done = [&](std::optional<std::string> e) { result = e; };
  w.engine().scale("p", 3, done);
  w.settle();
  REQUIRE(result);
  CHECK_FALSE(*result);
  w.engine().scale("p", 1, done);
  w.settle();
  w.engine().scale("p", 2, done);
  w.settle();
  CHECK(w.journal() == strings{"start p-0", "start p-1", "start p-2", "stop p-2", "stop p-1", "start p-1"});
  SECTION("a new member that cannot start fails the scale and is retired") {
    w.runner().fail_starts("p-2");
    w.engine().scale("p", 3, done);
    w.settle();
    REQUIRE(result);
    REQUIRE(*result);
    CHECK(contains(**result, "exited with code 7"));
    CHECK(w.state("p-2") == "");  // retired and stopped: not shown
  }
  SECTION("no such pool") {
    w.engine().scale("q", 3, done);
    CHECK(**result == "no pool named 'q'");
  }
}
