// supervisor_node in process: restarts that fail. A child whose restart
// fails is shown as errored and retried (each retry counts towards the
// intensity); under one_for_all and rest_for_one a retry runs the group
// restart again, as OTP's supervisor does (try_again_restart). Backoff
// against OTP's immediate retries, and `backoff = "none"`.
#include <catch2/catch.hpp>

#include "engine_world.hpp"

using namespace titan::test::engine;
using titan::restart_type;
using titan::supervisor_strategy;

TEST_CASE("supervisor_node: a child whose restart fails is errored, retried with backoff, and back once it can start",
          "[supervisor_node][restart-failure]") {
  engine_world w;
  const bool spawn = GENERATE(false, true);  // the host exits before READY, or cannot even be spawned
  INFO((spawn ? "spawn refused" : "exits before READY"));
  w.start_ok(supervisor("retry", supervisor_strategy::one_for_one, 1000, 1s, {child("a"), child("b")}));
  const auto mark = w.mark();
  if (spawn)
    w.runner().refuse_spawn("a");
  else
    w.runner().fail_starts("a");
  w.crash("a");
  CHECK(w.state("a") == "errored");
  CHECK(contains(w.row("a")->reason, spawn ? "cannot spawn" : "before it was ready"));
  CHECK(w.row("a")->host == 0);
  w.run_for(1s);
  CHECK(w.runner().attempts("a") >= 5);  // 1 + retries at 100, 250, 475, 812 ms
  CHECK(w.state("a") == "errored");
  w.runner().refuse_spawn("a", false);
  w.runner().fail_starts("a", 0);
  w.run_for(5s);
  CHECK(w.state("a") == "running");
  CHECK(w.row("a")->restarts == 1);
  const strings journal = w.journal(mark);
  CHECK(journal.back() == "start a");
  for (std::size_t i = 0; i + 1 < journal.size(); ++i) CHECK(journal[i] == "fail a");
  CHECK(w.state("b") == "running");
  CHECK(w.exits().empty());
}

TEST_CASE("supervisor_node: failed restarts count toward the intensity and escalate",
          "[supervisor_node][restart-failure]") {
  engine_world w;
  w.start_ok(supervisor("doomed", supervisor_strategy::one_for_one, 3, 30s, {child("a"), child("b")}));
  const auto mark = w.mark();
  w.runner().fail_starts("a");
  w.crash("a");
  w.run_for(5s);
  // The crash and two failed starts are 3 restarts; the third failure is the fourth.
  CHECK(w.journal(mark) == strings{"fail a", "fail a", "fail a", "stop b", "give_up doomed"});
  REQUIRE(w.exits().size() == 1);
  CHECK(contains(w.exits()[0].reason, "restart intensity"));
  CHECK(contains(w.exits()[0].reason, "'a' failed to start: "));
}

TEST_CASE("supervisor_node: one_for_all, a child that keeps failing to start: each retry runs the group restart again",
          "[supervisor_node][restart-failure][otp-difference]") {
  // OTP 25 (3/5s, b cannot start after its crash): stop c, a; then three
  // rounds of start a, b fails, stop a; give up. Titan used to keep a up
  // and retry b alone. With backoff the rounds are spread (0, 100 and
  // 150 ms apart), well inside the period: the same sequence.
  const bool backoff = GENERATE(false, true);
  INFO((backoff ? "default backoff" : "backoff none"));
  auto c = [&](const std::string& n) { return backoff ? child(n) : no_backoff(child(n)); };
  engine_world w;
  w.start_ok(supervisor("set", supervisor_strategy::one_for_all, 3, 5s, {c("a"), c("b"), c("c")}));
  const auto mark = w.mark();
  w.runner().fail_starts("b");
  w.crash("b");
  if (backoff) {
    CHECK(w.state("b") == "errored");  // waiting out its backoff
    CHECK(w.state("a") == "stopped");  // started in the round that failed, stopped for the next
    CHECK(w.state("c") == "stopped");
  }
  w.run_for(1s);
  CHECK(w.journal(mark) == strings{"stop c", "stop a", "start a", "fail b",  // the crash: restart 1
                                   "stop a", "start a", "fail b",            // retry: restart 2
                                   "stop a", "start a", "fail b",            // retry: restart 3
                                   "stop a", "give_up set"});                // restart 4: one too many
  REQUIRE(w.exits().size() == 1);
  CHECK(w.exits()[0].escalated);
}

TEST_CASE("supervisor_node: one_for_all: a restart that fails part way is retried until the whole set is back",
          "[supervisor_node][restart-failure]") {
  engine_world w;
  w.start_ok(supervisor("set", supervisor_strategy::one_for_all, 1000, 1s, {child("a"), child("b"), child("c")}));
  const auto mark = w.mark();
  w.runner().fail_starts("b", 2);
  w.crash("a");
  w.run_for(1s);
  CHECK(w.journal(mark) == strings{"stop c", "stop b", "start a", "fail b", "stop a", "start a", "fail b", "stop a",
                                   "start a", "start b", "start c"});
  for (const char* n : {"a", "b", "c"}) CHECK(w.state(n) == "running");
  CHECK(w.exits().empty());
}

TEST_CASE("supervisor_node: rest_for_one: a retry restarts the failed child and those after it, not those before",
          "[supervisor_node][restart-failure]") {
  engine_world w;
  w.start_ok(
      supervisor("rest", supervisor_strategy::rest_for_one, 3, 5s,
                 {no_backoff(child("a")), no_backoff(child("b")), no_backoff(child("c")), no_backoff(child("d"))}));
  const auto mark = w.mark();
  SECTION("the failing child is after the one that crashed") {
    w.runner().fail_starts("c");
    w.crash("b");
    w.settle();
    CHECK(w.journal(mark) ==
          strings{"stop d", "stop c", "start b", "fail c", "fail c", "fail c", "stop b", "stop a", "give_up rest"});
  }
  SECTION("the crashed child cannot start; d, started after it, is not restarted by a retry twice") {
    w.runner().fail_starts("c", 1);
    w.crash("b");
    w.settle();
    CHECK(w.journal(mark) == strings{"stop d", "stop c", "start b", "fail c", "start c", "start d"});
    CHECK(w.exits().empty());
  }
}

TEST_CASE("supervisor_node: backoff reaches the intensity later than OTP: 10/5s, a child that cannot start for 6 s",
          "[supervisor_node][backoff][otp-difference]") {
  engine_world w;
  SECTION("backoff none: OTP's 10 immediate attempts, then it gives up") {
    w.start_ok(supervisor("ten", supervisor_strategy::one_for_one, 10, 5s, {no_backoff(child("a"))}));
    const auto mark = w.mark();
    w.runner().fail_starts_until("a", w.clock().now() + 6s);
    const long crashed = w.clock().elapsed_ms();
    w.crash("a");
    strings expected(10, "fail a");
    expected.push_back("give_up ten");
    CHECK(w.journal(mark) == expected);
    for (long t : w.runner().attempt_times("a")) CHECK((t == 0 || t == crashed));  // all at once
    CHECK(w.exits().size() == 1);
  }
  SECTION("the default backoff: 9 failed attempts over 4.9 s, the 10th at 7.5 s comes back") {
    w.start_ok(supervisor("ten", supervisor_strategy::one_for_one, 10, 5s, {child("a")}));
    const auto mark = w.mark();
    w.runner().fail_starts_until("a", w.clock().now() + 6s);
    const long crashed = w.clock().elapsed_ms();
    w.crash("a");
    w.run_for(10s);
    strings expected(9, "fail a");
    expected.push_back("start a");
    CHECK(w.journal(mark) == expected);
    std::vector<long> at;  // of each restart attempt, after the crash (the first entry is a's first start)
    const auto times = w.runner().attempt_times("a");
    for (std::size_t i = 1; i < times.size(); ++i) at.push_back(times[i] - crashed);
    CHECK(at == std::vector<long>{0, 100, 250, 475, 812, 1318, 2077, 3216, 4924, 7486});
    CHECK(w.state("a") == "running");
    CHECK(w.exits().empty());
  }
}
