// What reload() refuses (unknown names, supervisors, a second reload of the
// same child at once), and what the supervisor does with a new host after
// the commit (it is the child's host like any other).
#include <catch2/catch.hpp>

#include <signal.h>

#include <future>

#include "host_process.hpp"
#include "reload_support.hpp"

using namespace titan::test::reload;
using titan::test::plugin_path;
using titan::test::test_plugin_path;

TEST_CASE("reload of an unknown name or of a supervisor is refused", "[reload][api]") {
  titan::ProcessManager pm(manager_options());
  titan::supervisor_spec inner;
  inner.name = "inner";
  inner.children.push_back(kv_child("kv-c", plugin_path("kv")));
  titan::supervisor_spec top;
  top.name = "top";
  top.children.push_back(kv_child("kv-a", plugin_path("kv")));
  top.children.push_back(kv_child("kv-b", plugin_path("kv")));
  top.children.push_back(titan::supervisor_child(inner));
  pm.supervise(top);
  const auto before = pm.list();

  auto error = reload_error(pm, "nope", reload_to(test_plugin_path("kv_v2")));
  REQUIRE(error);
  CHECK(error->code() == titan::status_code::not_found);
  CHECK_THAT(error->message(), Catch::Contains("'nope'"));

  error = reload_error(pm, "top", reload_to(test_plugin_path("kv_v2")));
  REQUIRE(error);
  CHECK(error->code() == titan::status_code::invalid_argument);
  CHECK_THAT(error->message(), Catch::Contains("'top' is a supervisor") && Catch::Contains("kv-a") &&
                                   Catch::Contains("kv-b") && Catch::Contains("inner"));

  error = reload_error(pm, "inner", reload_to(test_plugin_path("kv_v2")));
  REQUIRE(error);
  CHECK(error->code() == titan::status_code::invalid_argument);
  CHECK_THAT(error->message(), Catch::Contains("'inner' is a supervisor") && Catch::Contains("kv-c"));

  // Nothing was started or stopped.
  const auto after = pm.list();
  CHECK(after.size() == before.size());
  for (const auto& p : after) CHECK(p.state == titan::process_state::running);
  for (const auto& name : {"kv-a", "kv-b", "kv-c"}) {
    auto row = row_of(pm, name);
    REQUIRE(row);
    CHECK(row->state == "running");
  }
  // A service of a nested supervisor can be reloaded by its name.
  CHECK(pm.reload("kv-c", reload_to(test_plugin_path("kv_v2"))).version == "2.0.0");
}

TEST_CASE("a second reload of a child being reloaded fails - the first one completes", "[reload][api]") {
  titan::ProcessManager pm(manager_options());
  supervise_kv(pm, "kv", plugin_path("kv"));
  auto kv = kv_client(pm, "kv");
  kv.put("a", "1").get();
  const auto old = pm.members("kv").at(0);

  // The probation keeps the first reload going while the second is tried.
  auto first = std::async(std::launch::async, [&] { return pm.reload("kv", reload_to(test_plugin_path("kv_v2"), 1500ms)); });
  REQUIRE(poll_until([&] {
    auto row = row_of(pm, "kv");
    return row && row->state == "reloading";
  }));
  auto error = reload_error(pm, "kv", reload_to(test_plugin_path("kv_v2")));
  REQUIRE(error);
  CHECK(error->code() == titan::status_code::failed_precondition);
  CHECK_THAT(error->message(), Catch::Contains("'kv' is already being reloaded"));
  // The refused one did not undo or disturb the first.
  const auto report = first.get();
  CHECK(report.version == "2.0.0");
  CHECK(report.replaced == std::vector<std::uint64_t>{old.id});
  CHECK(member_ids(pm, "kv") == report.hosts);
  CHECK(kv.version().get() == "2.0.0");
  CHECK(kv.get("a").get() == std::optional<std::string>("1"));
  CHECK(poll_until([&] { return live_hosts(pm, "kv").size() == 1; }));
}

TEST_CASE("the new host is supervised after the commit: killed, it is restarted on the new version",
          "[reload][supervision]") {
  titan::ProcessManager pm(manager_options());
  supervise_kv(pm, "kv", plugin_path("kv"));
  auto kv = kv_client(pm, "kv");
  const auto old = pm.members("kv").at(0);
  const auto report = pm.reload("kv", reload_to(test_plugin_path("kv_v2")));
  REQUIRE(report.hosts.size() == 1);
  const auto fresh = pm.get(report.hosts[0]);
  REQUIRE(fresh);
  // The old host goes away on its own (it is no child of the engine any more).
  CHECK(poll_until([&] { return pm.get(old.id)->state == titan::process_state::exited && pid_gone(old.pid); }));

  REQUIRE(::kill(fresh->pid, SIGKILL) == 0);
  std::optional<titan::process_info> replacement;
  REQUIRE(poll_until([&] {
    auto row = row_of(pm, "kv");
    if (!row || row->state != "running" || row->host == 0 || row->host == fresh->id) return false;
    replacement = pm.get(row->host);
    return replacement && replacement->state == titan::process_state::running;
  }));
  auto row = row_of(pm, "kv");
  REQUIRE(row);
  CHECK(row->restarts == 1);
  CHECK(pm.get(fresh->id)->state == titan::process_state::exited);
  CHECK_THAT(pm.get(fresh->id)->exit_reason, Catch::Contains("SIGKILL"));
  // The replacement runs the reloaded version, and serves.
  CHECK(replacement->version == "2.0.0");
  CHECK(replacement->build_id == report.build_id);
  CHECK(replacement->id != old.id);
  CHECK(kv.version().get() == "2.0.0");
  kv.put("b", "2").get();
  CHECK(kv.get("b").get() == std::optional<std::string>("2"));
  CHECK(live_hosts(pm, "kv").size() == 1);
}
