// Compensation (saga): when a stage fails, no stage starts after it, and
// the stages that ran are compensated in reverse order of completion. The
// compensations are asserted where they ran: the wf_step hosts' journal.
#include <algorithm>
#include <catch2/catch.hpp>

#include "workflow_support.hpp"

using namespace titan::test::workflow;
using titan::stage_state;
using titan::workflow_value;

namespace {

// s1 -> s2 -> s3 -> s4; each outputs {"name": "sN-out"} and is undone by
// wf.undo($self.name); stage `failing` calls wf.fail instead.
titan::workflow_spec chain(int failing) {
  titan::workflow_builder b("chain");
  for (int i = 1; i <= 4; ++i) {
    const std::string name = "s" + std::to_string(i);
    b.stage(name);
    if (i == failing)
      b.call("wf.fail").args({name, "FAILED_PRECONDITION"});
    else
      b.call("wf.run").args({name, workflow_value::object{{"name", name + "-out"}}});
    if (i > 1) b.depends_on({"s" + std::to_string(i - 1)});
    b.compensate("wf.undo", {"$self.name", "$input"});
  }
  return b.build();
}

std::vector<std::string> reversed(std::vector<std::string> v) {
  std::reverse(v.begin(), v.end());
  return v;
}

}  // namespace

TEST_CASE("a failure at each stage of a chain compensates what ran, in reverse order", "[workflow][compensation]") {
  const int failing = GENERATE(1, 2, 3, 4);
  INFO("failing stage s" << failing);
  world w;
  w.start({w.service("wf")});
  w.pm().add_workflow(chain(failing));
  const titan::workflow_report r = w.pm().workflow("chain").run("in");

  CHECK_FALSE(r.ok);
  CHECK(r.failed_stage == "s" + std::to_string(failing));
  CHECK(r.code == titan::status_code::failed_precondition);
  CHECK_THAT(r.message, Catch::Contains("failed on purpose (s" + std::to_string(failing) + ")"));
  CHECK(r.output.is_nil());

  std::vector<std::string> ran, undone;
  for (int i = 1; i < failing; ++i) {
    ran.push_back("s" + std::to_string(i));
    undone.push_back("s" + std::to_string(i) + "-out");
  }
  CHECK(r.completed == ran);
  CHECK(r.compensated == reversed(ran));
  // On the hosts: each compensation ran once, last completed first, with $self.
  CHECK(w.tags("undo") == reversed(undone));
  const auto journal = w.journal();
  for (int i = 1; i <= 4; ++i) {
    const std::string name = "s" + std::to_string(i);
    INFO(name);
    const titan::stage_report& s = stage(r, name);
    if (i < failing) {
      CHECK(s.state == stage_state::compensated);
      CHECK(s.attempts == 1);
      CHECK(s.compensation_attempts == 1);
      CHECK(s.compensation_code == titan::status_code::ok);
      CHECK(s.compensation_started_at >= stage(r, "s" + std::to_string(failing)).ended_at);
      CHECK(s.output == workflow_value(workflow_value::object{{"name", name + "-out"}}));
      CHECK(line(journal, "undo", name + "-out").ns > line(journal, "fail", "s" + std::to_string(failing)).ns);
    } else if (i == failing) {
      CHECK(s.state == stage_state::failed);
      CHECK(s.attempts == 1);
      CHECK(s.code == titan::status_code::failed_precondition);
    } else {
      CHECK(s.state == stage_state::skipped);
      CHECK_FALSE(s.started);
      CHECK(s.attempts == 0);
    }
  }
  // Nothing after the failure started on a host.
  for (const auto& l : journal)
    if (l.event == "start") CHECK(l.tag < "s" + std::to_string(failing));
}

TEST_CASE("compensation follows the order stages completed, not the order they are listed",
          "[workflow][compensation]") {
  world w;
  w.start({w.service("wf")});
  // b is listed first but sleeps: c completes before it, so b is compensated first.
  w.pm().add_workflow(titan::workflow_builder("diamond")
                          .stage("a").call("wf.run").args({"a", "a"}).compensate("wf.undo", {"a", nullptr})
                          .stage("b").call("wf.sleep").args({"b", 300, "b"}).depends_on({"a"})
                              .compensate("wf.undo", {"$self", nullptr})
                          .stage("c").call("wf.run").args({"c", "c"}).depends_on({"a"})
                              .compensate("wf.undo", {"$self", nullptr})
                          .stage("d").call("wf.fail").args({"d", "INTERNAL"}).depends_on({"b", "c"})
                          .build());
  const titan::workflow_report r = w.pm().workflow("diamond").run();
  REQUIRE_FALSE(r.ok);
  CHECK(r.failed_stage == "d");
  CHECK(r.code == titan::status_code::internal);
  REQUIRE(r.completed.size() == 3);
  CHECK(r.completed.front() == "a");
  CHECK(r.compensated == reversed(r.completed));
  CHECK(w.tags("undo") == reversed(r.completed));
  // The recorded end times agree with the completion order.
  CHECK(stage(r, r.completed[1]).ended_at <= stage(r, r.completed[2]).ended_at);
}

TEST_CASE("a failed compensation is reported and the others still run", "[workflow][compensation]") {
  world w;
  w.start({w.service("wf")});
  w.pm().add_workflow(titan::workflow_builder("undo-fails")
                          .stage("s1").call("wf.run").args({"s1", 1}).compensate("wf.undo", {"s1", nullptr})
                          .stage("s2").call("wf.run").args({"s2", 2}).depends_on({"s1"})
                              .compensate("wf.fail", {"undo-s2", "UNAVAILABLE"})
                          .stage("s3").call("wf.run").args({"s3", 3}).depends_on({"s2"})  // no compensation
                          .stage("s4").call("wf.fail").args({"s4", "ABORTED_BY_TEST"}).depends_on({"s3"})
                          .build());
  const titan::workflow_report r = w.pm().workflow("undo-fails").run();
  REQUIRE_FALSE(r.ok);
  CHECK(r.failed_stage == "s4");
  CHECK(r.code == titan::status_code::internal);  // an unknown code name becomes INTERNAL in wf_step
  CHECK(stage(r, "s3").state == stage_state::ran);  // nothing to undo it with
  CHECK(stage(r, "s2").state == stage_state::compensation_failed);
  CHECK(stage(r, "s2").compensation_code == titan::status_code::unavailable);
  CHECK_THAT(stage(r, "s2").compensation_message, Catch::Contains("undo-s2"));
  CHECK(stage(r, "s1").state == stage_state::compensated);
  CHECK(r.compensated == std::vector<std::string>{"s2", "s1"});
  CHECK(w.tags("undo") == std::vector<std::string>{"s1"});
  CHECK(w.tags("fail") == std::vector<std::string>{"s4", "undo-s2"});
}

TEST_CASE("after a failure running stages finish, none starts, none retries", "[workflow][compensation]") {
  world w;
  w.start({w.service("wf")});
  // b fails at once. c runs until the engine has said so (it awaits the
  // file the progress callback writes on b's failure): it finishes and is
  // compensated, but d (after c) never starts. e fails once and would
  // succeed on a retry after a long backoff: the failure stops it from retrying.
  w.pm().add_workflow(titan::workflow_builder("stop")
                          .stage("a").call("wf.run").args({"a", "a"}).compensate("wf.undo", {"a", nullptr})
                          .stage("b").call("wf.fail").args({"b", "INTERNAL"}).depends_on({"a"})
                          .stage("c").call("wf.await").args({"c", "b-failed", 10000}).depends_on({"a"})
                              .compensate("wf.undo", {"c", nullptr})
                          .stage("d").call("wf.run").args({"d", "d"}).depends_on({"c"})
                          .stage("e").call("wf.flaky").args({"e", 1, "e"}).depends_on({"a"}).retries(3)
                              .backoff(std::chrono::seconds(30), 1, std::chrono::seconds(30))
                          .build());
  auto runner = w.pm().workflow("stop");
  runner.on_progress([&](const titan::workflow_event& e) {
    if (e.stage == "b" && e.what == titan::workflow_event::kind::failed) w.dir().write_file("b-failed", "");
  });
  const titan::workflow_report r = runner.run();
  REQUIRE_FALSE(r.ok);
  CHECK(r.failed_stage == "b");
  CHECK(stage(r, "c").state == stage_state::compensated);
  CHECK(stage(r, "d").state == stage_state::skipped);
  CHECK(stage(r, "e").state == stage_state::failed);
  CHECK(stage(r, "e").attempts == 1);
  CHECK_THAT(stage(r, "e").message, Catch::Contains("not retried"));
  CHECK(w.tags("try") == std::vector<std::string>{"e"});
  CHECK(w.tags("undo") == std::vector<std::string>{"c", "a"});
  for (const auto& l : w.journal()) CHECK(l.tag != "d");
}
