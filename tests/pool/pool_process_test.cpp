// Process control for pools: what list()/get() report, and no zombie or
// stray process after many kill/replace cycles and after shutdown (issue 3).
#include <signal.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cmath>
#include <cstdlib>

#include "pool_support.hpp"

using namespace titan::test::pool;
using titan::test::plugin_path;

namespace {

int cycles_from_env() {
  const char* v = std::getenv("TITAN_POOL_CYCLES");
  return v && *v ? std::atoi(v) : 200;
}

}  // namespace

TEST_CASE("list() and get() report id, name, pid, state, restarts, start time, endpoint, CPU and RSS",
          "[pool][process]") {
  const auto t0 = std::chrono::system_clock::now();
  titan::ProcessManager pm(manager_options());
  pm.pool<ComputeService>(plugin_path("compute"), pool_opts("info", 2));
  titan::spawn_options o;
  o.name = "single";
  o.log_level = "warn";
  auto single = pm.spawn<ComputeService>(plugin_path("compute"), o);
  const auto t1 = std::chrono::system_clock::now();

  const auto all = pm.list();
  REQUIRE(all.size() == 3);
  std::set<std::uint64_t> ids;
  std::map<std::string, std::string> group_of;
  for (const auto& p : all) {
    INFO("host " << p.id << " " << p.name);
    ids.insert(p.id);
    group_of[p.name] = p.group;
    CHECK(p.service == "compute");
    CHECK(p.version == "1.0.0");
    CHECK(p.plugin == plugin_path("compute"));
    CHECK(p.state == titan::process_state::running);
    CHECK(titan::to_string(p.state) == "running");
    CHECK(p.restarts == 0);
    CHECK_FALSE(p.adopted);
    CHECK(p.exit_reason.empty());
    CHECK(p.started >= t0);
    CHECK(p.started <= t1);
    CHECK(std::isfinite(p.cpu_percent));
    CHECK(p.cpu_percent >= 0);
    CHECK(p.rss_bytes > 0);
    REQUIRE(p.pid > 0);
    const auto st = read_proc_stat(p.pid);
    REQUIRE(st.has_value());
    CHECK(st->comm == "titan-host");
    CHECK(st->state != 'Z');
    // The endpoint is where that very process answers.
    CHECK(p.endpoint.rfind("ipc://" + pm.runtime_dir(), 0) == 0);
    CHECK(titan::connect<ComputeService>(p.endpoint).whoami().get().pid == p.pid);

    const auto g = pm.get(p.id);
    REQUIRE(g.has_value());
    CHECK(g->id == p.id);
    CHECK(g->name == p.name);
    CHECK(g->group == p.group);
    CHECK(g->pid == p.pid);
    CHECK(g->state == p.state);
    CHECK(g->restarts == p.restarts);
    CHECK(g->started == p.started);
    CHECK(g->endpoint == p.endpoint);
    CHECK(g->rss_bytes > 0);
  }
  CHECK(ids.size() == 3);
  CHECK(group_of == std::map<std::string, std::string>{{"info-0", "info"}, {"info-1", "info"}, {"single", "single"}});
  const std::uint64_t unknown = *ids.rbegin() + 100;
  CHECK_FALSE(pm.get(unknown).has_value());
  CHECK_FALSE(pm.kill(unknown, SIGKILL));

  // CPU since the previous sample: a busy host shows some.
  const auto single_id = pm.members("single").at(0).id;
  REQUIRE(pm.get(single_id).has_value());  // starts a new sampling interval
  CHECK(single.count_primes(0, 1'000'000).get() == 78'498);
  const auto busy = pm.get(single_id);
  REQUIRE(busy.has_value());
  CHECK(busy->cpu_percent > 0);

  // A killed host stays listed, as exited, with the reason.
  REQUIRE(pm.kill(single_id, SIGKILL));
  REQUIRE(poll_until([&] { return pm.get(single_id)->state == titan::process_state::exited; }));
  CHECK_THAT(pm.get(single_id)->exit_reason, Catch::Contains("SIGKILL"));
  CHECK(pm.members("single").empty());
  CHECK_FALSE(pm.kill(single_id, SIGKILL));
}

TEST_CASE("no zombie or stray process after many kill/replace cycles and after shutdown", "[pool][process]") {
  // TITAN_POOL_CYCLES=N overrides the 200 cycles.
  const int cycles = cycles_from_env();
  constexpr std::size_t size = 4;
  // Restarts back off (0, 100, 150, 225 ms, ... up to 5 s). To keep 200
  // cycles short, a slot restarted this often is renewed by scaling the
  // pool to zero and back, which stops and starts every member as well.
  constexpr unsigned max_restarts = 4;
  std::set<pid_t> seen;  // every host pid: each leads its own process group
  int renewals = 0;
  {
    titan::ProcessManager pm(manager_options());
    pm.pool<ComputeService>(plugin_path("compute"), pool_opts("churn", size));
    for (const auto& m : pm.members("churn")) seen.insert(m.pid);
    REQUIRE(seen.size() == size);

    for (int i = 0; i < cycles; ++i) {
      INFO("cycle " << i);
      const std::string slot = "churn-" + std::to_string(i % static_cast<int>(size));
      auto victim = member_named(pm, "churn", slot);
      REQUIRE(victim.has_value());
      if (victim->restarts >= max_restarts) {
        REQUIRE(pm.scale("churn", 0).empty());
        REQUIRE(our_titan_host_children().empty());
        const auto fresh = pm.scale("churn", size);
        REQUIRE(fresh.size() == size);
        for (const auto& m : fresh) seen.insert(m.pid);
        victim = member_named(pm, "churn", slot);
        REQUIRE(victim.has_value());
        ++renewals;
      }
      REQUIRE(pm.kill(victim->id, SIGKILL));
      std::optional<titan::process_info> replacement;
      REQUIRE(poll_until(
          [&] {
            replacement = member_named(pm, "churn", slot);
            return replacement && replacement->pid != victim->pid;
          },
          15s));
      seen.insert(replacement->pid);
      // Reaped before its replacement started; exactly `size` hosts are ours.
      REQUIRE_FALSE(is_our_zombie(victim->pid));
      const auto children = our_titan_host_children();
      REQUIRE(children.size() == size);
    }
    INFO(cycles << " cycles, " << renewals << " renewals, " << seen.size() << " host processes");
    pm.shutdown();
    CHECK(pm.members("churn").empty());
    for (const auto& p : pm.list()) CHECK(p.state == titan::process_state::exited);
    CHECK(our_titan_host_children().empty());
  }
  // And after the manager is gone: no child left, no zombie, no host of
  // ours (in one of their process groups) anywhere.
  CHECK(our_titan_host_children().empty());
  for (pid_t pid : seen) CHECK_FALSE(is_our_zombie(pid));
  CHECK(titan_hosts_in_groups(seen).empty());
}

TEST_CASE("shutdown stops every host of pools and spawns and leaves no process", "[pool][process]") {
  std::set<pid_t> pids;
  titan::ProcessManager pm(manager_options());
  pm.pool<ComputeService>(plugin_path("compute"), pool_opts("a", 2));
  pm.pool<ComputeService>(plugin_path("compute"), pool_opts("b", 2));
  titan::spawn_options quiet;
  quiet.log_level = "warn";
  pm.spawn<ComputeService>(plugin_path("compute"), quiet);
  for (const auto& p : pm.list()) pids.insert(p.pid);
  REQUIRE(pids.size() == 5);
  REQUIRE(our_titan_host_children().size() == 5);

  pm.shutdown();
  for (const auto& p : pm.list()) {
    INFO(p.name);
    CHECK(p.state == titan::process_state::exited);
    CHECK(p.exit_reason == "exited with code 0");  // drained and stopped, not killed
  }
  CHECK(our_titan_host_children().empty());
  for (pid_t pid : pids) CHECK_FALSE(is_our_zombie(pid));
  CHECK(titan_hosts_in_groups(pids).empty());
  pm.shutdown();  // idempotent
  // Nothing is restarted after a shutdown.
  CHECK(pm.members("a").empty());
  CHECK(pm.members("b").empty());
}
