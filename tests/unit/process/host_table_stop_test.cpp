// host_table (process/host_table.cpp) ending hosts: stop(force), fault
// kills, supervised hosts' exits reported to the engine, a reaped host's
// pidfd closed, pruning of exited records, and a destructor that leaves no
// host behind. The fake host is host_table_fixture.hpp.
#include <signal.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "host_table_fixture.hpp"

using namespace titan::test::host_table_fixture;
using titan::process_state;
using titan::detail::host_record;
using namespace std::chrono_literals;

TEST_CASE("a reaped host's pidfd is closed", "[host_table]") {
  rig t;
  const std::size_t before = open_fds();
  host_record& r = t.start("exit-0");
  CHECK(r.exit_fd() >= 0);
  CHECK(open_fds() == before + 1);  // its pidfd
  std::vector<int> fds;
  std::vector<host_record*> records;
  t.table->exit_fds(fds, records);
  CHECK(fds == std::vector<int>{r.exit_fd()});

  REQUIRE(t.reap(r));
  CHECK(r.exit_fd() == -1);
  CHECK(open_fds() == before);
  fds.clear();
  records.clear();
  t.table->exit_fds(fds, records);
  CHECK(fds.empty());
  CHECK(t.table->get(r.info.id)->info.state == process_state::exited);  // still listed, for ps
}

TEST_CASE("prune_exited() keeps the latest 32 exited records, and every live or unsettled one", "[host_table]") {
  rig t;
  host_record& live = t.start("serve");
  host_record& unsettled = t.start("exit-1");  // its start still waits for an explanation
  auto ready = waited(unsettled);
  REQUIRE(t.reap(unsettled));
  std::vector<std::uint64_t> exited;
  for (int i = 0; i < 40; ++i) {
    host_record& r = t.start("exit-0");
    exited.push_back(r.info.id);
    REQUIRE(t.reap(r));
  }
  t.table->prune_exited();

  std::vector<std::uint64_t> listed;
  for (const auto& l : t.table->list()) listed.push_back(l.info.id);
  std::vector<std::uint64_t> expected{live.info.id, unsettled.info.id};
  expected.insert(expected.end(), exited.end() - 32, exited.end());
  CHECK(listed == expected);
  CHECK(t.table->find(exited[7]) == nullptr);
  CHECK(t.table->find(exited[8]) != nullptr);

  t.table->prune_exited();  // again: nothing more goes
  CHECK(t.table->list().size() == expected.size());
  CHECK(t.table->exit_of(exited[0]) == "exited");  // a pruned host reads as exited
}

TEST_CASE("stop(force) of a live host SIGKILLs it", "[host_table]") {
  rig t;
  host_record& r = t.start("serve");
  REQUIRE(t.armed(r));
  REQUIRE(t.table->stop(r.info.id, true));
  CHECK(r.info.state == process_state::starting);  // not READY yet: it stays a start
  REQUIRE(t.reap(r));
  CHECK(r.info.exit_reason == "killed by SIGKILL");
  CHECK(t.events.changes_of("") == 1);  // the stop; its exit was no member's
}

TEST_CASE("fault_kill() kills the group and says why in the exit reason", "[host_table]") {
  rig t;
  host_record& r = t.start("serve", "grp");
  REQUIRE(t.armed(r));
  REQUIRE(t.table->on_ready(t.ready_of(r)));
  t.table->fault_kill(r, "no heartbeat for 3012 ms (hung or stopped); killed");
  CHECK(r.info.state == process_state::stopping);
  REQUIRE(t.reap(r));
  CHECK(r.info.exit_reason == "no heartbeat for 3012 ms (hung or stopped); killed (killed by SIGKILL)");
}

TEST_CASE("supervised hosts: their outcomes go to the engine's events", "[host_table]") {
  rig t;
  titan::host_spec failing;
  failing.plugin = "exit-3";
  failing.call_timeout = 1500ms;
  const std::uint64_t a = t.table->start_host({failing, "a", "grp-a", -1, "root", 2});
  CHECK(t.events.timeouts == std::vector<std::pair<std::string, std::chrono::milliseconds>>{{"grp-a", 1500ms}});
  CHECK(t.table->get(a)->info.restarts == 2);
  CHECK(t.table->get(a)->info.supervisor == "root");
  REQUIRE(t.reap(*t.table->find(a)));
  t.table->fail_unexplained_exits(std::chrono::steady_clock::now() + 1h);
  REQUIRE(t.events.start_failed.size() == 1);
  CHECK(t.events.start_failed[0].first == a);
  CHECK_THAT(t.events.start_failed[0].second, Catch::Contains("(plugin file not found)"));
  CHECK(t.events.exits.empty());

  titan::host_spec serving;
  serving.plugin = "serve";
  serving.call_timeout = 0ms;
  const std::uint64_t b = t.track(t.table->start_host({serving, "b", "grp-b", -1, "root", 0}));
  const std::uint64_t c = t.track(t.table->start_host({serving, "c", "grp-c", -1, "root", 0}));
  CHECK(t.events.timeouts.size() == 1);  // none announced for 0
  host_record& rb = *t.table->find(b);
  host_record& rc = *t.table->find(c);
  REQUIRE(t.armed(rb));
  REQUIRE(t.armed(rc));
  REQUIRE(t.table->on_ready(t.ready_of(rb, "b")));
  REQUIRE(t.table->on_ready(t.ready_of(rc, "c")));

  t.table->stop_host(b, false);  // by the manager: a normal exit
  REQUIRE(t.reap(rb));
  t.table->kill_host(c);  // brutal: not normal
  REQUIRE(t.reap(rc));
  REQUIRE(t.events.exits.size() == 2);
  CHECK(t.events.exits[0].id == b);
  CHECK(t.events.exits[0].normal);
  CHECK(t.events.exits[0].by_manager);
  CHECK(t.events.exits[0].reason == "exited with code 0");
  CHECK(t.events.exits[1].id == c);
  CHECK_FALSE(t.events.exits[1].normal);
  CHECK_FALSE(t.events.exits[1].by_manager);
  CHECK(t.events.exits[1].reason == "killed by SIGKILL");
}

TEST_CASE("the table's destructor leaves no host behind", "[host_table]") {
  rig t;
  host_record& r = t.start("serve");
  REQUIRE(t.armed(r));
  const pid_t pid = r.info.pid;
  const pid_t grandchild = std::stoi(titan::test::read_file(t.dir / ("grandchild-" + std::to_string(r.info.id))));
  t.table.reset();
  CHECK(::kill(pid, 0) == -1);  // reaped: not even a zombie
  CHECK(poll_until([&] { return process_gone(grandchild); }));
}
