// Restart intensity and period (OTP supervisor_SUITE: restart_one_for_one,
// ..., nested supervisors, escalation), restarts that fail, and backoff.
#include <signal.h>

#include <algorithm>
#include <catch2/catch.hpp>
#include <filesystem>

#include "supervision_support.hpp"

using namespace titan::test::supervision;
using titan::restart_type;
using titan::supervisor_strategy;

namespace {

// Kills child `name` with SIGKILL and waits for its next host; that host.
titan::process_info crash_and_wait(titan::ProcessManager& pm, const std::string& name) {
  auto now = wait_running(pm, name);
  REQUIRE(now);
  REQUIRE(pm.kill(now->id, SIGKILL));
  auto next = wait_running(pm, name, now->id);
  REQUIRE(next);
  return *next;
}

}  // namespace

TEST_CASE("intensity exceeded in a permanent nested supervisor: it ends and its parent restarts it",
          "[supervision][intensity]") {
  world w;
  auto inner = supervisor("inner", supervisor_strategy::one_for_one, 1, 10s, {w.child("x"), w.child("y")});
  w.pm().supervise(supervisor("outer", supervisor_strategy::one_for_one, 5, 10s,
                              {titan::supervisor_child(inner), w.child("z")}));
  auto x1 = wait_running(w.pm(), "x");
  auto y1 = wait_running(w.pm(), "y");
  auto z1 = wait_running(w.pm(), "z");
  REQUIRE((x1 && y1 && z1));

  // The first crash is within intensity 1: x alone is restarted.
  auto x2 = crash_and_wait(w.pm(), "x");
  CHECK(row_of(w.pm(), "inner")->restarts == 0);
  CHECK(pids_of(w.pm(), {"y", "z"}) == std::vector<pid_t>{y1->pid, z1->pid});
  const std::size_t mark = w.journal().size();

  // The second is one too many: inner stops y and ends; outer restarts it.
  REQUIRE(w.pm().kill(x2.id, SIGKILL));
  REQUIRE(poll_until([&] {
    auto r = row_of(w.pm(), "inner");
    return r && r->restarts == 1 && r->state == "running";
  }));
  auto x3 = wait_running(w.pm(), "x", x2.id);
  auto y2 = wait_running(w.pm(), "y", y1->id);
  REQUIRE((x3 && y2));
  CHECK(x3->pid != x2.pid);
  CHECK(y2->pid != y1->pid);
  CHECK(wait_gone(y1->pid));
  CHECK(wait_gone(x2.pid));
  auto inner_row = row_of(w.pm(), "inner");
  REQUIRE(inner_row);
  CHECK(contains(inner_row->reason, "restart intensity"));
  // z, outside the nested supervisor, kept its host.
  CHECK(pids_of(w.pm(), {"z"}) == std::vector<pid_t>{z1->pid});
  CHECK(w.journal_since(mark) ==
        std::vector<journal_line>{{"stop", "y", y1->pid}, {"start", "x", x3->pid}, {"start", "y", y2->pid}});
  CHECK(w.tree_exits().empty());
}

TEST_CASE("intensity exceeded in a transient nested supervisor: its parent leaves it stopped",
          "[supervision][intensity]") {
  world w;
  auto inner = supervisor("inner", supervisor_strategy::one_for_one, 1, 10s, {w.child("x"), w.child("y")});
  auto inner_child = titan::supervisor_child(inner);
  inner_child.restart = restart_type::transient;
  w.pm().supervise(supervisor("outer", supervisor_strategy::one_for_one, 5, 10s, {inner_child, w.child("z")}));
  auto y1 = wait_running(w.pm(), "y");
  auto z1 = wait_running(w.pm(), "z");
  REQUIRE((y1 && z1));
  auto x2 = crash_and_wait(w.pm(), "x");
  REQUIRE(w.pm().kill(x2.id, SIGKILL));

  // OTP: a supervisor that gives up ends with reason shutdown, a normal
  // exit for a transient child.
  auto row = wait_state(w.pm(), "inner", "stopped");
  REQUIRE(row);
  CHECK(row->restarts == 0);
  CHECK(contains(row->reason, "restart intensity"));
  CHECK(wait_gone(y1->pid));
  CHECK(wait_gone(x2.pid));
  CHECK_FALSE(row_of(w.pm(), "x").has_value());  // a stopped supervisor shows no children
  CHECK(pids_of(w.pm(), {"z"}) == std::vector<pid_t>{z1->pid});
  CHECK(w.tree_exits().empty());
}

TEST_CASE("intensity exceeded at the top: the tree stops every host and on_tree_exit reports the escalation",
          "[supervision][intensity]") {
  world w;
  SECTION("the same child crashing twice") {
    w.pm().supervise(supervisor("top", supervisor_strategy::one_for_one, 1, 10s,
                                {w.child("a"), w.child("b"), w.child("c")}));
    auto a2 = crash_and_wait(w.pm(), "a");
    REQUIRE(w.pm().kill(a2.id, SIGKILL));
  }
  SECTION("restarts of different children count together") {
    w.pm().supervise(supervisor("top", supervisor_strategy::one_for_one, 1, 10s,
                                {w.child("a"), w.child("b"), w.child("c")}));
    crash_and_wait(w.pm(), "a");
    auto b = wait_running(w.pm(), "b");
    REQUIRE(b);
    REQUIRE(w.pm().kill(b->id, SIGKILL));
  }
  SECTION("intensity 0: the first crash") {
    w.pm().supervise(supervisor("top", supervisor_strategy::one_for_one, 0, 10s,
                                {w.child("a"), w.child("b"), w.child("c")}));
    auto a = wait_running(w.pm(), "a");
    REQUIRE(a);
    REQUIRE(w.pm().kill(a->id, SIGKILL));
  }
  auto exit = w.wait_tree_exit();
  REQUIRE(exit);
  CHECK(exit->name == "top");
  CHECK(exit->escalated);
  CHECK(contains(exit->reason, "restart intensity"));
  CHECK(w.tree_exits().size() == 1);
  CHECK(wait_no_row(w.pm(), "top"));
  REQUIRE(poll_until([&] { return live_hosts(w.pm()).empty(); }));
  for (auto& p : w.pm().list()) CHECK(pid_gone(p.pid));
  // The survivors were stopped in reverse order.
  const auto stops = names_of(w.journal(), "stop");
  CHECK(std::is_sorted(stops.rbegin(), stops.rend()));
}

TEST_CASE("crashes spaced wider than the period never exceed the intensity", "[supervision][intensity]") {
  world w;
  constexpr auto period = 300ms;
  w.pm().supervise(supervisor("spaced", supervisor_strategy::one_for_one, 1, period, {w.child("a")}));
  for (int i = 1; i <= 3; ++i) {
    crash_and_wait(w.pm(), "a");
    // The restart was counted before its host came up: once `period` has
    // passed since now, it has left the window. Waiting for time is the
    // point of this test; it is a deadline, not a sleep for an event.
    const auto out_of_window = clock::now() + period + 50ms;
    poll_until([&] { return clock::now() > out_of_window; }, period + 1s);
    CHECK(w.tree_exits().empty());
  }
  auto row = row_of(w.pm(), "a");
  REQUIRE(row);
  CHECK(row->restarts == 3);
  CHECK(row->state == "running");
  CHECK(w.tree_exits().empty());
}

TEST_CASE("a child whose restart fails is errored, retried with backoff, and back once it can start",
          "[supervision][intensity][restart-failure]") {
  world w;
  const std::string fail_file = (w.dir() / "fail").string();
  w.pm().supervise(supervisor("retry", supervisor_strategy::one_for_one, 1000, 1s,
                              {w.child("a", restart_type::permanent, fail_file), w.child("b")}));
  auto a = wait_running(w.pm(), "a");
  auto b = wait_running(w.pm(), "b");
  REQUIRE((a && b));
  w.dir().write_file("fail", "");
  REQUIRE(w.pm().kill(a->id, SIGKILL));

  auto row = wait_state(w.pm(), "a", "errored");
  REQUIRE(row);
  CHECK(contains(row->reason, "fail_start_if_exists"));
  CHECK(row->host == 0);
  // Retried: more hosts than the first and the one that failed were tried.
  auto attempts = [&] {
    std::size_t n = 0;
    for (auto& p : w.pm().list()) n += p.name == "a" ? 1 : 0;
    return n;
  };
  CHECK(poll_until([&] { return attempts() >= 4; }));
  for (auto& p : w.pm().list())
    if (p.name == "a" && p.id != a->id && p.state == titan::process_state::exited)
      CHECK(p.exit_reason == "exited with code 7");

  std::filesystem::remove(fail_file);
  auto back = wait_running(w.pm(), "a", a->id);
  REQUIRE(back);
  row = row_of(w.pm(), "a");
  REQUIRE(row);
  CHECK(row->restarts >= 1);
  CHECK(pids_of(w.pm(), {"b"}) == std::vector<pid_t>{b->pid});
  CHECK(w.tree_exits().empty());
  // Only the first host and the one that came back ever constructed a service.
  CHECK(names_of(w.journal(), "start") == std::vector<std::string>{"a", "b", "a"});
}

TEST_CASE("failed restarts count toward the intensity and escalate", "[supervision][intensity][restart-failure]") {
  world w;
  const std::string fail_file = (w.dir() / "fail").string();
  w.pm().supervise(supervisor("doomed", supervisor_strategy::one_for_one, 3, 30s,
                              {w.child("a", restart_type::permanent, fail_file), w.child("b")}));
  auto a = wait_running(w.pm(), "a");
  REQUIRE(a);
  w.dir().write_file("fail", "");
  REQUIRE(w.pm().kill(a->id, SIGKILL));

  auto exit = w.wait_tree_exit();
  REQUIRE(exit);
  CHECK(exit->name == "doomed");
  CHECK(exit->escalated);
  CHECK(contains(exit->reason, "restart intensity"));
  CHECK(contains(exit->reason, "fail_start_if_exists"));
  REQUIRE(poll_until([&] { return live_hosts(w.pm()).empty(); }));
  CHECK(w.pm().tree().empty());
}

TEST_CASE("repeated crashes are restarted with backoff: the child waits in state restarting",
          "[supervision][backoff]") {
  world w;
  auto child = w.child("a");
  child.backoff.base = 500ms;
  child.backoff.factor = 1.0;
  child.backoff.max = 500ms;
  w.pm().supervise(supervisor("backoff", supervisor_strategy::one_for_one, 100, 60s, {child}));

  auto a = wait_running(w.pm(), "a");
  REQUIRE(a);
  bool seen_restarting = false;
  for (int i = 0; i < 3; ++i) {
    REQUIRE(w.pm().kill(a->id, SIGKILL));
    const std::uint64_t old = a->id;
    // The first restart is immediate; later ones wait out the backoff.
    REQUIRE(poll_until([&] {
      auto r = row_of(w.pm(), "a");
      if (r && r->state == "restarting") {
        seen_restarting = true;
        CHECK(r->host == 0);
      }
      return r && r->state == "running" && r->host != 0 && r->host != old;
    }));
    a = wait_running(w.pm(), "a", old);
    REQUIRE(a);
  }
  CHECK(seen_restarting);
  CHECK(row_of(w.pm(), "a")->restarts == 3);
}

TEST_CASE("escalation cascades: a nested supervisor giving up too often makes its parent give up",
          "[supervision][intensity]") {
  world w;
  auto inner = supervisor("inner", supervisor_strategy::one_for_one, 0, 30s, {w.child("x")});
  w.pm().supervise(supervisor("outer", supervisor_strategy::one_for_one, 1, 30s,
                              {w.child("z"), titan::supervisor_child(inner)}));
  // Intensity 0: each crash of x ends inner; outer restarts it once...
  auto x = wait_running(w.pm(), "x");
  REQUIRE(x);
  REQUIRE(w.pm().kill(x->id, SIGKILL));
  REQUIRE(poll_until([&] {
    auto r = row_of(w.pm(), "inner");
    return r && r->restarts == 1 && r->state == "running";
  }));
  CHECK(w.tree_exits().empty());
  // ... and gives up the second time.
  x = wait_running(w.pm(), "x", x->id);
  REQUIRE(x);
  REQUIRE(w.pm().kill(x->id, SIGKILL));
  auto exit = w.wait_tree_exit();
  REQUIRE(exit);
  CHECK(exit->name == "outer");
  CHECK(exit->escalated);
  CHECK(contains(exit->reason, "restart intensity"));
  CHECK(contains(exit->reason, "inner"));
  REQUIRE(poll_until([&] { return live_hosts(w.pm()).empty(); }));
}

TEST_CASE("shutdown() while a child waits out its backoff: it is not started again", "[supervision][backoff]") {
  world w;
  auto child = w.child("a");
  child.backoff.base = 60s;
  child.backoff.max = 60s;
  w.pm().supervise(supervisor("waiting", supervisor_strategy::one_for_one, 100, 60s, {w.child("b"), child}));
  auto a = crash_and_wait(w.pm(), "a");  // the first restart: immediate
  REQUIRE(w.pm().kill(a.id, SIGKILL));
  REQUIRE(wait_state(w.pm(), "a", "restarting"));
  const std::size_t hosts = w.pm().list().size();

  w.pm().shutdown();
  CHECK(w.pm().tree().empty());
  CHECK(live_hosts(w.pm()).empty());
  CHECK(w.pm().list().size() == hosts);  // no host was started for a
  CHECK(names_of(w.journal(), "stop") == std::vector<std::string>{"b"});
}

TEST_CASE("one_for_all: a restart that fails part way is run again, as OTP does, until the whole set is back",
          "[supervision][intensity][restart-failure]") {
  world w;
  const std::string fail_file = (w.dir() / "fail").string();
  w.pm().supervise(supervisor("set", supervisor_strategy::one_for_all, 1000, 1s,
                              {w.child("a"), w.child("b", restart_type::permanent, fail_file), w.child("c")}));
  auto a = wait_running(w.pm(), "a");
  auto b = wait_running(w.pm(), "b");
  auto c = wait_running(w.pm(), "c");
  REQUIRE((a && b && c));
  w.dir().write_file("fail", "");
  REQUIRE(w.pm().kill(a->id, SIGKILL));

  // Each round starts a, b cannot start, and a is stopped again for the
  // next round (OTP's try_again_restart); c, after b, never starts.
  auto errored = wait_state(w.pm(), "b", "errored");
  REQUIRE(errored);
  CHECK(contains(errored->reason, "fail_start_if_exists"));
  auto stops_of_a = [&] {
    const auto stops = names_of(w.journal(), "stop");
    return std::count(stops.begin(), stops.end(), "a");
  };
  REQUIRE(poll_until([&] { return stops_of_a() >= 2; }));
  CHECK(row_of(w.pm(), "c")->host == 0);

  std::filesystem::remove(fail_file);
  auto c2 = wait_running(w.pm(), "c", c->id);  // c starts last, once a round has gone through
  REQUIRE(c2);
  auto a2 = wait_running(w.pm(), "a", a->id);
  auto b2 = wait_running(w.pm(), "b", b->id);
  REQUIRE((a2 && b2));
  CHECK(pids_of(w.pm(), {"a", "b", "c"}) == std::vector<pid_t>{a2->pid, b2->pid, c2->pid});
  // a, b, c; then a alone once per failed round; then a, b, c.
  const auto starts = names_of(w.journal(), "start");
  REQUIRE(starts.size() >= 7);
  CHECK(std::vector<std::string>(starts.begin(), starts.begin() + 3) == std::vector<std::string>{"a", "b", "c"});
  CHECK(std::vector<std::string>(starts.end() - 3, starts.end()) == std::vector<std::string>{"a", "b", "c"});
  CHECK(std::all_of(starts.begin() + 3, starts.end() - 3, [](const std::string& n) { return n == "a"; }));
  CHECK(static_cast<std::size_t>(stops_of_a()) == starts.size() - 6);  // each failed round's a was stopped
  CHECK(w.tree_exits().empty());
}

TEST_CASE("shutdown() while a restart keeps failing: it returns and leaves no process",
          "[supervision][restart-failure][shutdown]") {
  world w;
  const std::string fail_file = (w.dir() / "fail").string();
  const auto strategy = GENERATE(supervisor_strategy::one_for_one, supervisor_strategy::one_for_all);
  INFO(titan::to_string(strategy));
  w.pm().supervise(supervisor("failing", strategy, 1000, 1s,
                              {w.child("a"), w.child("b", restart_type::permanent, fail_file), w.child("c")}));
  auto b = wait_running(w.pm(), "b");
  REQUIRE(b);
  w.dir().write_file("fail", "");
  REQUIRE(w.pm().kill(b->id, SIGKILL));
  REQUIRE(wait_state(w.pm(), "b", "errored"));

  w.pm().shutdown();
  CHECK(w.pm().tree().empty());
  CHECK(live_hosts(w.pm()).empty());
  CHECK(w.tree_exits().empty());
}
