// Scheduling: independent stages run at the same time, a stage never starts
// before its dependencies end, and values flow from the input and the
// stages' outputs into later stages' arguments. Overlap is shown without a
// clock: the two middle stages call wf_step.meet, which only returns once
// both calls have arrived (a serial engine would fail with its deadline).
// Order is asserted on the report's timestamps and on the hosts' own.
#include <catch2/catch.hpp>

#include "workflow_support.hpp"

using namespace titan::test::workflow;
using titan::workflow_value;

namespace {

// a -> (b, c) -> d, where b and c meet.
titan::workflow_spec diamond(const std::string& b_service, const std::string& c_service) {
  return titan::workflow_builder("diamond")
      .stage("a").call("wf.run").args({"a", "$input.seed"})
      .stage("b").call(b_service + ".meet").args({"b", "bc", 2, 10000}).depends_on({"a"})
      .stage("c").call(c_service + ".meet").args({"c", "bc", 2, 10000}).depends_on({"a"})
      .stage("d").call("wf.run").args({"d", workflow_value::array{"$a", "$b", "$c", "$input.seed"}})
          .depends_on({"b", "c"})
      .build();
}

void check_order(const world& w, const titan::workflow_report& r) {
  REQUIRE(r.ok);
  const auto &a = stage(r, "a"), &b = stage(r, "b"), &c = stage(r, "c"), &d = stage(r, "d");
  for (const auto* s : {&a, &b, &c, &d}) {
    INFO(s->name);
    CHECK(s->state == titan::stage_state::ran);
    CHECK(s->attempts == 1);
    CHECK(s->started);
    CHECK(s->started_at <= s->ended_at);
  }
  // The report: b and c overlap; each starts after a ended; d after both.
  CHECK(b.started_at < c.ended_at);
  CHECK(c.started_at < b.ended_at);
  CHECK(b.started_at >= a.ended_at);
  CHECK(c.started_at >= a.ended_at);
  CHECK(d.started_at >= b.ended_at);
  CHECK(d.started_at >= c.ended_at);
  // The hosts' own clocks say the same.
  const auto j = w.journal();
  CHECK(line(j, "start", "b").ns < line(j, "end", "c").ns);
  CHECK(line(j, "start", "c").ns < line(j, "end", "b").ns);
  CHECK(line(j, "start", "b").ns > line(j, "end", "a").ns);
  CHECK(line(j, "start", "c").ns > line(j, "end", "a").ns);
  CHECK(line(j, "start", "d").ns > line(j, "end", "b").ns);
  CHECK(line(j, "start", "d").ns > line(j, "end", "c").ns);
  CHECK(r.completed.size() == 4);
  CHECK(r.completed.front() == "a");
  CHECK(r.completed.back() == "d");
  CHECK(r.compensated.empty());
}

}  // namespace

TEST_CASE("independent stages overlap and a stage starts only after its dependencies end", "[workflow][parallel]") {
  world w;
  w.start({w.service("wf")});
  w.pm().add_workflow(diamond("wf", "wf"));
  const titan::workflow_report r = w.pm().workflow("diamond").run(workflow_value::object{{"seed", 7}});
  check_order(w, r);
  // Values flowed: d got a's output, b's and c's (true: they met) and the input.
  CHECK(stage(r, "a").output == workflow_value(7));
  CHECK(stage(r, "d").output == workflow_value(workflow_value::array{7, true, true, 7}));
  // The default output: each stage nobody depends on.
  CHECK(r.output == workflow_value(workflow_value::object{{"d", workflow_value::array{7, true, true, 7}}}));
  CHECK(r.failed_stage.empty());
  CHECK(r.code == titan::status_code::ok);
}

TEST_CASE("independent stages on different services overlap too", "[workflow][parallel]") {
  world w;
  w.start({w.service("wf"), w.service("left", 1), w.service("right", 1)});
  w.pm().add_workflow(diamond("left", "right"));
  check_order(w, w.pm().workflow("diamond").run(workflow_value::object{{"seed", "x"}}));
}

TEST_CASE("a wide fan of independent stages all start before any of them ends", "[workflow][parallel]") {
  world w;
  w.start({w.service("wf", 8)});
  titan::workflow_builder b("wide");
  const int n = 6;
  for (int i = 0; i < n; ++i) {
    const std::string name = "s" + std::to_string(i);
    b.stage(name).call("wf.meet").args({name, "wide", n, 10000});
  }
  w.pm().add_workflow(b.build());
  const titan::workflow_report r = w.pm().workflow("wide").run();
  REQUIRE(r.ok);
  for (const auto& x : r.stages)
    for (const auto& y : r.stages) CHECK(x.started_at < y.ended_at);
  CHECK(r.output.size() == static_cast<std::size_t>(n));  // every stage is a last one
}

TEST_CASE("the output template picks what the run returns", "[workflow][parallel]") {
  world w;
  w.start({w.service("wf")});
  w.pm().add_workflow(titan::workflow_builder("out")
                          .stage("a").call("wf.run")
                              .args({"a", workflow_value::object{{"n", "$input"}, {"lit", "$$a"}}})
                          .stage("b").call("wf.run").args({"b", "$a.n"}).depends_on({"a"})
                          .output(workflow_value::array{"$b", "$a.lit", "$input"})
                          .build());
  const titan::workflow_report r = w.pm().workflow("out").run(5);
  REQUIRE(r.ok);
  CHECK(r.output == workflow_value(workflow_value::array{5, "$a", 5}));
}

TEST_CASE("progress events come in order, one per step", "[workflow][parallel]") {
  world w;
  w.start({w.service("wf")});
  w.pm().add_workflow(titan::workflow_builder("line")
                          .stage("a").call("wf.run").args({"a", 1})
                          .stage("b").call("wf.run").args({"b", "$a"}).depends_on({"a"})
                          .build());
  std::vector<std::string> events;
  auto runner = w.pm().workflow("line");
  runner.on_progress([&](const titan::workflow_event& e) {
    events.push_back(e.stage + " " + std::string(titan::to_string(e.what)));
  });
  REQUIRE(runner.run().ok);
  CHECK(events == std::vector<std::string>{"a started", "a ran", "b started", "b ran"});
}

TEST_CASE("an unknown workflow is NOT_FOUND and names the known ones", "[workflow]") {
  world w;
  w.start({w.service("wf")});
  w.pm().add_workflow(titan::workflow_builder("known").stage("a").call("wf.run").args({"a", 1}).build());
  try {
    w.pm().workflow("unknown");
    FAIL("no error");
  } catch (const titan::Error& e) {
    CHECK(e.code() == titan::status_code::not_found);
    CHECK_THAT(e.message(), Catch::Contains("no workflow named 'unknown'") && Catch::Contains("known: known"));
  }
  CHECK(w.pm().workflows() == std::vector<std::string>{"known"});
}

TEST_CASE("add_workflow refuses a service the manager does not know", "[workflow]") {
  world w;
  w.start({w.service("wf")});
  try {
    w.pm().add_workflow(titan::workflow_builder("bad").stage("a").call("fw.run").args({"a", 1}).build());
    FAIL("no error");
  } catch (const titan::invalid_workflow& e) {
    CHECK(e.code() == titan::status_code::invalid_argument);
    REQUIRE(e.errors().size() == 1);
    CHECK(e.errors()[0].path == "bad.stages.a.call");
    CHECK_THAT(e.errors()[0].message, Catch::Contains("unknown service 'fw'") && Catch::Contains("did you mean 'wf'"));
  }
  CHECK(w.pm().workflows().empty());
}
