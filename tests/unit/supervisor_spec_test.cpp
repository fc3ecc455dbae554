// supervisor_spec: names of the enums, the builders, and validate() on
// every value it refuses (the path and the message of each problem).
#include <catch2/catch.hpp>
#include <string>
#include <titan/supervisor_spec.hpp>
#include <vector>

using namespace titan;
using namespace std::chrono_literals;

namespace {

supervisor_spec one_service_tree() {
  supervisor_spec root;
  root.name = "root";
  root.children.push_back(service_child("echo", "/p/echo.so"));
  return root;
}

// The single problem validate() finds in `s`.
spec_error single_error(const supervisor_spec& s) {
  auto errors = validate(s);
  INFO("problems: " << errors.size() << (errors.empty() ? "" : " first: " + errors[0].path + ": " + errors[0].message));
  REQUIRE(errors.size() == 1);
  return errors[0];
}

}  // namespace

TEST_CASE("enum names round-trip", "[supervisor_spec]") {
  for (auto s : {supervisor_strategy::one_for_one, supervisor_strategy::one_for_all, supervisor_strategy::rest_for_one})
    CHECK(supervisor_strategy_from_string(to_string(s)) == s);
  for (auto r : {restart_type::permanent, restart_type::transient, restart_type::temporary})
    CHECK(restart_type_from_string(to_string(r)) == r);
  for (auto a :
       {auto_shutdown_policy::never, auto_shutdown_policy::any_significant, auto_shutdown_policy::all_significant})
    CHECK(auto_shutdown_from_string(to_string(a)) == a);
  for (auto k : {child_kind::service, child_kind::pool, child_kind::supervisor})
    CHECK(child_kind_from_string(to_string(k)) == k);
  CHECK(to_string(supervisor_strategy::rest_for_one) == "rest_for_one");
  CHECK(to_string(restart_type::transient) == "transient");
  CHECK(to_string(auto_shutdown_policy::all_significant) == "all_significant");
  CHECK(to_string(child_kind::pool) == "pool");
  CHECK_FALSE(supervisor_strategy_from_string("one-for-one"));
  CHECK_FALSE(restart_type_from_string("Permanent"));
  CHECK_FALSE(auto_shutdown_from_string(""));
  CHECK_FALSE(child_kind_from_string("host"));
}

TEST_CASE("builders fill in the kind and the host", "[supervisor_spec]") {
  host_spec h;
  h.concurrency = 4;
  child_spec s = service_child("api", "/p/api.so", h);
  CHECK(s.name == "api");
  CHECK(s.kind == child_kind::service);
  CHECK(s.host.plugin == "/p/api.so");
  CHECK(s.host.concurrency == 4);
  CHECK(s.restart == restart_type::permanent);
  CHECK_FALSE(s.supervisor);

  child_spec p = pool_child("work", "/p/compute.so", 3, balance::least_loaded);
  CHECK(p.kind == child_kind::pool);
  CHECK(p.size == 3);
  CHECK(p.strategy == balance::least_loaded);
  CHECK(p.host.plugin == "/p/compute.so");

  supervisor_spec inner;
  inner.name = "inner";
  inner.flags.strategy = supervisor_strategy::rest_for_one;
  inner.children.push_back(s);
  child_spec c = supervisor_child(inner);
  CHECK(c.name == "inner");
  CHECK(c.kind == child_kind::supervisor);
  REQUIRE(c.supervisor);
  CHECK(c.supervisor->flags.strategy == supervisor_strategy::rest_for_one);
  CHECK(c.supervisor->children.size() == 1);
}

TEST_CASE("a valid tree has no problems", "[supervisor_spec]") {
  supervisor_spec root = one_service_tree();
  root.flags.auto_shutdown = auto_shutdown_policy::any_significant;
  root.children.push_back(pool_child("work", "/p/compute.so", 0));
  supervisor_spec inner;
  inner.name = "inner";
  inner.children.push_back(service_child("users.v2", "/p/users.so"));
  inner.children.back().restart = restart_type::transient;
  child_spec c = supervisor_child(inner);
  c.significant = true;
  c.restart = restart_type::temporary;
  root.children.push_back(c);
  root.children[0].shutdown.brutal_kill = true;
  root.children[0].shutdown.timeout = -1ms;  // ignored with brutal_kill
  CHECK(validate(root).empty());
}

TEST_CASE("validate refuses bad names", "[supervisor_spec]") {
  supervisor_spec root = one_service_tree();
  SECTION("empty") {
    root.children[0].name = "";
    auto e = single_error(root);
    CHECK(e.path == "root.children[0].name");
    CHECK(e.message == "name must not be empty (letters, digits, '_', '.' and '-')");
  }
  SECTION("a character outside [A-Za-z0-9_.-]") {
    root.children[0].name = "my api";
    auto e = single_error(root);
    CHECK(e.path == "root.children[0].name");
    CHECK(e.message == "name 'my api' has the character ' ': only letters, digits, '_', '.' and '-' are allowed");
  }
  SECTION("longer than 64 characters") {
    root.children[0].name = std::string(65, 'a');
    auto e = single_error(root);
    CHECK(e.path == "root.children[0].name");
    CHECK_THAT(e.message, Catch::Contains("is too long (65 characters, at most 64)"));
  }
  SECTION("64 characters are fine") {
    root.children[0].name = std::string(64, 'a');
    CHECK(validate(root).empty());
  }
  SECTION("used twice, across supervisors") {
    supervisor_spec inner;
    inner.name = "inner";
    inner.children.push_back(service_child("echo", "/p/echo.so"));
    root.children.push_back(supervisor_child(inner));
    auto e = single_error(root);
    CHECK(e.path == "root.children[1].supervisor.children[0].name");
    CHECK(e.message == "name 'echo' is used twice (first at root.children[0]): names must be unique in the tree");
  }
  SECTION("a child named like the root") {
    root.children[0].name = "root";
    auto e = single_error(root);
    CHECK(e.path == "root.children[0].name");
    CHECK_THAT(e.message, Catch::Contains("name 'root' is used twice (first at root)"));
  }
  SECTION("the root's own name") {
    root.name = "bad/name";
    auto e = single_error(root);
    CHECK(e.path == "bad/name.name");
    CHECK_THAT(e.message, Catch::Contains("has the character '/'"));
  }
}

TEST_CASE("validate refuses bad supervisor flags", "[supervisor_spec]") {
  supervisor_spec root = one_service_tree();
  SECTION("period 0") {
    root.flags.period = 0ms;
    auto e = single_error(root);
    CHECK(e.path == "root.flags.period");
    CHECK(e.message == "period must be greater than 0 (got 0 ms)");
  }
  SECTION("a pool's period") {
    root.children.push_back(pool_child("work", "/p/compute.so", 2));
    root.children[1].pool_flags.period = -5ms;
    auto e = single_error(root);
    CHECK(e.path == "root.children[1].pool_flags.period");
    CHECK(e.message == "period must be greater than 0 (got -5 ms)");
  }
  SECTION("an empty root") {
    root.children.clear();
    auto e = single_error(root);
    CHECK(e.path == "root.children");
    CHECK(e.message == "supervisor 'root' has no children: a supervisor needs at least one");
  }
  SECTION("an empty nested supervisor") {
    supervisor_spec inner;
    inner.name = "inner";
    root.children.push_back(supervisor_child(inner));
    auto e = single_error(root);
    CHECK(e.path == "root.children[1].supervisor.children");
    CHECK(e.message == "supervisor 'inner' has no children: a supervisor needs at least one");
  }
  SECTION("kind supervisor without its spec") {
    root.children[0].kind = child_kind::supervisor;
    auto e = single_error(root);
    CHECK(e.path == "root.children[0].supervisor");
    CHECK(e.message == "a child of kind supervisor needs its supervisor spec");
  }
  SECTION("a service with a supervisor spec") {
    supervisor_spec inner;
    inner.name = "inner";
    root.children[0].supervisor = inner;
    auto e = single_error(root);
    CHECK(e.path == "root.children[0].supervisor");
    CHECK(e.message == "only a child of kind supervisor has a supervisor spec (this one is a service)");
  }
}

TEST_CASE("validate refuses bad timings", "[supervisor_spec]") {
  supervisor_spec root = one_service_tree();
  child_spec& c = root.children[0];
  std::string path, message;
  SECTION("negative shutdown timeout") {
    c.shutdown.timeout = -1ms;
    path = "root.children[0].shutdown.timeout", message = "shutdown timeout must not be negative (got -1 ms)";
  }
  SECTION("negative backoff base") {
    c.backoff.base = -100ms;
    path = "root.children[0].backoff.base", message = "backoff base must not be negative (got -100 ms)";
  }
  SECTION("backoff factor below 1") {
    c.backoff.factor = 0.5;
    path = "root.children[0].backoff.factor", message = "backoff factor must be at least 1 (got 0.5)";
  }
  SECTION("backoff max below base") {
    c.backoff.base = 2000ms;
    c.backoff.max = 1000ms;
    path = "root.children[0].backoff.max",
    message = "backoff max must be at least its base (got max 1000 ms, base 2000 ms)";
  }
  SECTION("negative reset_after") {
    c.backoff.reset_after = -1ms;
    path = "root.children[0].backoff.reset_after", message = "backoff reset_after must not be negative (got -1 ms)";
  }
  SECTION("ready_timeout 0") {
    c.host.ready_timeout = 0ms;
    path = "root.children[0].host.ready_timeout", message = "ready_timeout must be greater than 0 (got 0 ms)";
  }
  SECTION("negative call_timeout") {
    c.host.call_timeout = -3ms;
    path = "root.children[0].host.call_timeout", message = "call_timeout must be greater than 0 (got -3 ms)";
  }
  auto e = single_error(root);
  CHECK(e.path == path);
  CHECK(e.message == message);
}

TEST_CASE("validate refuses bad hosts", "[supervisor_spec]") {
  supervisor_spec root = one_service_tree();
  host_spec& h = root.children[0].host;
  std::string path, message;
  SECTION("no plugin") {
    h.plugin.clear();
    path = "root.children[0].host.plugin", message = "plugin is required: the path of the service's .so file";
  }
  SECTION("config and config_file") {
    h.config = "a = 1\n";
    h.config_file = "/p/echo.toml";
    path = "root.children[0].host.config_file";
    message = "config and config_file are both set: give the table inline or a file, not both";
  }
  SECTION("concurrency 0") {
    h.concurrency = 0;
    path = "root.children[0].host.concurrency", message = "concurrency must be at least 1 (got 0)";
  }
  SECTION("transport") {
    h.transport = "udp";
    path = "root.children[0].host.transport", message = "transport must be ipc or tcp (got 'udp')";
  }
  SECTION("log level") {
    h.log_level = "loud";
    path = "root.children[0].host.log_level";
    message = "log_level must be trace, debug, info, warn, error, critical or off (got 'loud')";
  }
  auto e = single_error(root);
  CHECK(e.path == path);
  CHECK(e.message == message);
}

TEST_CASE("validate follows OTP on significant children", "[supervisor_spec]") {
  supervisor_spec root = one_service_tree();
  root.children[0].significant = true;
  SECTION("a significant child must not be permanent") {
    root.flags.auto_shutdown = auto_shutdown_policy::any_significant;
    auto e = single_error(root);
    CHECK(e.path == "root.children[0].significant");
    CHECK(e.message == "a significant child must be transient or temporary (got permanent), as OTP requires");
  }
  SECTION("significant children need auto_shutdown") {
    root.children[0].restart = restart_type::transient;
    auto e = single_error(root);
    CHECK(e.path == "root.children[0].significant");
    CHECK(e.message ==
          "significant children need their supervisor's auto_shutdown to be any_significant or "
          "all_significant (supervisor 'root' has never)");
  }
  SECTION("allowed with auto_shutdown and a transient or temporary child") {
    root.flags.auto_shutdown = auto_shutdown_policy::all_significant;
    root.children[0].restart = restart_type::temporary;
    CHECK(validate(root).empty());
  }
}

TEST_CASE("validate reports every problem in tree order", "[supervisor_spec]") {
  supervisor_spec root = one_service_tree();
  root.flags.period = 0ms;
  root.children[0].host.concurrency = 0;
  root.children.push_back(service_child("bad name", ""));
  auto errors = validate(root);
  REQUIRE(errors.size() == 4);
  CHECK(errors[0].path == "root.flags.period");
  CHECK(errors[1].path == "root.children[0].host.concurrency");
  CHECK(errors[2].path == "root.children[1].name");
  CHECK(errors[3].path == "root.children[1].host.plugin");
}
