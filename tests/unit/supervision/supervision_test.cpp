// supervision (the engine around the nodes) in process: the injected clock,
// READY and shutdown deadlines, trees that cannot start, terminate_all,
// stale host events and what rows() shows.
#include <catch2/catch.hpp>

#include "engine_world.hpp"

using namespace titan::test::engine;
using titan::restart_type;
using titan::supervisor_strategy;

TEST_CASE("supervision: the engine keeps time by the injected clock", "[supervision][clock]") {
  engine_world w;
  w.runner().never_ready("a");
  w.engine().add_tree(titan::supervisor_child(supervisor("t", supervisor_strategy::one_for_one, 1, 5s, {child("a")})),
                      [](std::optional<std::string>) {});
  w.settle();
  // The fake clock is 1000 h past the steady clock's epoch, whatever the
  // machine's uptime: a deadline taken from steady_clock would not match.
  REQUIRE(w.engine().next_deadline());
  CHECK(*w.engine().next_deadline() == w.clock().now() + titan::host_spec{}.ready_timeout);
  w.run_for(9999ms);
  CHECK(w.journal() == strings{"start a"});
  w.run_for(1ms);
  CHECK(w.journal() == strings{"start a", "abandon a"});
}

TEST_CASE("supervision: a child that misses its ready_timeout is abandoned, at start that fails the tree",
          "[supervision][deadline]") {
  engine_world w;
  w.runner().never_ready("b");
  auto b = child("b");
  b.host.ready_timeout = 2s;
  auto error = w.start(supervisor("t", supervisor_strategy::one_for_one, 1, 5s, {child("a"), b, child("c")}));
  REQUIRE(error);
  CHECK(*error == "failed to start child 'b': did not report READY within 2000 ms");
  CHECK(w.journal() == strings{"start a", "start b", "abandon b", "stop a"});
  CHECK(w.rows().empty());
  CHECK(w.exits().empty());  // reported to add_tree's callback, not as a tree exit
}

TEST_CASE("supervision: a tree whose child cannot start stops what had started and reports why",
          "[supervision][start]") {
  engine_world w;
  w.runner().fail_starts("b");
  auto error = w.start(supervisor("t", supervisor_strategy::one_for_all, 5, 5s, {child("a"), child("b"), child("c")}));
  REQUIRE(error);
  CHECK(contains(*error, "failed to start child 'b': titan-host exited with code 7"));
  CHECK(w.journal() == strings{"start a", "fail b", "stop a"});  // no retry at start, as in OTP
}

TEST_CASE("supervision: a stop waits out the child's shutdown timeout, then kills it", "[supervision][shutdown]") {
  engine_world w;
  auto a = child("a");
  a.shutdown.timeout = 3s;
  auto b = child("b");
  b.shutdown.brutal_kill = true;
  w.start_ok(supervisor("t", supervisor_strategy::one_for_one, 1, 5s, {a, b, child("c")}));
  w.runner().ignore_sigterm("a");
  const auto mark = w.mark();
  bool done = false;
  w.engine().terminate_all(false, [&] { done = true; });
  w.settle();
  CHECK(w.journal(mark) == strings{"stop c", "brutal_kill b", "stop a"});
  CHECK(w.state("a") == "stopping");
  CHECK_FALSE(done);
  w.run_for(2999ms);
  CHECK_FALSE(done);
  w.run_for(1ms);
  CHECK(w.journal(mark) == strings{"stop c", "brutal_kill b", "stop a", "kill a"});
  CHECK(done);
}

TEST_CASE("supervision: terminate_all stops the trees in reverse order, brutal kills at once",
          "[supervision][shutdown]") {
  const bool brutal = GENERATE(false, true);
  engine_world w;
  w.start_ok(supervisor("first", supervisor_strategy::one_for_one, 1, 5s, {child("a"), child("b")}));
  w.start_ok(supervisor("second", supervisor_strategy::one_for_one, 1, 5s, {child("c")}));
  const auto mark = w.mark();
  bool done = false;
  w.engine().terminate_all(brutal, [&] { done = true; });
  w.settle();
  CHECK(done);
  const std::string stop = brutal ? "brutal_kill " : "stop ";
  CHECK(w.journal(mark) == strings{stop + "c", stop + "b", stop + "a"});
  CHECK(w.engine().empty());
}

TEST_CASE("supervision: terminate_all while a child waits out its backoff or keeps failing: nothing starts again",
          "[supervision][shutdown]") {
  engine_world w;
  auto a = child("a");
  a.backoff.base = a.backoff.max = 60s;
  w.start_ok(supervisor("t", supervisor_strategy::one_for_one, 100, 60s, {child("b"), a}));
  SECTION("restarting") {
    w.crash("a");  // the first restart: at once
    w.crash("a");
    CHECK(w.state("a") == "restarting");
  }
  SECTION("errored") {
    w.runner().fail_starts("a");
    w.crash("a");
    CHECK(w.state("a") == "errored");
  }
  const auto mark = w.mark();
  bool done = false;
  w.engine().terminate_all(false, [&] { done = true; });
  w.run_for(120s);
  CHECK(done);
  CHECK(w.journal(mark) == strings{"stop b"});
  CHECK_FALSE(w.engine().next_deadline());
}

TEST_CASE("supervision: events about hosts the engine does not know, or about an earlier life, are ignored",
          "[supervision][events]") {
  engine_world w;
  w.start_ok(supervisor("t", supervisor_strategy::one_for_one, 5, 5s, {child("a")}));
  const std::uint64_t old = w.runner().host_of("a");
  w.crash("a");
  const auto mark = w.mark();
  w.engine().host_exited(old, false, false, "killed by SIGKILL");  // the host a had before its restart
  w.engine().host_exited(9999, false, false, "killed by SIGKILL");
  w.engine().host_ready(9999);
  w.engine().host_start_failed(9999, "?");
  w.settle();
  CHECK(w.journal(mark).empty());
  CHECK(w.state("a") == "running");
  CHECK(w.row("a")->restarts == 1);
  CHECK_FALSE(w.engine().owns(old));
  CHECK(w.engine().owns(w.runner().host_of("a")));
}

TEST_CASE("supervision: rows(): the trees depth first, with states, restarts, reasons and flags",
          "[supervision][rows]") {
  engine_world w;
  auto inner = supervisor("inner", supervisor_strategy::rest_for_one, 2, 1500ms, {child("b")});
  w.start_ok(supervisor("t", supervisor_strategy::one_for_all, 3, 10s,
                        {child("a", restart_type::transient), titan::supervisor_child(inner)}));
  auto t = w.row("t");
  REQUIRE(t);
  CHECK(t->kind == "supervisor");
  CHECK(t->detail == "one_for_all 3/10s");
  CHECK(w.row("inner")->detail == "rest_for_one 2/1500ms");
  CHECK(w.row("inner")->parent == "t");
  CHECK(w.row("a")->restart_type == "transient");
  CHECK(w.row("a")->host == w.runner().host_of("a"));
  w.runner().fail_starts("b");
  w.crash("b");
  auto b = w.row("b");
  REQUIRE(b);
  CHECK(b->state == "errored");
  CHECK(contains(b->reason, "before it was ready"));
  CHECK(b->host == 0);
  CHECK(b->restarts == 1);
}
