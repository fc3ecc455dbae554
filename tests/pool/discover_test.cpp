// Discovery by name through the manager: a proxy follows restarts with no
// action of the client, and hosts started by hand register themselves
// (issue 3).
#include <signal.h>

#include <catch2/catch.hpp>

#include "pool_support.hpp"
#include "temp_dir.hpp"

using namespace titan::test::pool;
using titan::test::host_process;
using titan::test::plugin_path;

namespace {

std::optional<titan::process_info> listed(const titan::ProcessManager& pm, pid_t pid) {
  for (const auto& p : pm.list())
    if (p.pid == pid) return p;
  return std::nullopt;
}

// A titan-host started by hand, as a shell script would, registering with
// the manager under `name`.
std::vector<std::string> by_hand(const titan::test::temp_dir& dir, const titan::ProcessManager& pm,
                                 const std::string& name) {
  return host_process::args_for(plugin_path("compute"), dir, {"--manager", pm.control_endpoint(), "--name", name});
}

}  // namespace

TEST_CASE("discover follows a restarted member to its new process", "[pool][discover]") {
  titan::ProcessManager pm(manager_options());
  pm.pool<ComputeService>(plugin_path("compute"), pool_opts("solo", 1));
  const auto first = pm.members("solo");
  REQUIRE(first.size() == 1);

  // From "another program": only the manager's endpoint and the name.
  const auto remote = titan::discover<ComputeService>(pm.control_endpoint(), "solo");
  const auto local = pm.discover<ComputeService>("solo");
  REQUIRE(remote.whoami().get().pid == first[0].pid);
  REQUIRE(local.whoami().get().pid == first[0].pid);

  REQUIRE(pm.kill(first[0].id, SIGKILL));
  std::optional<titan::process_info> second;
  REQUIRE(poll_until([&] {
    const auto m = pm.members("solo");
    if (m.size() == 1 && m[0].pid != first[0].pid) second = m[0];
    return second.has_value();
  }));
  // Nothing done on the proxies: they find the new process by themselves.
  CHECK(reaches(remote, second->pid));
  CHECK(reaches(local, second->pid));
  CHECK(remote.client().members() == std::vector<std::string>{second->endpoint});
}

TEST_CASE("discover finds a host spawned under a name", "[pool][discover]") {
  titan::ProcessManager pm(manager_options());
  titan::spawn_options o;
  o.name = "single";
  o.log_level = "warn";
  pm.spawn<ComputeService>(plugin_path("compute"), o);
  const auto members = pm.members("single");
  REQUIRE(members.size() == 1);
  const auto found = titan::discover<ComputeService>(pm.control_endpoint(), "single");
  const Worker w = found.whoami().get();
  CHECK(w.pid == members[0].pid);
  CHECK(w.name == "single");
}

TEST_CASE("discover of an unknown name fails UNAVAILABLE within the deadline", "[pool][discover]") {
  titan::ProcessManager pm(manager_options());
  const auto nobody = titan::discover<ComputeService>(pm.control_endpoint(), "nobody", {.timeout = 500ms});
  try {
    nobody.whoami().get();
    FAIL("a call to an unregistered name succeeded");
  } catch (const titan::Error& e) {
    INFO(e.what());
    CHECK(e.code() == titan::status_code::unavailable);
  }
}

TEST_CASE("discover reaches a host started by hand with --manager", "[pool][discover][adopt]") {
  titan::ProcessManager pm(manager_options());
  titan::test::temp_dir dir;
  host_process host(by_hand(dir, pm, "byhand"));
  REQUIRE(host.wait_ready());
  INFO(host.describe());
  REQUIRE(poll_until([&] { return pm.members("byhand").size() == 1; }));

  const auto found = titan::discover<ComputeService>(pm.control_endpoint(), "byhand");
  const Worker w = found.whoami().get();
  CHECK(w.pid == host.pid());
  CHECK(w.name == "byhand");

  const auto info = listed(pm, host.pid());
  REQUIRE(info.has_value());
  CHECK(info->adopted);
  CHECK(info->name == "byhand");
  CHECK(info->group == "byhand");
  CHECK(info->service == "compute");
  CHECK(info->state == titan::process_state::running);
  CHECK(info->endpoint == host.endpoint());
  CHECK(info->rss_bytes > 0);
  CHECK(pm.members("byhand").front().id == info->id);

  // Killed behind the manager's back: it leaves the membership.
  host.send_signal(SIGKILL);
  REQUIRE(host.wait_exit().has_value());
  REQUIRE(poll_until([&] { return pm.members("byhand").empty(); }));
  REQUIRE(client_sees(found, 0));
  const auto after = pm.get(info->id);
  REQUIRE(after.has_value());
  CHECK(after->state == titan::process_state::exited);
  for (const auto& p : pm.list()) CHECK(p.state == titan::process_state::exited);  // nothing replaced it
}

TEST_CASE("a host started by hand joins a pool of its name", "[pool][discover][adopt]") {
  titan::ProcessManager pm(manager_options());
  auto pool = pm.pool<ComputeService>(plugin_path("compute"), pool_opts("mixed", 2));
  REQUIRE(answer_from(pool, 2).size() == 2);

  titan::test::temp_dir dir;
  host_process host(by_hand(dir, pm, "mixed"));
  REQUIRE(host.wait_ready());
  INFO(host.describe());
  REQUIRE(poll_until([&] { return pm.members("mixed").size() == 3; }));
  REQUIRE(client_sees(pool, 3));
  CHECK(reaches(pool, host.pid()));

  // Its death is not the pool's: nobody restarts a host the manager did not start.
  host.send_signal(SIGKILL);
  REQUIRE(host.wait_exit().has_value());
  REQUIRE(poll_until([&] { return pm.members("mixed").size() == 2; }));
  REQUIRE(client_sees(pool, 2));
  const auto counts = whoami_counts(pool, 20, true);
  CHECK(counts.size() == 2);
  CHECK(counts.count(host.pid()) == 0);
}

TEST_CASE("a proxy made before its name is registered starts working once it is", "[pool][discover]") {
  titan::ProcessManager pm(manager_options());
  const auto early = titan::discover<ComputeService>(pm.control_endpoint(), "later", {.timeout = 2s});
  CHECK(early.client().members().empty());
  pm.pool<ComputeService>(plugin_path("compute"), pool_opts("later", 2));
  const auto members = pids_of(pm.members("later"));
  REQUIRE(members.size() == 2);
  CHECK(answer_from(early, 2) == members);
}
