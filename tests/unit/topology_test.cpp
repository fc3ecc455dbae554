// parse_topology on valid files: the tree (order, kinds), [defaults] merged
// key by key, overrides, paths resolved against the file, ${VAR} expansion,
// the [manager] settings and where each key was read. Broken files are in
// topology_errors_test.cpp.
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <titan/topology.hpp>

using namespace titan;
using namespace std::chrono_literals;

namespace {

const std::string file = "/work/topo/conf/system.toml";

const char* full_text = R"([manager]
control = "tcp://127.0.0.1:${TOPO_TEST_UNSET_PORT:-5555}"
runtime_dir = "run/../rt"
log_dir = "${TOPO_TEST_LOGS}/titan"
log_max_size = "2MiB"
log_files = 7
heartbeat = "250ms"
liveness = 5

[defaults]
restart = "transient"
shutdown = "2s"
backoff = { base = "50ms", factor = 2, max = "1s" }
call_timeout = "1m"
ready_timeout = 3000
max_memory = "1GB"
concurrency = 2
transport = "tcp"
log_level = "debug"
intensity = 4
period = "20s"

[supervisors.top]
strategy = "one_for_all"
children = ["db", "web", "api"]

[services.db]
plugin = "${TOPO_TEST_PLUGINS}/db.so"
config = { path = "/var/db", size = 3 }
shutdown = "brutal_kill"
restart = "permanent"

[supervisors.web]
strategy = "rest_for_one"
intensity = 1
period = "1.5s"
auto_shutdown = "any_significant"
restart = "temporary"
children = ["cache", "front"]

[pools.cache]
plugin = "../plugins/cache.so"
size = "auto"
strategy = "least-loaded"
intensity = 9
period = "2m"
backoff = { max = "3s" }

[services.front]
plugin = "/abs/./front.so"
config_file = "front.toml"
significant = true
concurrency = 1
transport = "ipc"
log_level = "warn"
max_memory = 1048576
ready_timeout = "1h"
call_timeout = 100

[pools.api]
plugin = "api.so"
size = 3
strategy = "consistent-hash"
)";

topology parse_full() {
  ::setenv("TOPO_TEST_PLUGINS", "/opt/titan/plugins", 1);
  ::setenv("TOPO_TEST_LOGS", "/var/log", 1);
  ::unsetenv("TOPO_TEST_UNSET_PORT");
  return parse_topology(full_text, file);
}

}  // namespace

TEST_CASE("a full topology: manager settings", "[topology]") {
  topology t = parse_full();
  CHECK(t.file == file);
  CHECK(t.manager.control == "tcp://127.0.0.1:5555");
  CHECK(t.manager.runtime_dir == "/work/topo/conf/rt");
  CHECK(t.manager.log_dir == "/var/log/titan");
  CHECK(t.manager.log_max_size == 2u << 20);
  CHECK(t.manager.log_files == 7);
  CHECK(t.manager.heartbeat == 250ms);
  CHECK(t.manager.liveness == 5);
}

TEST_CASE("a full topology: the tree in children order", "[topology]") {
  topology t = parse_full();
  const supervisor_spec& root = t.root;
  CHECK(root.name == "top");
  CHECK(root.flags.strategy == supervisor_strategy::one_for_all);
  CHECK(root.flags.intensity == 4);  // [defaults]
  CHECK(root.flags.period == 20s);
  CHECK(root.flags.auto_shutdown == auto_shutdown_policy::never);
  REQUIRE(root.children.size() == 3);
  CHECK(root.children[0].name == "db");
  CHECK(root.children[0].kind == child_kind::service);
  CHECK(root.children[1].name == "web");
  CHECK(root.children[1].kind == child_kind::supervisor);
  CHECK(root.children[2].name == "api");
  CHECK(root.children[2].kind == child_kind::pool);

  const child_spec& web = root.children[1];
  CHECK(web.restart == restart_type::temporary);
  REQUIRE(web.supervisor);
  CHECK(web.supervisor->name == "web");
  CHECK(web.supervisor->flags.strategy == supervisor_strategy::rest_for_one);
  CHECK(web.supervisor->flags.intensity == 1);
  CHECK(web.supervisor->flags.period == 1500ms);
  CHECK(web.supervisor->flags.auto_shutdown == auto_shutdown_policy::any_significant);
  REQUIRE(web.supervisor->children.size() == 2);
  CHECK(web.supervisor->children[0].name == "cache");
  CHECK(web.supervisor->children[1].name == "front");

  CHECK(t.tables.at("db") == "services.db");
  CHECK(t.tables.at("cache") == "pools.cache");
  CHECK(t.tables.at("web") == "supervisors.web");
  CHECK(t.tables.at("top") == "supervisors.top");
}

TEST_CASE("a full topology: defaults, overrides and paths", "[topology]") {
  topology t = parse_full();
  const child_spec& db = t.root.children[0];
  CHECK(db.host.plugin == "/opt/titan/plugins/db.so");  // ${VAR}
  CHECK_THAT(db.host.config, Catch::Contains("path = '/var/db'") && Catch::Contains("size = 3"));
  CHECK(db.host.config_file.empty());
  CHECK(db.shutdown.brutal_kill);
  CHECK(db.restart == restart_type::permanent);  // its own
  CHECK_FALSE(db.significant);
  CHECK(db.backoff.base == 50ms);  // the rest from [defaults] ...
  CHECK(db.backoff.factor == 2.0);
  CHECK(db.backoff.max == 1s);
  CHECK(db.backoff.reset_after == 10s);  // ... or built in
  CHECK(db.host.call_timeout == 60s);
  CHECK(db.host.ready_timeout == 3s);
  CHECK(db.host.max_memory == 1u << 30);
  CHECK(db.host.concurrency == 2);
  CHECK(db.host.transport == "tcp");
  CHECK(db.host.log_level == "debug");

  const child_spec& cache = t.root.children[1].supervisor->children[0];
  CHECK(cache.host.plugin == "/work/topo/plugins/cache.so");  // relative to the file, normalized
  CHECK(cache.size == 0);                                     // "auto"
  CHECK(cache.strategy == balance::least_loaded);
  CHECK(cache.pool_flags.intensity == 9);
  CHECK(cache.pool_flags.period == 2min);
  CHECK(cache.restart == restart_type::transient);
  CHECK(cache.shutdown.timeout == 2s);
  CHECK_FALSE(cache.shutdown.brutal_kill);
  CHECK(cache.backoff.base == 50ms);  // backoff merged key by key
  CHECK(cache.backoff.max == 3s);

  const child_spec& front = t.root.children[1].supervisor->children[1];
  CHECK(front.host.plugin == "/abs/front.so");
  CHECK(front.host.config_file == "/work/topo/conf/front.toml");
  CHECK(front.significant);
  CHECK(front.restart == restart_type::transient);
  CHECK(front.host.concurrency == 1);
  CHECK(front.host.transport == "ipc");
  CHECK(front.host.log_level == "warn");
  CHECK(front.host.max_memory == 1048576);
  CHECK(front.host.ready_timeout == 1h);
  CHECK(front.host.call_timeout == 100ms);

  const child_spec& api = t.root.children[2];
  CHECK(api.host.plugin == "/work/topo/conf/api.so");
  CHECK(api.size == 3);
  CHECK(api.strategy == balance::consistent_hash);
  CHECK(api.pool_flags.intensity == 4);  // [defaults]
  CHECK(api.pool_flags.period == 20s);
}

TEST_CASE("a full topology: where each key was read", "[topology]") {
  topology t = parse_full();
  auto at = [&](const std::string& key) {
    auto it = t.positions.find(key);
    return it == t.positions.end() ? std::string("none")
                                   : std::to_string(it->second.line) + ":" + std::to_string(it->second.column);
  };
  CHECK(at("manager.heartbeat") == "7:13");
  CHECK(at("services.db") == "27:1");
  CHECK(at("services.db.plugin") == "28:10");
  CHECK(at("defaults.backoff.max") == "13:46");
  CHECK(at("supervisors.top.children[2]") == "25:26");
}

TEST_CASE("without supervisors an implicit root has every service and pool in file order", "[topology]") {
  topology t = parse_topology(R"([defaults]
intensity = 2
period = "3s"
[services.zeta]
plugin = "z.so"
[pools.alpha]
plugin = "a.so"
size = 2
[services.mid]
plugin = "m.so"
)",
                              file);
  CHECK(t.root.name == "root");
  CHECK(t.root.flags.strategy == supervisor_strategy::one_for_one);
  CHECK(t.root.flags.intensity == 2);
  CHECK(t.root.flags.period == 3s);
  REQUIRE(t.root.children.size() == 3);
  CHECK(t.root.children[0].name == "zeta");
  CHECK(t.root.children[1].name == "alpha");
  CHECK(t.root.children[1].kind == child_kind::pool);
  CHECK(t.root.children[1].pool_flags.intensity == 2);
  CHECK(t.root.children[2].name == "mid");
}

TEST_CASE("built-in defaults without a [defaults] table", "[topology]") {
  topology t = parse_topology("[services.a]\nplugin = \"a.so\"\n", file);
  const child_spec& a = t.root.children.at(0);
  child_spec expected;
  CHECK(a.restart == expected.restart);
  CHECK(a.shutdown.timeout == expected.shutdown.timeout);
  CHECK(a.backoff.base == expected.backoff.base);
  CHECK(a.host.call_timeout == expected.host.call_timeout);
  CHECK(a.host.transport == "ipc");
  CHECK(t.root.flags.intensity == 1);  // OTP's defaults
  CHECK(t.root.flags.period == 5s);
  manager_settings m;
  CHECK(t.manager.log_dir.empty());
  CHECK(t.manager.heartbeat == m.heartbeat);
  CHECK(t.manager.log_max_size == m.log_max_size);
}

TEST_CASE("watch: off by default, set per service or pool, or for all in [defaults]", "[topology]") {
  topology off = parse_topology("[services.a]\nplugin = \"a.so\"\n", file);
  CHECK_FALSE(off.root.children.at(0).host.watch);

  topology t = parse_topology(R"([defaults]
watch = true
[supervisors.main]
children = ["a", "p", "sub"]
[services.a]
plugin = "a.so"
[pools.p]
plugin = "p.so"
size = 2
watch = false
[supervisors.sub]
children = ["b"]
[services.b]
plugin = "b.so"
)",
                              file);
  const auto& children = t.root.children;
  REQUIRE(children.size() == 3);
  CHECK(children[0].host.watch);        // from [defaults]
  CHECK_FALSE(children[1].host.watch);  // its own
  CHECK_FALSE(children[2].host.watch);  // a supervisor runs no plugin
  CHECK(children[2].supervisor->children.at(0).host.watch);
  CHECK(t.positions.count("defaults.watch"));
  CHECK(t.positions.count("pools.p.watch"));
}

TEST_CASE("backoff = \"none\": OTP's immediate restarts, for one child or from [defaults]", "[topology]") {
  topology t = parse_topology(R"([defaults]
backoff = "none"
[services.a]
plugin = "a.so"
[services.b]
plugin = "b.so"
backoff = { max = "2s" }
[services.c]
plugin = "c.so"
backoff = { base = "1s" }
[services.d]
plugin = "d.so"
backoff = "none"
)",
                              file);
  const auto& children = t.root.children;
  REQUIRE(children.size() == 4);
  CHECK(children[0].backoff.is_none());  // from [defaults]
  CHECK(children[0].backoff.base == 0ms);
  CHECK(children[0].backoff.max == 0ms);
  // A table after [defaults]' "none" merges with the built-in values.
  CHECK(children[1].backoff.base == 100ms);
  CHECK(children[1].backoff.factor == 1.5);
  CHECK(children[1].backoff.max == 2s);
  CHECK(children[2].backoff.base == 1s);
  CHECK(children[2].backoff.max == 5s);
  CHECK(children[3].backoff.is_none());
  CHECK(t.positions.count("defaults.backoff"));
  CHECK(t.positions.count("services.d.backoff"));
}

TEST_CASE("duration and size forms", "[topology]") {
  topology t = parse_topology(R"([manager]
heartbeat = "1.5s"
log_max_size = "1.5K"
[services.a]
plugin = "a.so"
shutdown = "2m"
call_timeout = "1h"
ready_timeout = "750 ms"
max_memory = "3 mib"
)",
                              file);
  CHECK(t.manager.heartbeat == 1500ms);
  CHECK(t.manager.log_max_size == 1536);
  const child_spec& a = t.root.children.at(0);
  CHECK(a.shutdown.timeout == 120s);
  CHECK(a.host.call_timeout == 1h);
  CHECK(a.host.ready_timeout == 750ms);
  CHECK(a.host.max_memory == 3u << 20);
}

TEST_CASE("load_topology reads a file and resolves against its directory", "[topology]") {
  namespace fs = std::filesystem;
  fs::path dir = fs::temp_directory_path() / ("titan-topology-test-" + std::to_string(::getpid()));
  fs::create_directories(dir);
  { std::ofstream(dir / "t.toml") << "[services.a]\nplugin = \"p/a.so\"\n"; }
  topology t = load_topology((dir / "t.toml").string());
  CHECK(t.root.children.at(0).host.plugin == (dir / "p/a.so").string());
  fs::remove_all(dir);

  try {
    load_topology((dir / "missing.toml").string());
    FAIL("no error");
  } catch (const topology_errors& e) {
    REQUIRE(e.errors().size() == 1);
    CHECK(e.errors()[0].where.line == 0);
    CHECK(e.errors()[0].to_string() ==
          (dir / "missing.toml").string() + ": cannot read the topology: No such file or directory");
  }
}
