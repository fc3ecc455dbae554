// [workflows.NAME] in a topology: read field by field, in file order; every
// problem (cycle, dangling depends_on, unknown service, a reference to a
// stage that is not a dependency, bad types, unknown keys) at its file,
// line, column and key.
#include <catch2/catch.hpp>
#include <string>
#include <titan/topology.hpp>
#include <vector>

#include "broken_topology.hpp"

using namespace titan;
using titan::test::broken_topology;
using titan::test::check_only_problem;

namespace {

const std::string file = "/work/topo/conf/system.toml";

// Services svc and fan (a pool), then the workflow text; line 5 is its first line.
const std::string head = "[services.svc]\nplugin = \"svc.so\"\n[pools.fan]\nplugin = \"fan.so\"\n";

const broken_topology cases[] = {
    {"a cycle",
     "[workflows.w.stages.a]\ncall = \"svc.run\"\ndepends_on = [\"b\"]\n"
     "[workflows.w.stages.b]\ncall = \"svc.run\"\ndepends_on = [\"a\"]\n",
     "workflows.w.stages.b.depends_on[0]", 10, 15, "cycle a -> b -> a: depends_on must not loop (a workflow is a DAG)"},
    {"a longer cycle, past a stage outside it",
     "[workflows.w.stages.a]\ncall = \"svc.run\"\n"
     "[workflows.w.stages.b]\ncall = \"svc.run\"\ndepends_on = [\"a\", \"d\"]\n"
     "[workflows.w.stages.c]\ncall = \"svc.run\"\ndepends_on = [\"b\"]\n"
     "[workflows.w.stages.d]\ncall = \"svc.run\"\ndepends_on = [\"c\"]\n",
     "workflows.w.stages.c.depends_on[0]", 12, 15, "cycle b -> d -> c -> b"},
    {"a dangling depends_on",
     "[workflows.w.stages.extract]\ncall = \"svc.run\"\n[workflows.w.stages.load]\ncall = \"svc.run\"\n"
     "depends_on = [\"extract\", \"extrakt\"]\n",
     "workflows.w.stages.load.depends_on[1]", 9, 26,
     "unknown stage 'extrakt' in depends_on: no stage of workflow 'w' has that name; did you mean 'extract'?"},
    {"an unknown service", "[workflows.w.stages.a]\ncall = \"svcc.run\"\n", "workflows.w.stages.a.call", 6, 8,
     "unknown service 'svcc' in call 'svcc.run': no service or pool has that name; did you mean 'svc'?"},
    {"an unknown service in a compensation",
     "[workflows.w.stages.a]\ncall = \"fan.run\"\ncompensate = { call = \"nope.undo\" }\n",
     "workflows.w.stages.a.compensate.call", 7, 23, "unknown service 'nope' in call 'nope.undo'"},
    {"a call without a method", "[workflows.w.stages.a]\ncall = \"svc\"\n", "workflows.w.stages.a.call", 6, 8,
     "call 'svc' is not SERVICE.METHOD"},
    {"no call", "[workflows.w.stages.a]\nargs = [1]\n", "workflows.w.stages.a.call", 5, 1, "call is required"},
    {"a reference to a stage that is not a dependency",
     "[workflows.w.stages.a]\ncall = \"svc.run\"\n[workflows.w.stages.b]\ncall = \"svc.run\"\n"
     "[workflows.w.stages.c]\ncall = \"svc.run\"\ndepends_on = [\"b\"]\nargs = [\"$b\", { x = \"$a.y\" }]\n",
     "workflows.w.stages.c.args[1].x", 12, 21,
     "$a.y: stage 'a' is not among the dependencies of stage 'c' (depends_on: b); add it to depends_on"},
    {"a compensation naming its own stage instead of $self",
     "[workflows.w.stages.a]\ncall = \"svc.run\"\ncompensate = { call = \"svc.undo\", args = [\"$a.batch\"] }\n",
     "workflows.w.stages.a.compensate.args[0]", 7, 43,
     "$a.batch: stage 'a' cannot name its own output (in its compensation, that is $self.batch)"},
    {"a reference to no stage", "[workflows.w.stages.a]\ncall = \"svc.run\"\nargs = [\"$inptu\"]\n",
     "workflows.w.stages.a.args[0]", 7, 9, "unknown stage 'inptu'"},
    {"a malformed reference", "[workflows.w.stages.a]\ncall = \"svc.run\"\nargs = [1, \"$input..x\"]\n",
     "workflows.w.stages.a.args[1]", 7, 12, "malformed reference '$input..x': an empty segment"},
    {"$item without for_each", "[workflows.w.stages.a]\ncall = \"svc.run\"\nargs = [\"$item\"]\n",
     "workflows.w.stages.a.args[0]", 7, 9, "$item is only available in the args of a stage with for_each"},
    {"for_each that is no reference", "[workflows.w.stages.a]\ncall = \"fan.run\"\nfor_each = \"items\"\n",
     "workflows.w.stages.a.for_each", 7, 12, "for_each must be a reference to a list"},
    {"call that is not a string", "[workflows.w.stages.a]\ncall = 3\n", "workflows.w.stages.a.call", 6, 8,
     "expected a string, got an integer"},
    {"retries that are not an integer", "[workflows.w.stages.a]\ncall = \"svc.run\"\nretries = \"x\"\n",
     "workflows.w.stages.a.retries", 7, 11, "expected an integer, got a string"},
    {"negative retries", "[workflows.w.stages.a]\ncall = \"svc.run\"\nretries = -1\n", "workflows.w.stages.a.retries",
     7, 11, "expected an integer from 0 to"},
    {"depends_on that is not an array", "[workflows.w.stages.a]\ncall = \"svc.run\"\ndepends_on = \"b\"\n",
     "workflows.w.stages.a.depends_on", 7, 14, "expected an array of stage names, got a string"},
    {"a depends_on entry that is not a name", "[workflows.w.stages.a]\ncall = \"svc.run\"\ndepends_on = [1]\n",
     "workflows.w.stages.a.depends_on[0]", 7, 15, "expected a string (the name of a stage), got an integer"},
    {"args that are not an array", "[workflows.w.stages.a]\ncall = \"svc.run\"\nargs = \"x\"\n",
     "workflows.w.stages.a.args", 7, 8, "expected an array (the method's positional arguments), got a string"},
    {"a date in args", "[workflows.w.stages.a]\ncall = \"svc.run\"\nargs = [1979-05-27]\n",
     "workflows.w.stages.a.args[0]", 7, 9, "got a date (write dates and times as strings)"},
    {"a timeout that is no duration", "[workflows.w.stages.a]\ncall = \"svc.run\"\ntimeout = \"fast\"\n",
     "workflows.w.stages.a.timeout", 7, 11, "invalid duration 'fast'"},
    {"a zero timeout", "[workflows.w.stages.a]\ncall = \"svc.run\"\ntimeout = 0\n", "workflows.w.stages.a.timeout", 7,
     11,
     "timeout must be greater than 0 (got 0 ms)"},
    {"a backoff factor below 1", "[workflows.w.stages.a]\ncall = \"svc.run\"\nbackoff = { factor = 0.5 }\n",
     "workflows.w.stages.a.backoff.factor", 7, 22, "backoff factor must be at least 1 (got 0.5)"},
    {"reset_after in a stage's backoff", "[workflows.w.stages.a]\ncall = \"svc.run\"\nbackoff = { reset_after = 1 }\n",
     "workflows.w.stages.a.backoff.reset_after", 7, 13, "unknown key 'reset_after' (allowed: base, factor, max)"},
    {"an unknown stage key", "[workflows.w.stages.a]\ncall = \"svc.run\"\nretrys = 3\n", "workflows.w.stages.a.retrys",
     7, 1, "unknown key 'retrys'; did you mean 'retries'?"},
    {"an unknown compensate key",
     "[workflows.w.stages.a]\ncall = \"svc.run\"\ncompensate = { call = \"svc.undo\", arg = [] }\n",
     "workflows.w.stages.a.compensate.arg", 7, 35, "unknown key 'arg'; did you mean 'args'?"},
    {"an unknown workflow key", "[workflows.w]\nstage = {}\n[workflows.w.stages.a]\ncall = \"svc.run\"\n",
     "workflows.w.stage", 6, 1, "unknown key 'stage'; did you mean 'stages'?"},
    {"a workflow without stages", "[workflows.w]\noutput = 1\n", "workflows.w", 5, 1,
     "workflow 'w' has no stages: add [workflows.w.stages.NAME] tables"},
    {"a workflow that is not a table", "[workflows]\nw = 3\n", "workflows.w", 6, 5,
     "expected a table ([workflows.w], the workflow), got an integer"},
    {"a stage that is not a table", "[workflows.w.stages]\na = \"svc.run\"\n", "workflows.w.stages.a", 6, 5,
     "expected a table ([workflows.w.stages.a], the stage), got a string"},
    {"a stage named input", "[workflows.w.stages.input]\ncall = \"svc.run\"\n", "workflows.w.stages.input", 5, 1,
     "'input' cannot name a stage"},
    {"an output naming no stage", "[workflows.w]\noutput = [\"$zz\"]\n[workflows.w.stages.a]\ncall = \"svc.run\"\n",
     "workflows.w.output[0]", 6, 11, "unknown stage 'zz'"},
};

}  // namespace

TEST_CASE("a broken workflow is reported at its file, line, column and key", "[workflow][toml]") {
  for (const broken_topology& c : cases) check_only_problem(c, head + c.text, file);
}

TEST_CASE("every problem of every workflow is reported, in file order", "[workflow][toml]") {
  auto errors = titan::test::topology_problems(head +
                                                  "[workflows.one.stages.a]\ncall = \"x.run\"\ndepends_on = [\"q\"]\n"
                                                  "[workflows.two.stages.b]\ncall = 5\nretries = \"3\"\n",
                                              file);
  REQUIRE(errors.size() == 4);
  CHECK(errors[0].key == "workflows.one.stages.a.call");
  CHECK(errors[1].key == "workflows.one.stages.a.depends_on[0]");
  CHECK(errors[2].key == "workflows.two.stages.b.call");
  CHECK(errors[3].key == "workflows.two.stages.b.retries");
}

TEST_CASE("a valid workflow is read in file order with every field", "[workflow][toml]") {
  const topology t = parse_topology(head +
                                        "[workflows.pipeline]\n"
                                        "output = \"$load\"\n"
                                        "[workflows.pipeline.stages.zeta]\n"
                                        "call = \"svc.run\"\n"
                                        "args = [\"$input.source\", 3, 1.5, true, { k = \"$$x\", n = [1, 2] }]\n"
                                        "compensate = { call = \"svc.undo\", args = [\"$self.batch\"] }\n"
                                        "[workflows.pipeline.stages.alpha]\n"
                                        "call = \"fan.run\"\n"
                                        "depends_on = [\"zeta\"]\n"
                                        "for_each = \"$zeta.rows\"\n"
                                        "args = [\"$item\"]\n"
                                        "timeout = \"2s\"\n"
                                        "retries = 2\n"
                                        "backoff = { base = \"50ms\", factor = 3, max = \"1s\" }\n"
                                        "[workflows.pipeline.stages.load]\n"
                                        "call = \"svc.store\"\n"
                                        "depends_on = [\"alpha\", \"zeta\"]\n"
                                        "args = [\"$alpha\"]\n"
                                        "[workflows.another.stages.only]\n"
                                        "call = \"svc.run\"\n",
                                    file);
  REQUIRE(t.workflows.size() == 2);
  const workflow_spec& w = t.workflows[0];
  CHECK(w.name == "pipeline");
  CHECK(t.workflows[1].name == "another");
  REQUIRE(w.stages.size() == 3);
  CHECK(w.stages[0].name == "zeta");
  CHECK(w.stages[1].name == "alpha");
  CHECK(w.stages[2].name == "load");
  CHECK(w.output == workflow_value("$load"));
  const workflow_stage& z = w.stages[0];
  CHECK(z.call.call == "svc.run");
  CHECK(z.call.args ==
        workflow_value(workflow_value::array{"$input.source", 3, 1.5, true,
                                             workflow_value::object{{"k", "$$x"},
                                                                    {"n", workflow_value::array{1, 2}}}}));
  REQUIRE(z.compensate);
  CHECK(z.compensate->call == "svc.undo");
  CHECK(z.compensate->args == workflow_value(workflow_value::array{"$self.batch"}));
  CHECK_FALSE(z.timeout);
  CHECK(z.retries == 0);
  const workflow_stage& a = w.stages[1];
  CHECK(a.depends_on == std::vector<std::string>{"zeta"});
  CHECK(a.for_each == workflow_value("$zeta.rows"));
  CHECK(a.timeout == std::chrono::milliseconds(2000));
  CHECK(a.retries == 2);
  CHECK(a.backoff.base == std::chrono::milliseconds(50));
  CHECK(a.backoff.factor == 3);
  CHECK(a.backoff.max == std::chrono::milliseconds(1000));
  CHECK_FALSE(a.compensate);
  // Each key's position is known, for later problems.
  CHECK(t.positions.at("workflows.pipeline.stages.alpha.for_each").line == 14);
}
