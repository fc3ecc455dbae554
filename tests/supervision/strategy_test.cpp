// Restart strategies (OTP supervisor_SUITE: one_for_one, one_for_all,
// rest_for_one, temporary bystanders) and start/stop order, with three
// permanent lifecycle children a, b, c whose middle one is SIGKILLed. The
// journal gives the order in which hosts were stopped and started.
#include <signal.h>

#include <algorithm>
#include <catch2/catch.hpp>

#include "supervision_support.hpp"

using namespace titan::test::supervision;
using titan::restart_type;
using titan::supervisor_strategy;

namespace {

struct abc {
  world w;
  std::vector<titan::process_info> before;  // a, b, c
  std::size_t mark = 0;                     // journal lines before the kill

  explicit abc(supervisor_strategy strategy) {
    w.pm().supervise(supervisor("abc", strategy, 3, 10s, {w.child("a"), w.child("b"), w.child("c")}));
    for (const char* n : {"a", "b", "c"}) {
      auto info = wait_running(w.pm(), n);
      REQUIRE(info);
      before.push_back(*info);
    }
    mark = w.journal().size();
    REQUIRE(mark == 3);
  }
  pid_t pid(int i) const { return before[static_cast<std::size_t>(i)].pid; }
  void kill_b() { REQUIRE(w.pm().kill(before[1].id, SIGKILL)); }
};

}  // namespace

TEST_CASE("children start in tree order (nested ones too) and shutdown() stops them in reverse order",
          "[supervision][order]") {
  world w;
  auto nested = supervisor("inner", supervisor_strategy::one_for_one, 1, 5s, {w.child("b"), w.child("c")});
  w.pm().supervise(supervisor("outer", supervisor_strategy::one_for_one, 1, 5s,
                              {w.child("a"), titan::supervisor_child(nested), w.child("d")}));
  w.pm().supervise(supervisor("second", supervisor_strategy::one_for_one, 1, 5s, {w.child("e")}));
  // supervise() returned: every child is running.
  std::vector<pid_t> pids = pids_of(w.pm(), {"a", "b", "c", "d", "e"});
  for (pid_t p : pids) CHECK(p > 0);
  CHECK(names_of(w.journal(), "start") == std::vector<std::string>{"a", "b", "c", "d", "e"});

  // The services were constructed in that order (their own clocks say so).
  std::vector<std::int64_t> started;
  for (const char* n : {"a", "b", "c", "d", "e"}) {
    auto info = wait_running(w.pm(), n);
    REQUIRE(info);
    started.push_back(proxy_to(*info).started_at().get());
  }
  CHECK(std::is_sorted(started.begin(), started.end()));

  // The tree, depth first.
  std::vector<std::string> rows;
  for (auto& r : w.pm().tree()) rows.push_back(r.name + "@" + std::to_string(r.depth));
  CHECK(rows == std::vector<std::string>{"outer@0", "a@1", "inner@1", "b@2", "c@2", "d@1", "second@0", "e@1"});
  for (auto& r : w.pm().tree()) {
    INFO(r.name);
    CHECK(r.state == "running");
    CHECK(r.restarts == 0);
    CHECK(r.restart_type == "permanent");
    if (r.name == "outer" || r.name == "inner" || r.name == "second") {
      CHECK(r.kind == "supervisor");
      CHECK(r.host == 0);
      CHECK(r.detail.find("one_for_one") != std::string::npos);
    } else {
      CHECK(r.kind == "service");
      CHECK(r.host != 0);
    }
    if (r.name == "b" || r.name == "c") CHECK(r.parent == "inner");
    if (r.name == "a" || r.name == "inner" || r.name == "d") CHECK(r.parent == "outer");
    if (r.depth == 0) CHECK(r.parent.empty());
  }

  // shutdown(): the last tree first, each in reverse start order.
  w.pm().shutdown();
  const auto stops = names_of(w.journal(), "stop");
  CHECK(stops == std::vector<std::string>{"e", "d", "c", "b", "a"});
  CHECK(w.pm().tree().empty());
  CHECK(live_hosts(w.pm()).empty());
  CHECK(w.tree_exits().empty());  // shutdown() is not a tree ending by itself
}

TEST_CASE("one_for_one: kill -9 of the middle child restarts it alone", "[supervision][strategy]") {
  abc t(supervisor_strategy::one_for_one);
  t.kill_b();
  auto b = wait_running(t.w.pm(), "b", t.before[1].id);
  REQUIRE(b);
  CHECK(b->pid != t.pid(1));
  CHECK(wait_gone(t.pid(1)));
  CHECK(pids_of(t.w.pm(), {"a", "b", "c"}) == std::vector<pid_t>{t.pid(0), b->pid, t.pid(2)});
  CHECK(t.w.journal_since(t.mark) == std::vector<journal_line>{{"start", "b", b->pid}});
  CHECK(row_of(t.w.pm(), "a")->restarts == 0);
  CHECK(row_of(t.w.pm(), "b")->restarts == 1);
  CHECK(row_of(t.w.pm(), "c")->restarts == 0);
  CHECK(contains(row_of(t.w.pm(), "b")->reason, "SIGKILL"));
  // What list()/get() say of the new host and the old one.
  CHECK(b->name == "b");
  CHECK(b->group == "b");
  CHECK(b->supervisor == "abc");
  CHECK(b->restarts == 1);
  CHECK(b->service == "lifecycle");
  auto old = t.w.pm().get(t.before[1].id);
  REQUIRE(old);
  CHECK(old->state == titan::process_state::exited);
  CHECK(old->exit_reason == "killed by SIGKILL");
  CHECK(old->restarts == 0);
  CHECK(t.before[0].supervisor == "abc");
}

TEST_CASE("one_for_all: kill -9 of the middle child stops the others in reverse order and restarts all in order",
          "[supervision][strategy]") {
  abc t(supervisor_strategy::one_for_all);
  t.kill_b();
  std::vector<titan::process_info> after;
  for (const char* n : {"a", "b", "c"}) {
    auto info = wait_running(t.w.pm(), n, t.before[after.size()].id);
    REQUIRE(info);
    after.push_back(*info);
  }
  for (int i = 0; i < 3; ++i) {
    CHECK(after[static_cast<std::size_t>(i)].pid != t.pid(i));
    CHECK(wait_gone(t.pid(i)));
  }
  // b died by SIGKILL (no destructor, no "stop b"); c then a were stopped
  // (drained: their destructors ran), then a, b, c started again.
  CHECK(t.w.journal_since(t.mark) == std::vector<journal_line>{{"stop", "c", t.pid(2)},
                                                               {"stop", "a", t.pid(0)},
                                                               {"start", "a", after[0].pid},
                                                               {"start", "b", after[1].pid},
                                                               {"start", "c", after[2].pid}});
  CHECK(row_of(t.w.pm(), "b")->restarts == 1);
}

TEST_CASE("rest_for_one: kill -9 of the middle child restarts it and the children after it",
          "[supervision][strategy]") {
  abc t(supervisor_strategy::rest_for_one);
  t.kill_b();
  auto b = wait_running(t.w.pm(), "b", t.before[1].id);
  auto c = wait_running(t.w.pm(), "c", t.before[2].id);
  REQUIRE(b);
  REQUIRE(c);
  CHECK(wait_gone(t.pid(1)));
  CHECK(wait_gone(t.pid(2)));
  CHECK(pids_of(t.w.pm(), {"a", "b", "c"}) == std::vector<pid_t>{t.pid(0), b->pid, c->pid});
  CHECK(t.w.journal_since(t.mark) ==
        std::vector<journal_line>{{"stop", "c", t.pid(2)}, {"start", "b", b->pid}, {"start", "c", c->pid}});
  CHECK(row_of(t.w.pm(), "a")->restarts == 0);
  CHECK(row_of(t.w.pm(), "b")->restarts == 1);
}

TEST_CASE("rest_for_one: kill -9 of the last child restarts it alone", "[supervision][strategy]") {
  abc t(supervisor_strategy::rest_for_one);
  REQUIRE(t.w.pm().kill(t.before[2].id, SIGKILL));
  auto c = wait_running(t.w.pm(), "c", t.before[2].id);
  REQUIRE(c);
  CHECK(pids_of(t.w.pm(), {"a", "b", "c"}) == std::vector<pid_t>{t.pid(0), t.pid(1), c->pid});
  CHECK(t.w.journal_since(t.mark) == std::vector<journal_line>{{"start", "c", c->pid}});
}

TEST_CASE("one_for_all: a temporary bystander is stopped and never restarted", "[supervision][strategy]") {
  world w;
  w.pm().supervise(supervisor("tmp", supervisor_strategy::one_for_all, 3, 10s,
                              {w.child("a"), w.child("t", restart_type::temporary), w.child("c")}));
  auto a = wait_running(w.pm(), "a");
  auto t = wait_running(w.pm(), "t");
  auto c = wait_running(w.pm(), "c");
  REQUIRE((a && t && c));
  const std::size_t mark = w.journal().size();

  REQUIRE(w.pm().kill(a->id, SIGKILL));
  auto a2 = wait_running(w.pm(), "a", a->id);
  auto c2 = wait_running(w.pm(), "c", c->id);
  REQUIRE((a2 && c2));
  CHECK(wait_gone(t->pid));
  auto row = row_of(w.pm(), "t");
  REQUIRE(row);
  CHECK(row->state == "stopped");
  CHECK(row->host == 0);
  CHECK(row->restarts == 0);
  // Stopped as a bystander (c, then t, in reverse order); only a and c came back.
  CHECK(w.journal_since(mark) == std::vector<journal_line>{{"stop", "c", c->pid},
                                                           {"stop", "t", t->pid},
                                                           {"start", "a", a2->pid},
                                                           {"start", "c", c2->pid}});
  // And it stays stopped through the next restart too.
  REQUIRE(w.pm().kill(c2->id, SIGKILL));
  REQUIRE(wait_running(w.pm(), "c", c2->id));
  REQUIRE(wait_running(w.pm(), "a", a2->id));
  CHECK(row_of(w.pm(), "t")->state == "stopped");
  CHECK(names_of(w.journal(), "start") == std::vector<std::string>{"a", "t", "c", "a", "c", "a", "c"});
}

TEST_CASE("one_for_all: restarting the whole set counts as one restart", "[supervision][strategy]") {
  world w;
  w.pm().supervise(supervisor("once", supervisor_strategy::one_for_all, 1, 30s,
                              {w.child("a"), w.child("b"), w.child("c")}));
  auto a = wait_running(w.pm(), "a");
  auto b = wait_running(w.pm(), "b");
  auto c = wait_running(w.pm(), "c");
  REQUIRE((a && b && c));
  REQUIRE(w.pm().kill(b->id, SIGKILL));
  auto a2 = wait_running(w.pm(), "a", a->id);
  auto b2 = wait_running(w.pm(), "b", b->id);
  auto c2 = wait_running(w.pm(), "c", c->id);
  REQUIRE((a2 && b2 && c2));
  CHECK(w.tree_exits().empty());
  CHECK(row_of(w.pm(), "once")->state == "running");

  // The next crash is the second restart in the period: one too many.
  REQUIRE(w.pm().kill(c2->id, SIGKILL));
  auto exit = w.wait_tree_exit();
  REQUIRE(exit);
  CHECK(exit->escalated);
  REQUIRE(poll_until([&] { return live_hosts(w.pm()).empty(); }));
}

TEST_CASE("one_for_all: two children killed at once make one restart of the set", "[supervision][strategy]") {
  world w;
  w.pm().supervise(supervisor("both", supervisor_strategy::one_for_all, 3, 30s,
                              {w.child("a"), w.child("b"), w.child("c")}));
  auto a = wait_running(w.pm(), "a");
  auto b = wait_running(w.pm(), "b");
  auto c = wait_running(w.pm(), "c");
  REQUIRE((a && b && c));
  const std::size_t mark = w.journal().size();
  // Back to back, straight from here (each kill() goes through the
  // manager's loop, which could handle a's exit in between).
  REQUIRE(::kill(a->pid, SIGKILL) == 0);
  REQUIRE(::kill(c->pid, SIGKILL) == 0);

  auto a2 = wait_running(w.pm(), "a", a->id);
  auto b2 = wait_running(w.pm(), "b", b->id);
  auto c2 = wait_running(w.pm(), "c", c->id);
  REQUIRE((a2 && b2 && c2));
  // OTP: the second exit is taken in by the restart the first one caused
  // (the supervisor terminates c, finds it dead, and starts the set once).
  CHECK(w.journal_since(mark) == std::vector<journal_line>{{"stop", "b", b->pid},
                                                           {"start", "a", a2->pid},
                                                           {"start", "b", b2->pid},
                                                           {"start", "c", c2->pid}});
  // Nothing more happens: each child runs on its one new host.
  CHECK(pids_of(w.pm(), {"a", "b", "c"}) == std::vector<pid_t>{a2->pid, b2->pid, c2->pid});
  std::size_t running = 0;
  for (auto& p : w.pm().list()) running += p.state == titan::process_state::running ? 1 : 0;
  CHECK(running == 3);
  CHECK(w.tree_exits().empty());
}

TEST_CASE("one_for_all: a child that is not restarted takes no sibling down", "[supervision][strategy]") {
  world w;
  const auto type = GENERATE(restart_type::temporary, restart_type::transient);
  INFO(titan::to_string(type));
  w.pm().supervise(supervisor("quiet", supervisor_strategy::one_for_all, 3, 30s,
                              {w.child("a"), w.child("t", type), w.child("c")}));
  auto before = pids_of(w.pm(), {"a", "t", "c"});
  auto t = wait_running(w.pm(), "t");
  REQUIRE(t);
  // A temporary child is not restarted even after a crash; a transient one
  // not after a normal exit.
  if (type == restart_type::temporary)
    REQUIRE(w.pm().kill(t->id, SIGKILL));
  else
    exit_host(*t, 0);
  REQUIRE(wait_state(w.pm(), "t", "stopped"));
  CHECK(wait_gone(t->pid));
  CHECK(pids_of(w.pm(), {"a", "c"}) == std::vector<pid_t>{before[0], before[2]});
  CHECK(names_of(w.journal(), "start") == std::vector<std::string>{"a", "t", "c"});
  CHECK(names_of(w.journal(), "stop").empty());
}
