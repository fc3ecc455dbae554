// Stopping children (OTP supervisor_SUITE: sup_start_fail, child shutdown
// timeout and brutal_kill, terminate_child): a child that does not end on
// SIGTERM is killed after its shutdown timeout, brutal_kill kills at once,
// a child stopped by hand stays stopped, and a tree whose child cannot
// start does not start at all.
#include <signal.h>

#include <catch2/catch.hpp>
#include <filesystem>

#include "expect_error.hpp"
#include "supervision_support.hpp"

using namespace titan::test::supervision;
using titan::restart_type;
using titan::supervisor_strategy;

namespace {

bool journal_says(const world& w, const std::string& what, const std::string& name) {
  for (const auto& l : w.journal())
    if (l.what == what && l.name == name) return true;
  return false;
}

}  // namespace

TEST_CASE("shutdown(): a child whose drain does not end is killed after its shutdown timeout",
          "[supervision][shutdown]") {
  world w;
  auto slow = w.child("slow");
  slow.shutdown.timeout = 300ms;
  w.pm().supervise(supervisor("stubborn", supervisor_strategy::one_for_one, 1, 5s, {w.child("quick"), slow}));
  auto s = wait_running(w.pm(), "slow");
  auto q = wait_running(w.pm(), "quick");
  REQUIRE((s && q));

  // A call in flight for a minute: SIGTERM makes the host drain, and the
  // drain waits for it, so SIGTERM alone does not end the host.
  auto proxy = proxy_to(*s, 120s);
  auto call = proxy.block(60000);
  REQUIRE(poll_until([&] { return journal_says(w, "block", "slow"); }));

  w.pm().shutdown();
  auto slow_end = w.pm().get(s->id);
  REQUIRE(slow_end);
  CHECK(slow_end->state == titan::process_state::exited);
  CHECK(contains(slow_end->exit_reason, "SIGKILL"));
  auto quick_end = w.pm().get(q->id);
  REQUIRE(quick_end);
  CHECK(quick_end->exit_reason == "exited with code 0");
  CHECK(pid_gone(s->pid));
  CHECK(pid_gone(q->pid));
  CHECK_FALSE(journal_says(w, "stop", "slow"));  // killed: its destructor never ran
  CHECK(journal_says(w, "stop", "quick"));
  CHECK_THROWS_AS(call.get(), titan::Error);
}

TEST_CASE("a bystander whose drain does not end is killed after its shutdown timeout, then restarted",
          "[supervision][shutdown]") {
  world w;
  auto slow = w.child("slow");
  slow.shutdown.timeout = 300ms;
  w.pm().supervise(supervisor("bystander", supervisor_strategy::one_for_all, 3, 10s, {slow, w.child("crash")}));
  auto s = wait_running(w.pm(), "slow");
  auto c = wait_running(w.pm(), "crash");
  REQUIRE((s && c));
  auto proxy = proxy_to(*s, 120s);
  auto call = proxy.block(60000);
  REQUIRE(poll_until([&] { return journal_says(w, "block", "slow"); }));

  REQUIRE(w.pm().kill(c->id, SIGKILL));
  auto s2 = wait_running(w.pm(), "slow", s->id);
  auto c2 = wait_running(w.pm(), "crash", c->id);
  REQUIRE((s2 && c2));
  auto slow_end = w.pm().get(s->id);
  REQUIRE(slow_end);
  CHECK(contains(slow_end->exit_reason, "SIGKILL"));
  CHECK(pid_gone(s->pid));
  CHECK_FALSE(journal_says(w, "stop", "slow"));
  CHECK_THROWS_AS(call.get(), titan::Error);
}

TEST_CASE("brutal_kill: the child is SIGKILLed at once, without a drain", "[supervision][shutdown]") {
  world w;
  auto brutal = w.child("brutal");
  brutal.shutdown.brutal_kill = true;
  w.pm().supervise(supervisor("kills", supervisor_strategy::one_for_one, 1, 5s, {w.child("gentle"), brutal}));
  auto b = wait_running(w.pm(), "brutal");
  auto g = wait_running(w.pm(), "gentle");
  REQUIRE((b && g));

  w.pm().shutdown();
  auto brutal_end = w.pm().get(b->id);
  auto gentle_end = w.pm().get(g->id);
  REQUIRE((brutal_end && gentle_end));
  CHECK(brutal_end->exit_reason == "killed by SIGKILL");
  CHECK(gentle_end->exit_reason == "exited with code 0");
  CHECK(names_of(w.journal(), "stop") == std::vector<std::string>{"gentle"});
  CHECK(pid_gone(b->pid));
  CHECK(pid_gone(g->pid));
}

TEST_CASE("stop(id) of a permanent child: it stays stopped and its siblings are untouched (terminate_child)",
          "[supervision][shutdown]") {
  world w;
  const auto strategy = GENERATE(supervisor_strategy::one_for_one, supervisor_strategy::one_for_all);
  INFO(titan::to_string(strategy));
  w.pm().supervise(supervisor("manual", strategy, 1, 10s, {w.child("a"), w.child("b"), w.child("c")}));
  auto before = pids_of(w.pm(), {"a", "b", "c"});
  auto b = wait_running(w.pm(), "b");
  auto c = wait_running(w.pm(), "c");
  REQUIRE((b && c));
  REQUIRE(w.pm().stop(b->id));

  auto row = wait_state(w.pm(), "b", "stopped");
  REQUIRE(row);
  CHECK(row->host == 0);
  CHECK(row->restarts == 0);
  CHECK(w.pm().get(b->id)->exit_reason == "exited with code 0");
  CHECK(wait_gone(b->pid));
  CHECK(pids_of(w.pm(), {"a", "c"}) == std::vector<pid_t>{before[0], before[2]});
  CHECK(w.journal() == std::vector<journal_line>{{"start", "a", before[0]},
                                                 {"start", "b", before[1]},
                                                 {"start", "c", before[2]},
                                                 {"stop", "b", before[1]}});

  // A stop by hand is no crash: a later crash still has the whole
  // intensity (1) to spend.
  auto a = wait_running(w.pm(), "a");
  REQUIRE(a);
  REQUIRE(w.pm().kill(a->id, SIGKILL));
  REQUIRE(wait_running(w.pm(), "a", a->id));
  if (strategy == supervisor_strategy::one_for_one) {
    CHECK(row_of(w.pm(), "b")->state == "stopped");
    CHECK(pids_of(w.pm(), {"c"}) == std::vector<pid_t>{before[2]});
  } else {
    // OTP's one_for_all restart starts every child of the supervisor again
    // (start_children), a terminated one too.
    REQUIRE(wait_running(w.pm(), "c", c->id));
    REQUIRE(wait_running(w.pm(), "b"));
    CHECK(names_of(w.journal(), "start") == std::vector<std::string>{"a", "b", "c", "a", "b", "c"});
  }
  CHECK(w.tree_exits().empty());
}

TEST_CASE("a child that fails its first start: supervise() throws its reason and leaves no process",
          "[supervision][start-failure]") {
  world w;
  const std::string fail_file = w.dir().write_file("fail", "").string();
  std::vector<titan::child_spec> children{w.child("a"), w.child("b", restart_type::permanent, fail_file),
                                          w.child("c")};
  std::vector<std::string> expected;  // "what name" lines of the journal
  SECTION("a direct child") {
    auto error = titan::test::expect_error(
        [&] { w.pm().supervise(supervisor("broken", supervisor_strategy::one_for_one, 5, 5s, children)); });
    REQUIRE(error);
    CHECK(error->code() != titan::status_code::invalid_argument);
    CHECK(contains(error->message(), "'b'"));
    CHECK(contains(error->message(), "fail_start_if_exists"));
    expected = {"start a", "stop a"};
  }
  SECTION("a child of a nested supervisor") {
    auto inner = supervisor("inner", supervisor_strategy::one_for_one, 5, 5s, children);
    auto error = titan::test::expect_error([&] {
      w.pm().supervise(supervisor("broken", supervisor_strategy::one_for_one, 5, 5s,
                                  {w.child("first"), titan::supervisor_child(inner)}));
    });
    REQUIRE(error);
    CHECK(contains(error->message(), "'b'"));
    CHECK(contains(error->message(), "fail_start_if_exists"));
    expected = {"start first", "start a", "stop a", "stop first"};
  }
  // What had started was stopped again, in reverse order; c never started.
  std::vector<std::string> lines;
  for (const auto& l : w.journal()) lines.push_back(l.what + " " + l.name);
  CHECK(lines == expected);
  CHECK(w.pm().tree().empty());
  REQUIRE(poll_until([&] { return live_hosts(w.pm()).empty(); }));
  for (auto& p : w.pm().list()) CHECK(pid_gone(p.pid));
  CHECK(w.tree_exits().empty());  // supervise() threw: no tree ever ran

  // The name is free again, and the same tree starts once b can.
  std::filesystem::remove(fail_file);
  w.pm().supervise(supervisor("broken", supervisor_strategy::one_for_one, 5, 5s, children));
  for (pid_t p : pids_of(w.pm(), {"a", "b", "c"})) CHECK(p > 0);
}

TEST_CASE("a child that does not report READY within its ready_timeout fails the start",
          "[supervision][start-failure]") {
  world w;
  auto slow = w.child("slow");
  slow.host.config += "start_delay_ms = 60000\n";
  slow.host.ready_timeout = 300ms;
  auto error = titan::test::expect_error([&] {
    w.pm().supervise(supervisor("late", supervisor_strategy::one_for_one, 5, 5s, {w.child("a"), slow, w.child("c")}));
  });
  REQUIRE(error);
  CHECK(contains(error->message(), "'slow'"));
  CHECK(contains(error->message(), "READY"));
  std::vector<std::string> lines;
  for (const auto& l : w.journal()) lines.push_back(l.what + " " + l.name);
  CHECK(lines == std::vector<std::string>{"start a", "stop a"});
  CHECK(w.pm().tree().empty());
  // The slow host was killed, not left constructing its service.
  REQUIRE(poll_until([&] { return live_hosts(w.pm()).empty(); }));
}

TEST_CASE("shutdown(): a stopped (SIGSTOP) child is killed after its shutdown timeout", "[supervision][shutdown]") {
  world w;
  auto frozen = w.child("frozen");
  frozen.shutdown.timeout = 300ms;
  w.pm().supervise(supervisor("frozen-tree", supervisor_strategy::one_for_one, 1, 5s, {frozen}));
  auto f = wait_running(w.pm(), "frozen");
  REQUIRE(f);
  REQUIRE(w.pm().kill(f->id, SIGSTOP));

  w.pm().shutdown();
  auto end = w.pm().get(f->id);
  REQUIRE(end);
  CHECK(end->exit_reason == "killed by SIGKILL");
  CHECK(pid_gone(f->pid));
  CHECK(live_hosts(w.pm()).empty());
}
