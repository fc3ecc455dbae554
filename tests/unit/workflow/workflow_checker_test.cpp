// workflow_checker (host/manager/src/workflow/workflow_checker.cpp), through
// titan::validate(workflow_spec): every problem with its path, in stage
// order, before anything runs.
#include <catch2/catch.hpp>
#include <titan/workflow_spec.hpp>

using namespace std::chrono_literals;
using titan::workflow_spec;
using titan::workflow_stage;
using titan::workflow_value;
using arr = workflow_value::array;

namespace {

workflow_stage stage(const std::string& name, const std::string& call, arr args = {},
                     std::vector<std::string> depends_on = {}) {
  workflow_stage s;
  s.name = name;
  s.call.call = call;
  s.call.args = std::move(args);
  s.depends_on = std::move(depends_on);
  return s;
}

workflow_spec spec(std::vector<workflow_stage> stages, const std::string& name = "wf") {
  workflow_spec w;
  w.name = name;
  w.stages = std::move(stages);
  return w;
}

// "PATH: MESSAGE" for each problem.
std::vector<std::string> problems(const workflow_spec& w,
                                  const std::optional<std::set<std::string>>& known = std::nullopt) {
  std::vector<std::string> out;
  for (const auto& e : titan::validate(w, known)) out.push_back(e.path + ": " + e.message);
  return out;
}

std::string only_problem(const workflow_spec& w, const std::optional<std::set<std::string>>& known = std::nullopt) {
  auto p = problems(w, known);
  INFO(p.size() << " problems");
  for (const auto& x : p) INFO(x);
  REQUIRE(p.size() == 1);
  return p[0];
}

}  // namespace

TEST_CASE("a valid workflow has no problems", "[workflow_checker]") {
  auto load = stage("load", "store.put", arr{"$extract.batch", "$transform", "$input.target"}, {"transform"});
  auto transform = stage("transform", "pool.map", arr{"$item", "$$literal"}, {"extract"});
  transform.for_each = "$extract.rows";
  auto extract = stage("extract", "db.read", arr{"$input.source"});
  extract.compensate = titan::workflow_call{"db.release", arr{"$self.batch", "$input"}};
  auto w = spec({load, transform, extract});  // any order that respects depends_on
  w.output = titan::workflow_value::object{{"rows", "$extract.rows"}, {"loaded", "$load"}};
  CHECK(problems(w).empty());
  CHECK(problems(w, std::set<std::string>{"store", "pool", "db"}).empty());
}

TEST_CASE("workflow and stage names", "[workflow_checker]") {
  CHECK(only_problem(spec({stage("a", "s.m")}, "")) ==
        "(unnamed): a workflow needs a name (letters, digits, '_', '.' and '-')");
  CHECK(only_problem(spec({stage("a", "s.m")}, "my wf")) ==
        "my wf: name 'my wf' has the character ' ': only letters, digits, '_', '.' and '-' are allowed");
  CHECK(only_problem(spec({stage("a", "s.m")}, std::string(65, 'w'))).find("is too long (65 characters, at most 64)") !=
        std::string::npos);
  CHECK(only_problem(spec({stage("", "s.m")})) == "wf.stages.[0]: a stage needs a name (letters, digits, '_' and '-')");
  CHECK(only_problem(spec({stage("a.b", "s.m")})) ==
        "wf.stages.a.b: stage name 'a.b' has the character '.': only letters, digits, '_' and '-' are allowed (a "
        "'.' would split references)");
  for (const char* reserved : {"input", "item", "self"}) {
    INFO(reserved);
    CHECK(only_problem(spec({stage(reserved, "s.m")})) == "wf.stages." + std::string(reserved) + ": '" + reserved +
                                                              "' cannot name a stage: $" + reserved +
                                                              " already means something in templates");
  }
  CHECK(only_problem(spec({stage("a", "s.m"), stage("a", "s.n")})) ==
        "wf.stages.a: stage 'a' is defined twice: stage names must be unique");
  CHECK(only_problem(spec({})) == "wf.stages: workflow 'wf' has no stages: a workflow needs at least one");
}

TEST_CASE("calls and their args", "[workflow_checker]") {
  CHECK(only_problem(spec({stage("a", "")})) ==
        "wf.stages.a.call: call is required: \"SERVICE.METHOD\" (e.g. \"extract.run\")");
  for (const char* bad : {"nodot", ".m", "s."}) {
    INFO(bad);
    CHECK(only_problem(spec({stage("a", bad)})) ==
          "wf.stages.a.call: call '" + std::string(bad) + "' is not SERVICE.METHOD (e.g. \"extract.run\")");
  }
  CHECK(problems(spec({stage("a", "my.svc.m")})).empty());  // split at the last '.'
  CHECK(only_problem(spec({stage("a", "extrct.run")}), std::set<std::string>{"extract", "load"}) ==
        "wf.stages.a.call: unknown service 'extrct' in call 'extrct.run': no service or pool has that name; did you "
        "mean 'extract'?");
  auto s = stage("a", "s.m");
  s.call.args = workflow_value::object{};
  CHECK(only_problem(spec({s})) ==
        "wf.stages.a.args: args must be an array (the method's positional arguments), got map");
  auto c = stage("a", "s.m");
  c.compensate = titan::workflow_call{"undo", arr{}};
  CHECK(only_problem(spec({c})) ==
        "wf.stages.a.compensate.call: call 'undo' is not SERVICE.METHOD (e.g. \"extract.run\")");
}

TEST_CASE("depends_on: duplicates, itself, unknown stages", "[workflow_checker]") {
  CHECK(only_problem(spec({stage("a", "s.m"), stage("b", "s.m", {}, {"a", "a"})})) ==
        "wf.stages.b.depends_on[1]: 'a' is listed twice in depends_on");
  CHECK(only_problem(spec({stage("a", "s.m", {}, {"a"})})) ==
        "wf.stages.a.depends_on[0]: stage 'a' cannot depend on itself");
  CHECK(only_problem(spec({stage("extract", "s.m"), stage("b", "s.m", {}, {"extrct"})})) ==
        "wf.stages.b.depends_on[0]: unknown stage 'extrct' in depends_on: no stage of workflow 'wf' has that name; "
        "did you mean 'extract'?");
}

TEST_CASE("a cycle is reported once, at the depends_on entry that closes it", "[workflow_checker]") {
  auto p = problems(spec({stage("a", "s.m", {}, {"c"}), stage("b", "s.m", {}, {"a"}), stage("c", "s.m", {}, {"b"})}));
  REQUIRE(p.size() == 1);
  // From a: a needs c, c needs b, and b needing a closes the loop.
  CHECK(p[0] == "wf.stages.b.depends_on[0]: cycle a -> c -> b -> a: depends_on must not loop (a workflow is a DAG)");
  auto two = problems(spec({stage("a", "s.m", {}, {"b"}), stage("b", "s.m", {}, {"a"}), stage("x", "s.m", {}, {"y"}),
                            stage("y", "s.m", {}, {"x"})}));
  CHECK(two.size() == 2);
}

TEST_CASE("references: only to dependencies, $item with for_each, $self in compensations", "[workflow_checker]") {
  CHECK(only_problem(spec({stage("a", "s.m"), stage("b", "s.m", arr{"$a.x"})})) ==
        "wf.stages.b.args[0]: $a.x: stage 'a' is not among the dependencies of stage 'b' (depends_on: none); add it "
        "to depends_on");
  // Transitive dependencies are visible.
  CHECK(problems(spec({stage("a", "s.m"), stage("b", "s.m", {}, {"a"}), stage("c", "s.m", arr{"$a"}, {"b"})})).empty());
  CHECK(only_problem(spec({stage("a", "s.m", arr{"$item"})})) ==
        "wf.stages.a.args[0]: $item: $item is only available in the args of a stage with for_each");
  CHECK(only_problem(spec({stage("a", "s.m", arr{"$self"})})) ==
        "wf.stages.a.args[0]: $self: $self is only available in a compensation's args");
  CHECK(only_problem(spec({stage("a", "s.m", arr{"$a.x"})})) ==
        "wf.stages.a.args[0]: $a.x: stage 'a' cannot name its own output");
  auto own = stage("a", "s.m");
  own.compensate = titan::workflow_call{"s.undo", arr{"$a.x"}};
  CHECK(only_problem(spec({own})) ==
        "wf.stages.a.compensate.args[0]: $a.x: stage 'a' cannot name its own output (in its compensation, that is "
        "$self.x)");
  CHECK(only_problem(spec({stage("extract", "s.m"), stage("b", "s.m", arr{"$extrac"}, {"extract"})})) ==
        "wf.stages.b.args[0]: $extrac: unknown stage 'extrac' (a reference starts with input, item, self or a stage "
        "name); did you mean 'extract'?");
  CHECK(
      only_problem(spec({stage("a", "s.m", arr{arr{"$a..b"}})})).find("wf.stages.a.args[0][0]: malformed reference") ==
      0);
}

TEST_CASE("for_each must be a reference to a list, not $item or $self", "[workflow_checker]") {
  auto s = stage("a", "s.m", arr{"$item"});
  s.for_each = "rows";
  CHECK(only_problem(spec({s})) ==
        "wf.stages.a.for_each: for_each must be a reference to a list, such as \"$input.items\" or \"$extract\"");
  s.for_each = 3;
  CHECK(only_problem(spec({s})).find("for_each must be a reference") != std::string::npos);
  s.for_each = "$item";
  CHECK(only_problem(spec({s})) ==
        "wf.stages.a.for_each: for_each cannot use $item: it names the list to fan out over");
  s.for_each = "$input.rows";
  CHECK(problems(spec({s})).empty());
}

TEST_CASE("timeouts and backoff", "[workflow_checker]") {
  auto s = stage("a", "s.m");
  s.timeout = 0ms;
  CHECK(only_problem(spec({s})) == "wf.stages.a.timeout: timeout must be greater than 0 (got 0 ms)");
  s.timeout.reset();
  s.backoff.factor = 0.5;
  CHECK(only_problem(spec({s})) == "wf.stages.a.backoff.factor: backoff factor must be at least 1 (got 0.5)");
  s.backoff.factor = 2;
  s.backoff.base = 2s;
  s.backoff.max = 1s;
  CHECK(only_problem(spec({s})) ==
        "wf.stages.a.backoff.max: backoff max must be at least its base (got max 1000 ms, base 2000 ms)");
  s.backoff.base = -1ms;
  CHECK(only_problem(spec({s})) == "wf.stages.a.backoff.base: backoff base must not be negative (got -1 ms)");
}

TEST_CASE("the output may name any stage, but not $item or $self", "[workflow_checker]") {
  auto w = spec({stage("a", "s.m"), stage("b", "s.m")});
  w.output = arr{"$a", "$b.x", "$input"};
  CHECK(problems(w).empty());
  w.output = arr{"$item"};
  CHECK(only_problem(w) == "wf.output[0]: $item: $item is only available in the args of a stage with for_each");
}

TEST_CASE("every problem is reported, in stage order, check() throws them all", "[workflow_checker]") {
  auto w = spec({stage("a", ""), stage("b", "s.m", arr{"$zz"}, {"q"})});
  auto p = problems(w);
  REQUIRE(p.size() == 3);
  CHECK(p[0].find("wf.stages.a.call") == 0);
  CHECK(p[1].find("wf.stages.b.depends_on[0]") == 0);
  CHECK(p[2].find("wf.stages.b.args[0]") == 0);
  try {
    titan::check(w);
    FAIL("check() did not throw");
  } catch (const titan::invalid_workflow& e) {
    CHECK(e.code() == titan::status_code::invalid_argument);
    CHECK(e.errors().size() == 3);
    CHECK(std::string(e.message()).find("workflow 'wf' is invalid: wf.stages.a.call: ") == 0);
  }
  CHECK_NOTHROW(titan::check(spec({stage("a", "s.m")})));
}

TEST_CASE("split_call splits at the last dot", "[workflow_checker]") {
  auto t = titan::split_call("my.svc.run");
  REQUIRE(t);
  CHECK(t->service == "my.svc");
  CHECK(t->method == "run");
  CHECK_FALSE(titan::split_call("run"));
  CHECK_FALSE(titan::split_call(".run"));
  CHECK_FALSE(titan::split_call("svc."));
}
