// Retries with backoff, retries exhausted, errors that are never retried,
// and per-attempt timeouts (DEADLINE_EXCEEDED, then compensation).
#include <catch2/catch.hpp>

#include "workflow_support.hpp"

using namespace titan::test::workflow;
using titan::stage_state;
using titan::workflow_value;

TEST_CASE("a stage that fails twice then succeeds runs in 3 attempts, with growing backoff", "[workflow][retry]") {
  world w;
  w.start({w.service("wf")});
  w.pm().add_workflow(titan::workflow_builder("flaky")
                          .stage("s").call("wf.flaky").args({"k", 2, "$input"}).retries(3)
                              .backoff(std::chrono::milliseconds(10), 2, std::chrono::milliseconds(1000))
                          .build());
  std::vector<titan::workflow_event> retries;
  auto runner = w.pm().workflow("flaky");
  runner.on_progress([&](const titan::workflow_event& e) {
    if (e.what == titan::workflow_event::kind::retrying) retries.push_back(e);
  });
  const titan::workflow_report r = runner.run("v");
  REQUIRE(r.ok);
  CHECK(stage(r, "s").state == stage_state::ran);
  CHECK(stage(r, "s").attempts == 3);
  CHECK(stage(r, "s").output == workflow_value("v"));
  CHECK(w.tags("try") == std::vector<std::string>{"k", "k", "k"});
  REQUIRE(retries.size() == 2);
  CHECK(retries[0].attempt == 2);
  CHECK(retries[0].delay == std::chrono::milliseconds(10));
  CHECK(retries[0].code == titan::status_code::unavailable);
  CHECK_THAT(retries[0].message, Catch::Contains("failure 1 of 2"));
  CHECK(retries[1].attempt == 3);
  CHECK(retries[1].delay == std::chrono::milliseconds(20));
}

TEST_CASE("retries exhausted: the stage fails with its last error and what ran is compensated", "[workflow][retry]") {
  world w;
  w.start({w.service("wf")});
  w.pm().add_workflow(titan::workflow_builder("exhausted")
                          .stage("first").call("wf.run").args({"first", 1}).compensate("wf.undo", {"first", "$self"})
                          .stage("s").call("wf.flaky").args({"k", 5, 1}).depends_on({"first"}).retries(2)
                              .backoff(std::chrono::milliseconds(1), 1, std::chrono::milliseconds(1))
                          .build());
  const titan::workflow_report r = w.pm().workflow("exhausted").run();
  REQUIRE_FALSE(r.ok);
  CHECK(r.failed_stage == "s");
  CHECK(r.code == titan::status_code::unavailable);
  CHECK_THAT(r.message, Catch::Contains("failure 3 of 5"));
  CHECK(stage(r, "s").attempts == 3);
  CHECK(stage(r, "s").state == stage_state::failed);
  CHECK(stage(r, "first").state == stage_state::compensated);
  CHECK(w.tags("try").size() == 3);
  CHECK(w.tags("undo") == std::vector<std::string>{"first"});
}

TEST_CASE("INVALID_ARGUMENT and UNIMPLEMENTED are not retried", "[workflow][retry]") {
  world w;
  w.start({w.service("wf")});
  w.pm().add_workflow(titan::workflow_builder("bad-args")
                          .stage("s").call("wf.run").args({"only one argument"}).retries(5)
                          .build());
  w.pm().add_workflow(titan::workflow_builder("no-method")
                          .stage("s").call("wf.nosuch").args({}).retries(5)
                          .build());
  const titan::workflow_report r = w.pm().workflow("bad-args").run();
  REQUIRE_FALSE(r.ok);
  CHECK(r.code == titan::status_code::invalid_argument);
  CHECK(stage(r, "s").attempts == 1);
  const titan::workflow_report u = w.pm().workflow("no-method").run();
  REQUIRE_FALSE(u.ok);
  CHECK(u.code == titan::status_code::unimplemented);
  CHECK(stage(u, "s").attempts == 1);
}

TEST_CASE("a reference that names nothing in this run's values fails the stage without a call", "[workflow][retry]") {
  world w;
  w.start({w.service("wf")});
  w.pm().add_workflow(titan::workflow_builder("missing")
                          .stage("a").call("wf.run").args({"a", "$input"}).compensate("wf.undo", {"a", nullptr})
                          .stage("b").call("wf.run").args({"b", "$a.rows.2"}).depends_on({"a"}).retries(3)
                          .build());
  const titan::workflow_report r =
      w.pm().workflow("missing").run(workflow_value::object{{"rows", workflow_value::array{1, 2}}});
  REQUIRE_FALSE(r.ok);
  CHECK(r.failed_stage == "b");
  CHECK(r.code == titan::status_code::invalid_argument);
  CHECK_THAT(r.message,
             Catch::Contains("args[1]: $a.rows.2: index 2 is past the end of the array at $a.rows (2 elements)"));
  CHECK(stage(r, "b").attempts == 0);
  CHECK(stage(r, "a").state == stage_state::compensated);
  CHECK(w.tags("start") == std::vector<std::string>{"a"});
}

TEST_CASE("a stage timeout ends its attempt with DEADLINE_EXCEEDED and compensates what ran", "[workflow][timeout]") {
  const unsigned retries = GENERATE(0u, 1u);
  INFO("retries " << retries);
  world w;
  titan::child_spec slow = w.service("slow");
  slow.shutdown.brutal_kill = true;  // its sleeps in flight are not worth draining
  w.start({w.service("wf"), slow});
  w.pm().add_workflow(titan::workflow_builder("slow")
                          .stage("first").call("wf.run").args({"first", 1}).compensate("wf.undo", {"first", nullptr})
                          .stage("sleepy").call("slow.sleep").args({"sleepy", 3000, 1}).depends_on({"first"})
                              .timeout(std::chrono::milliseconds(200)).retries(retries)
                              .backoff(std::chrono::milliseconds(1), 1, std::chrono::milliseconds(1))
                          .build());
  const titan::workflow_report r = w.pm().workflow("slow").run();
  REQUIRE_FALSE(r.ok);
  CHECK(r.failed_stage == "sleepy");
  CHECK(r.code == titan::status_code::deadline_exceeded);
  CHECK(stage(r, "sleepy").attempts == retries + 1);
  CHECK(stage(r, "first").state == stage_state::compensated);
  CHECK(w.tags("undo") == std::vector<std::string>{"first"});
}
