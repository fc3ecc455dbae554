// parse_topology on broken files: each problem names its key, its line and
// column, and says what is wrong and what is allowed.
#include <catch2/catch.hpp>
#include <cstdlib>
#include <string>
#include <titan/topology.hpp>
#include <vector>

#include "broken_topology.hpp"

using namespace titan;
using titan::test::broken_topology;
using titan::test::check_only_problem;

namespace {

const std::string file = "/work/topo/conf/system.toml";

const broken_topology cases[] = {
    {"unknown key with a suggestion", "[services.a]\nplugin = \"a.so\"\nrestrat = \"transient\"\n",
     "services.a.restrat", 3, 1, "unknown key 'restrat'; did you mean 'restart'?"},
    {"unknown key, the allowed ones listed", "[services.a]\nplugin = \"a.so\"\ncolour = \"blue\"\n",
     "services.a.colour", 3, 1, "unknown key 'colour' (allowed: plugin, config, config_file, concurrency,"},
    {"unknown table", "[services.b]\nplugin = \"b.so\"\n[service.a]\nplugin = \"a.so\"\n", "service", 3, 2,
     "unknown key 'service'; did you mean 'services'?"},
    {"unknown backoff key", "[services.a]\nplugin = \"a.so\"\nbackoff = { bsae = \"1s\" }\n", "services.a.backoff.bsae",
     3, 13, "did you mean 'base'?"},
    {"wrong type", "[services.a]\nplugin = \"a.so\"\nconcurrency = \"two\"\n", "services.a.concurrency", 3, 15,
     "expected an integer, got a string"},
    {"a service that is not a table", "[services]\na = 3\nb = { plugin = \"b.so\" }\n", "services.a", 2, 5,
     "expected a table ([services.a], the service), got an integer"},
    {"watch that is not a boolean", "[services.a]\nplugin = \"a.so\"\nwatch = \"yes\"\n", "services.a.watch", 3, 9,
     "expected a boolean (true or false), got a string"},
    {"watch in [defaults] that is not a boolean", "[defaults]\nwatch = 1\n[pools.p]\nplugin = \"p.so\"\n",
     "defaults.watch", 2, 9, "expected a boolean (true or false), got an integer"},
    {"watch on a supervisor", "[supervisors.main]\nchildren = [\"a\"]\nwatch = true\n[services.a]\nplugin = \"a.so\"\n",
     "supervisors.main.watch", 3, 1, "unknown key 'watch'"},
    {"config that is not a table", "[services.a]\nplugin = \"a.so\"\nconfig = \"x = 1\"\n", "services.a.config", 3, 10,
     "expected a table (or use config_file), got a string"},
    {"children that are not names", "[supervisors.main]\nchildren = [\"a\", 3]\n[services.a]\nplugin = \"a.so\"\n",
     "supervisors.main.children[1]", 2, 18,
     "expected a string (the name of a service, pool or supervisor), got an integer"},
    {"a negative integer", "[services.a]\nplugin = \"a.so\"\nconcurrency = -1\n", "services.a.concurrency", 3, 15,
     "expected an integer from 0 to 4294967295, got -1"},
    {"period 0", "[supervisors.main]\nchildren = [\"a\"]\nperiod = 0\n[services.a]\nplugin = \"a.so\"\n",
     "supervisors.main.period", 3, 10, "period must be greater than 0 (got 0 ms)"},
    {"period 0 in [defaults], said once",
     "[defaults]\nperiod = \"0s\"\n[pools.p]\nplugin = \"p.so\"\n"
     "[pools.q]\nplugin = \"q.so\"\n",
     "defaults.period", 2, 10, "period must be greater than 0 (got 0 ms)"},
    {"negative shutdown timeout", "[services.a]\nplugin = \"a.so\"\nshutdown = \"-2s\"\n", "services.a.shutdown", 3, 12,
     "shutdown timeout must not be negative (got -2000 ms)"},
    {"a shutdown that is no duration", "[services.a]\nplugin = \"a.so\"\nshutdown = \"gently\"\n",
     "services.a.shutdown", 3, 12, "invalid shutdown 'gently': use \"brutal_kill\" or a duration"},
    {"negative call_timeout in [defaults]", "[defaults]\ncall_timeout = -1\n[services.a]\nplugin = \"a.so\"\n",
     "defaults.call_timeout", 2, 16, "call_timeout must be greater than 0 (got -1 ms)"},
    {"unknown supervisor strategy",
     "[supervisors.main]\nstrategy = \"one_for_two\"\nchildren = [\"a\"]\n[services.a]\nplugin = \"a.so\"\n",
     "supervisors.main.strategy", 2, 12, "unknown strategy 'one_for_two' (one_for_one, one_for_all or rest_for_one)"},
    {"unknown pool strategy", "[pools.p]\nplugin = \"p.so\"\nstrategy = \"fastest\"\n", "pools.p.strategy", 3, 12,
     "unknown strategy 'fastest' (round-robin, least-loaded, random or consistent-hash)"},
    {"unknown auto_shutdown",
     "[supervisors.main]\nauto_shutdown = \"sometimes\"\nchildren = [\"a\"]\n"
     "[services.a]\nplugin = \"a.so\"\n",
     "supervisors.main.auto_shutdown", 2, 17, "unknown auto_shutdown 'sometimes' (never, any_significant or"},
    {"unknown restart type", "[services.a]\nplugin = \"a.so\"\nrestart = \"sometimes\"\n", "services.a.restart", 3, 11,
     "unknown restart type 'sometimes' (permanent, transient or temporary)"},
    {"bad duration", "[services.a]\nplugin = \"a.so\"\ncall_timeout = \"5 seconds\"\n", "services.a.call_timeout", 3,
     16, "invalid duration '5 seconds' has an unknown unit 'seconds': use an integer of milliseconds"},
    {"duration without a unit", "[services.a]\nplugin = \"a.so\"\nready_timeout = \"500\"\n",
     "services.a.ready_timeout", 3, 17, "invalid duration '500' has no unit"},
    {"a float duration", "[manager]\nheartbeat = 1.5\n[services.a]\nplugin = \"a.so\"\n", "manager.heartbeat", 2, 13,
     "expected a duration, got a float"},
    {"bad size", "[services.a]\nplugin = \"a.so\"\nmax_memory = \"lots\"\n", "services.a.max_memory", 3, 14,
     "invalid size 'lots': use an integer of bytes or a number with a unit: B, K/KB/KiB, M/MB/MiB, G/GB/GiB"},
    {"bad size unit", "[manager]\nlog_max_size = \"10TB\"\n[services.a]\nplugin = \"a.so\"\n", "manager.log_max_size",
     2, 16, "invalid size '10TB' has an unknown unit 'TB'"},
    {"pool size", "[pools.p]\nplugin = \"p.so\"\nsize = \"many\"\n", "pools.p.size", 3, 8,
     "expected an integer of hosts or \"auto\" (one per core), got 'many'"},
    {"heartbeat 0", "[manager]\nheartbeat = 0\n[services.a]\nplugin = \"a.so\"\n", "manager.heartbeat", 2, 13,
     "heartbeat must be greater than 0 (got 0 ms)"},
    {"log_files 0", "[manager]\nlog_files = 0\n[services.a]\nplugin = \"a.so\"\n", "manager.log_files", 2, 13,
     "log_files must be at least 1 (got 0)"},
    {"a service and a pool with one name", "[services.api]\nplugin = \"a.so\"\n[pools.api]\nplugin = \"b.so\"\n",
     "pools.api", 3, 1, "name 'api' is already used by services.api (line 1)"},
    {"a child listed by two supervisors",
     "[supervisors.main]\nchildren = [\"a\", \"sub\"]\n[supervisors.sub]\nchildren = [\"b\", \"a\"]\n"
     "[services.a]\nplugin = \"a.so\"\n[services.b]\nplugin = \"b.so\"\n",
     "supervisors.sub.children[1]", 4, 18,
     "'a' is already a child of supervisor 'main' (supervisors.main.children[0]): a child has exactly one supervisor"},
    {"a child listed twice in one supervisor",
     "[supervisors.main]\nchildren = [\"a\", \"a\"]\n[services.a]\nplugin = \"a.so\"\n", "supervisors.main.children[1]",
     2, 18, "'a' is listed twice in these children (first at supervisors.main.children[0])"},
    {"a child that names nothing",
     "[supervisors.main]\nchildren = [\"a\", \"nobody\"]\n[services.a]\nplugin = \"a.so\"\n",
     "supervisors.main.children[1]", 2, 18, "unknown child 'nobody': no service, pool or supervisor has that name"},
    {"a cycle",
     "[supervisors.main]\nchildren = [\"a\"]\n[supervisors.x]\nchildren = [\"y\"]\n[supervisors.y]\n"
     "children = [\"x\"]\n[services.a]\nplugin = \"a.so\"\n",
     "supervisors.y.children[0]", 6, 13, "cycle x -> y -> x: a supervisor cannot be its own descendant"},
    {"a supervisor listing itself",
     "[supervisors.main]\nchildren = [\"a\"]\n[supervisors.x]\nchildren = [\"x\"]\n"
     "[services.a]\nplugin = \"a.so\"\n",
     "supervisors.x.children[0]", 4, 13, "cycle x -> x"},
    {"every supervisor in a cycle",
     "[supervisors.x]\nchildren = [\"y\", \"a\"]\n[supervisors.y]\nchildren = [\"x\"]\n"
     "[services.a]\nplugin = \"a.so\"\n",
     "supervisors.y.children[0]", 4, 13, "every supervisor is a child of another: cycle x -> y -> x"},
    {"two roots",
     "[supervisors.one]\nchildren = [\"a\"]\n[supervisors.two]\nchildren = [\"b\"]\n"
     "[services.a]\nplugin = \"a.so\"\n[services.b]\nplugin = \"b.so\"\n",
     "supervisors.two", 3, 1, "2 supervisors are nobody's child: 'one' and 'two'; exactly one may be the root"},
    {"a service in no supervisor",
     "[supervisors.main]\nchildren = [\"a\"]\n[services.a]\nplugin = \"a.so\"\n"
     "[services.b]\nplugin = \"b.so\"\n",
     "services.b", 5, 1, "service 'b' is not a child of any supervisor: list it in the children of one"},
    {"a significant permanent child",
     "[supervisors.main]\nauto_shutdown = \"any_significant\"\nchildren = [\"a\"]\n"
     "[services.a]\nplugin = \"a.so\"\nsignificant = true\n",
     "services.a.significant", 6, 15, "a significant child must be transient or temporary (got permanent)"},
    {"significant without auto_shutdown",
     "[services.a]\nplugin = \"a.so\"\nrestart = \"transient\"\nsignificant = true\n", "services.a.significant", 4, 15,
     "significant children need their supervisor's auto_shutdown to be any_significant or all_significant "
     "(supervisor 'root' has never)"},
    {"empty children", "[supervisors.main]\nchildren = []\n", "supervisors.main.children", 2, 12,
     "supervisor 'main' has no children: a supervisor needs at least one"},
    {"no children key", "[supervisors.main]\nstrategy = \"one_for_all\"\n", "supervisors.main", 1, 1,
     "supervisor 'main' has no children"},
    {"unset environment variable", "[services.a]\nplugin = \"${TOPO_TEST_NOT_SET}/a.so\"\n", "services.a.plugin", 2, 10,
     "environment variable TOPO_TEST_NOT_SET is not set (write ${TOPO_TEST_NOT_SET:-default} to give a default)"},
    {"config and config_file", "[services.a]\nplugin = \"a.so\"\nconfig_file = \"a.toml\"\nconfig = { x = 1 }\n",
     "services.a.config_file", 3, 15, "config and config_file are both set"},
    {"no plugin", "[services.a]\nconcurrency = 2\n", "services.a", 1, 1, "plugin is required"},
    {"concurrency 0", "[services.a]\nplugin = \"a.so\"\nconcurrency = 0\n", "services.a.concurrency", 3, 15,
     "concurrency must be at least 1 (got 0)"},
    {"transport", "[services.a]\nplugin = \"a.so\"\ntransport = \"udp\"\n", "services.a.transport", 3, 13,
     "transport must be ipc or tcp (got 'udp')"},
    {"backoff factor", "[services.a]\nplugin = \"a.so\"\nbackoff = { factor = 0.5 }\n", "services.a.backoff.factor", 3,
     22, "backoff factor must be at least 1 (got 0.5)"},
    {"backoff that is neither a table nor \"none\"", "[services.a]\nplugin = \"a.so\"\nbackoff = \"off\"\n",
     "services.a.backoff", 3, 11,
     "unknown backoff 'off': use \"none\" (restart at once, as OTP does) or a table of base, factor, max and "
     "reset_after"},
    {"backoff of the wrong type", "[services.a]\nplugin = \"a.so\"\nbackoff = 100\n", "services.a.backoff", 3, 11,
     "expected a table (base, factor, max, reset_after) or \"none\", got an integer"},
    {"backoff max from [defaults] below the service's base",
     "[defaults]\nbackoff = { max = \"1s\" }\n[services.a]\nplugin = \"a.so\"\nbackoff = { base = \"2s\" }\n",
     "defaults.backoff.max", 2, 19, "backoff max must be at least its base (got max 1000 ms, base 2000 ms)"},
    {"a bad name", "[services.\"my api\"]\nplugin = \"a.so\"\n", "services.my api", 1, 1,
     "name 'my api' has the character ' ': only letters, digits, '_', '.' and '-' are allowed"},
    {"TOML syntax error", "[services.a]\nplugin = \"a.so\nconcurrency = 2\n", "", 2, 15, "TOML syntax error: "},
};

}  // namespace

TEST_CASE("each broken topology reports its one problem at its key, line and column", "[topology]") {
  ::unsetenv("TOPO_TEST_NOT_SET");
  for (const broken_topology& c : cases) check_only_problem(c, c.text, file);
}

TEST_CASE("a service left out of the tree still has its values checked", "[topology]") {
  auto errors = titan::test::topology_problems(
      "[supervisors.main]\nchildren = [\"a\"]\n[services.a]\nplugin = \"a.so\"\n"
      "[services.b]\nplugin = \"b.so\"\nconcurrency = 0\n",
      file);
  REQUIRE(errors.size() == 2);
  CHECK(errors[0].key == "services.b");
  CHECK(errors[1].key == "services.b.concurrency");
  CHECK(errors[1].where.line == 7);
  CHECK(errors[1].message == "concurrency must be at least 1 (got 0)");
}

TEST_CASE("nothing to run", "[topology]") {
  auto errors = titan::test::topology_problems("[manager]\nliveness = 2\n", file);
  REQUIRE(errors.size() == 1);
  CHECK(errors[0].key.empty());
  CHECK(errors[0].where.line == 0);
  CHECK(errors[0].to_string() == file + ": nothing to run: add a [services.NAME] or [pools.NAME] table");
}

TEST_CASE("every problem is collected, in file order", "[topology]") {
  // Found in another order: keys as they are read, the tree after them.
  const char* text =
      "[services.b]\nplugin = \"b.so\"\n"                        // 1: not in any supervisor
      "[supervisors.main]\nchildren = [\"a\", \"ghost\"]\n"      // 4: names nothing
      "period = \"soon\"\n"                                      // 5: bad duration
      "[services.a]\nplugin = \"a.so\"\nrestart = \"never\"\n";  // 8: restart type
  auto errors = titan::test::topology_problems(text, file);
  REQUIRE(errors.size() == 4);
  CHECK(errors[0].key == "services.b");
  CHECK(errors[0].where.line == 1);
  CHECK(errors[1].key == "supervisors.main.children[1]");
  CHECK(errors[1].where.line == 4);
  CHECK(errors[2].key == "supervisors.main.period");
  CHECK(errors[2].where.line == 5);
  CHECK(errors[3].key == "services.a.restart");
  CHECK(errors[3].where.line == 8);
}

TEST_CASE("topology_error::to_string and what()", "[topology]") {
  topology_error e{"demo.toml", {12, 11}, "services.api.restart", "unknown restart type 'sometimes'"};
  CHECK(e.to_string() == "demo.toml:12:11: services.api.restart: unknown restart type 'sometimes'");
  e.where = {};
  CHECK(e.to_string() == "demo.toml: services.api.restart: unknown restart type 'sometimes'");
  e.key.clear();
  CHECK(e.to_string() == "demo.toml: unknown restart type 'sometimes'");

  topology_errors all({{"f.toml", {9, 1}, "b", "second"}, {"f.toml", {2, 3}, "a", "first"}});
  REQUIRE(all.errors().size() == 2);
  CHECK(all.errors()[0].key == "a");
  CHECK(std::string(all.what()) == "f.toml:2:3: a: first\nf.toml:9:1: b: second");
}
