// workflow_builder and validate(): each problem is found before anything
// runs, named by its path, and thrown as titan::invalid_workflow.
#include <catch2/catch.hpp>
#include <titan/workflow.hpp>

using titan::workflow_value;

namespace {

std::vector<titan::workflow_spec_error> problems(const titan::workflow_builder& b,
                                                 std::optional<std::set<std::string>> known = std::nullopt) {
  try {
    b.build(known);
  } catch (const titan::invalid_workflow& e) {
    CHECK(e.code() == titan::status_code::invalid_argument);
    CHECK_THAT(e.message(), Catch::StartsWith("workflow '"));
    return e.errors();
  }
  return {};
}

// The one problem `b` has: its path and a fragment of its message.
void one_problem(const titan::workflow_builder& b, const std::string& path, const std::string& fragment,
                 std::optional<std::set<std::string>> known = std::nullopt) {
  auto errors = problems(b, std::move(known));
  REQUIRE(errors.size() == 1);
  CHECK(errors[0].path == path);
  CHECK_THAT(errors[0].message, Catch::Contains(fragment));
}

titan::workflow_builder two() {
  titan::workflow_builder b("w");
  b.stage("a").call("svc.run").args({"$input"});
  return b;
}

}  // namespace

TEST_CASE("a valid workflow builds into the spec it describes", "[workflow][builder]") {
  const titan::workflow_spec spec = titan::workflow_builder("pipeline")
                                        .stage("extract").call("extract.run").args({"$input.source", 3})
                                            .compensate("extract.release", {"$self.batch"})
                                        .stage("transform").call("my.pool.run").depends_on({"extract"})
                                            .for_each("$extract.rows").args({"$item", "$$literal"})
                                            .timeout(std::chrono::seconds(2)).retries(2)
                                            .backoff(std::chrono::milliseconds(50), 3, std::chrono::seconds(1))
                                        .stage("load").call("load.store").depends_on({"transform", "extract"})
                                            .args({workflow_value::object{{"rows", "$transform"},
                                                                          {"b", "$extract.batch"}}})
                                        .output("$load")
                                        .build({{"extract", "my.pool", "load"}});
  REQUIRE(spec.stages.size() == 3);
  const auto& t = spec.stages[1];
  CHECK(t.name == "transform");
  CHECK(t.call.call == "my.pool.run");
  CHECK(titan::split_call(t.call.call)->service == "my.pool");
  CHECK(titan::split_call(t.call.call)->method == "run");
  CHECK(t.for_each == workflow_value("$extract.rows"));
  CHECK(t.timeout == std::chrono::milliseconds(2000));
  CHECK(t.retries == 2);
  CHECK(t.backoff.base == std::chrono::milliseconds(50));
  CHECK(t.backoff.factor == 3);
  CHECK(t.backoff.max == std::chrono::milliseconds(1000));
  CHECK_FALSE(t.compensate);
  REQUIRE(spec.stages[0].compensate);
  CHECK(spec.stages[0].compensate->call == "extract.release");
  CHECK(spec.output == workflow_value("$load"));
}

TEST_CASE("builder: a dangling depends_on names the stage and a guess", "[workflow][builder]") {
  titan::workflow_builder b = two();
  b.stage("b").call("svc.run").depends_on({"aa"});
  one_problem(b, "w.stages.b.depends_on[0]", "unknown stage 'aa' in depends_on: no stage of workflow 'w' has that "
                                             "name; did you mean 'a'?");
}

TEST_CASE("builder: a cycle is named stage by stage", "[workflow][builder]") {
  titan::workflow_builder b("w");
  b.stage("a").call("s.m").depends_on({"c"});
  b.stage("b").call("s.m").depends_on({"a"});
  b.stage("c").call("s.m").depends_on({"b"});
  // Found from a, closed by b's dependency on a.
  one_problem(b, "w.stages.b.depends_on[0]", "cycle a -> c -> b -> a: depends_on must not loop");
}

TEST_CASE("builder: a stage cannot depend on itself", "[workflow][builder]") {
  titan::workflow_builder b("w");
  b.stage("a").call("s.m").depends_on({"a"});
  one_problem(b, "w.stages.a.depends_on[0]", "cannot depend on itself");
}

TEST_CASE("builder: a reference to a stage that is not a dependency", "[workflow][builder]") {
  titan::workflow_builder b = two();
  b.stage("b").call("svc.run").args({"$a"});
  b.stage("c").call("svc.run").args({workflow_value::object{{"x", workflow_value::array{1, "$b.out"}}}})
      .depends_on({"a"});
  auto errors = problems(b);
  REQUIRE(errors.size() == 2);
  CHECK(errors[0].path == "w.stages.b.args[0]");
  CHECK_THAT(errors[0].message,
             Catch::Contains("$a: stage 'a' is not among the dependencies of stage 'b' (depends_on: none)"));
  CHECK(errors[1].path == "w.stages.c.args[0].x[1]");
  CHECK_THAT(errors[1].message, Catch::Contains("$b.out: stage 'b' is not among the dependencies of stage 'c' "
                                                "(depends_on: a); add it to depends_on"));
}

TEST_CASE("builder: a transitive dependency may be referenced", "[workflow][builder]") {
  titan::workflow_builder b = two();
  b.stage("b").call("svc.run").depends_on({"a"});
  b.stage("c").call("svc.run").depends_on({"b"}).args({"$a.x", "$b"}).compensate("svc.undo", {"$self", "$a"});
  CHECK(problems(b).empty());
}

TEST_CASE("builder: $item and $self only where they mean something", "[workflow][builder]") {
  titan::workflow_builder b = two();
  b.stage("b").call("svc.run").args({"$item"}).compensate("svc.undo", {"$item.x"});
  b.stage("c").call("svc.run").args({"$self"}).for_each("$item");
  auto errors = problems(b);
  REQUIRE(errors.size() == 4);
  CHECK(errors[0].path == "w.stages.c.for_each");  // stage checks come first, then references
  CHECK(errors[1].path == "w.stages.b.args[0]");
  CHECK_THAT(errors[1].message, Catch::Contains("$item is only available in the args of a stage with for_each"));
  CHECK(errors[2].path == "w.stages.b.compensate.args[0]");
  CHECK(errors[3].path == "w.stages.c.args[0]");
  CHECK_THAT(errors[3].message, Catch::Contains("$self is only available in a compensation's args"));
}

TEST_CASE("builder: malformed references and calls", "[workflow][builder]") {
  titan::workflow_builder b("w");
  b.stage("a").call("norun").args({"$", "$a..b", "$in put"});
  b.stage("b").call(".run").args(workflow_value::array{}).for_each("items");
  b.stage("c");
  auto errors = problems(b);
  REQUIRE(errors.size() == 7);
  CHECK(errors[0].path == "w.stages.a.call");
  CHECK_THAT(errors[0].message, Catch::Contains("call 'norun' is not SERVICE.METHOD"));
  CHECK(errors[1].path == "w.stages.b.call");
  CHECK(errors[2].path == "w.stages.b.for_each");
  CHECK_THAT(errors[2].message, Catch::Contains("for_each must be a reference to a list"));
  CHECK(errors[3].path == "w.stages.c.call");
  CHECK_THAT(errors[3].message, Catch::Contains("call is required"));
  CHECK(errors[4].path == "w.stages.a.args[0]");
  CHECK_THAT(errors[4].message, Catch::Contains("'$' must be followed by input, item, self or a stage name"));
  CHECK(errors[5].path == "w.stages.a.args[1]");
  CHECK_THAT(errors[5].message, Catch::Contains("an empty segment"));
  CHECK(errors[6].path == "w.stages.a.args[2]");
}

TEST_CASE("builder: names, duplicates, reserved words, values", "[workflow][builder]") {
  titan::workflow_builder b("bad name");
  b.stage("a").call("s.m");
  b.stage("a").call("s.m");
  b.stage("input").call("s.m");
  b.stage("x.y").call("s.m");
  b.stage("t").call("s.m").timeout(std::chrono::milliseconds(0)).backoff(std::chrono::milliseconds(10), 0.5,
                                                                          std::chrono::milliseconds(5));
  auto errors = problems(b);
  REQUIRE(errors.size() == 7);
  CHECK(errors[0].path == "bad name");
  CHECK_THAT(errors[0].message, Catch::Contains("has the character ' '"));
  CHECK_THAT(errors[1].message, Catch::Contains("stage 'a' is defined twice"));
  CHECK_THAT(errors[2].message, Catch::Contains("'input' cannot name a stage"));
  CHECK_THAT(errors[3].message, Catch::Contains("a '.' would split references"));
  CHECK(errors[4].path == "bad name.stages.t.timeout");
  CHECK(errors[5].path == "bad name.stages.t.backoff.factor");
  CHECK(errors[6].path == "bad name.stages.t.backoff.max");
}

TEST_CASE("builder: an unknown service, with the known ones given", "[workflow][builder]") {
  titan::workflow_builder b("w");
  b.stage("a").call("extrct.run").compensate("load.undo", {});
  one_problem(b, "w.stages.a.call", "unknown service 'extrct' in call 'extrct.run': no service or pool has that "
                                    "name; did you mean 'extract'?",
              std::set<std::string>{"extract", "load"});
}

TEST_CASE("builder: stage fields before any stage, and no stage at all", "[workflow][builder]") {
  titan::workflow_builder b("w");
  b.call("s.m");
  auto errors = problems(b);
  REQUIRE(errors.size() == 2);
  CHECK(errors[0].path == "w.call");
  CHECK_THAT(errors[0].message, Catch::Contains("call() before any stage()"));
  CHECK(errors[1].path == "w.stages");
  CHECK_THAT(errors[1].message, Catch::Contains("has no stages"));
}

TEST_CASE("builder: the output may name any stage but not $item", "[workflow][builder]") {
  titan::workflow_builder b = two();
  b.output(workflow_value::array{"$a", "$item", "$zz"});
  auto errors = problems(b);
  REQUIRE(errors.size() == 2);
  CHECK(errors[0].path == "w.output[1]");
  CHECK(errors[1].path == "w.output[2]");
  CHECK_THAT(errors[1].message, Catch::Contains("unknown stage 'zz'"));
}
