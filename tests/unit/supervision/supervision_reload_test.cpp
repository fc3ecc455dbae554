// supervision_reload.cpp in process: what a hot reload asks of the engine
// (the hosts to replace, `reloading` in ps, switching a child to its new
// host, and the plugin of later starts).
#include <catch2/catch.hpp>
#include <titan/status.hpp>

#include "engine_world.hpp"

using namespace titan::test::engine;
using titan::supervisor_strategy;

namespace {

// The status code reload_targets throws for `name`; ok when it does not.
titan::status_code targets_error(engine_world& w, const std::string& name, std::string* message = nullptr) {
  try {
    w.engine().reload_targets(name);
  } catch (const titan::Error& e) {
    if (message) *message = e.message();
    return e.code();
  }
  return titan::status_code::ok;
}

struct reload_world {
  engine_world w;
  reload_world() {
    auto inner = supervisor("inner", supervisor_strategy::one_for_one, 5, 5s, {child("b")});
    w.start_ok(supervisor("top", supervisor_strategy::one_for_one, 5, 5s,
                          {child("a"), titan::pool_child("p", "/x/p.so", 3), titan::supervisor_child(inner)}));
  }
};

}  // namespace

TEST_CASE("supervision_reload: the targets of a service, and of a pool in slot order", "[supervision][reload]") {
  reload_world t;
  auto a = t.w.engine().reload_targets("a");
  REQUIRE(a.size() == 1);
  CHECK(a[0].host == t.w.runner().host_of("a"));
  CHECK(a[0].name == "a");
  CHECK(a[0].group == "a");
  CHECK(a[0].slot == -1);
  CHECK(a[0].supervisor == "top");
  CHECK(a[0].host_spec.plugin == "/nonexistent/a.so");
  auto p = t.w.engine().reload_targets("p");
  REQUIRE(p.size() == 3);
  for (int i = 0; i < 3; ++i) {
    CHECK(p[static_cast<std::size_t>(i)].slot == i);
    CHECK(p[static_cast<std::size_t>(i)].group == "p");
    CHECK(p[static_cast<std::size_t>(i)].supervisor == "p");
    CHECK(p[static_cast<std::size_t>(i)].host == t.w.runner().host_of("p-" + std::to_string(i)));
  }
  CHECK(t.w.engine().reload_targets("b").at(0).supervisor == "inner");
}

TEST_CASE("supervision_reload: what cannot be reloaded says why", "[supervision][reload]") {
  reload_world t;
  std::string message;
  CHECK(targets_error(t.w, "nope", &message) == titan::status_code::not_found);
  CHECK(message == "no service or pool named 'nope'");
  CHECK(targets_error(t.w, "inner", &message) == titan::status_code::invalid_argument);
  CHECK(message == "'inner' is a supervisor; reload one of its services or pools (b)");
  CHECK(targets_error(t.w, "p-1") == titan::status_code::not_found);  // a member is reloaded with its pool
  auto targets = t.w.engine().reload_targets("a");
  t.w.engine().set_reloading(targets, true);
  CHECK(t.w.state("a") == "reloading");
  CHECK(targets_error(t.w, "a", &message) == titan::status_code::failed_precondition);
  CHECK(message == "'a' is already being reloaded");
  t.w.engine().set_reloading(targets, false);
  CHECK(t.w.state("a") == "running");
  t.w.runner().never_ready("a");
  t.w.crash("a");
  CHECK(targets_error(t.w, "a", &message) == titan::status_code::failed_precondition);
  CHECK(message == "'a' is starting, not running; try again once it runs");
}

TEST_CASE("supervision_reload: after replace_host the child follows its new host", "[supervision][reload]") {
  reload_world t;
  auto targets = t.w.engine().reload_targets("a");
  const std::uint64_t old = targets[0].host;
  const std::uint64_t spare = 777;  // a host the reload started itself
  REQUIRE(t.w.engine().replace_host(targets[0], spare));
  CHECK(t.w.row("a")->host == spare);
  CHECK_FALSE(t.w.engine().owns(old));
  CHECK(t.w.engine().owns(spare));
  const auto mark = t.w.mark();
  t.w.engine().host_exited(old, true, true, "exited with code 0");  // the old host, drained: nothing happens
  t.w.settle();
  CHECK(t.w.journal(mark).empty());
  CHECK(t.w.state("a") == "running");
  t.w.engine().host_exited(spare, false, false, "killed by SIGKILL");  // the new one crashing: a restart
  t.w.settle();
  CHECK(t.w.journal(mark) == strings{"start a"});
  CHECK(t.w.row("a")->restarts == 1);
  // The child has moved on: a commit for the old target is refused.
  CHECK_FALSE(t.w.engine().replace_host(targets[0], 778));
}

TEST_CASE("supervision_reload: set_plugin: later starts of a service or a pool load the new file",
          "[supervision][reload]") {
  reload_world t;
  t.w.engine().set_plugin("a", "/new/a.so");
  t.w.engine().set_plugin("p", "/new/p.so");
  t.w.crash("a");
  t.w.crash("p-2");
  std::map<std::string, std::string> plugin_of;
  for (const auto& r : t.w.runner().requests()) plugin_of[r.name] = r.plugin;
  CHECK(plugin_of["a"] == "/new/a.so");
  CHECK(plugin_of["p-2"] == "/new/p.so");
  std::optional<std::optional<std::string>> result;
  t.w.engine().scale("p", 4, [&](std::optional<std::string> e) { result = e; });
  t.w.settle();
  REQUIRE(result);
  for (const auto& r : t.w.runner().requests()) plugin_of[r.name] = r.plugin;
  CHECK(plugin_of["p-3"] == "/new/p.so");
  CHECK(plugin_of["b"] == "/nonexistent/b.so");
}
