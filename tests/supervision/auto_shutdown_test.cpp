// Significant children and auto_shutdown (OTP supervisor_SUITE:
// significant_temporary, significant_transient, auto_shutdown for nested
// supervisors, and the spec checks OTP makes on significant children).
#include <signal.h>

#include <catch2/catch.hpp>

#include "expect_error.hpp"
#include "supervision_support.hpp"

using namespace titan::test::supervision;
using titan::auto_shutdown_policy;
using titan::restart_type;
using titan::supervisor_strategy;

namespace {

titan::child_spec significant(const world& w, const std::string& name, restart_type r = restart_type::transient) {
  auto c = w.child(name, r);
  c.significant = true;
  return c;
}

titan::supervisor_spec with_auto_shutdown(titan::supervisor_spec s, auto_shutdown_policy a) {
  s.flags.auto_shutdown = a;
  return s;
}

}  // namespace

TEST_CASE("supervise() rejects a significant child under auto_shutdown never, and a significant permanent child",
          "[supervision][auto_shutdown]") {
  world w;
  titan::supervisor_spec spec;
  SECTION("auto_shutdown never") {
    spec = supervisor("never", supervisor_strategy::one_for_one, 1, 5s, {w.child("a"), significant(w, "s")});
  }
  SECTION("a permanent significant child") {
    spec = with_auto_shutdown(
        supervisor("perm", supervisor_strategy::one_for_one, 1, 5s, {significant(w, "s", restart_type::permanent)}),
        auto_shutdown_policy::any_significant);
  }
  auto error = titan::test::expect_error([&] { w.pm().supervise(spec); });
  REQUIRE(error);
  CHECK(error->code() == titan::status_code::invalid_argument);
  CHECK(contains(error->message(), ".significant"));
  CHECK(w.pm().list().empty());  // nothing was started
  CHECK(w.pm().tree().empty());
}

TEST_CASE("a transient child that is not significant ends: nothing else happens, whatever auto_shutdown",
          "[supervision][auto_shutdown]") {
  world w;
  const auto policy = GENERATE(auto_shutdown_policy::never, auto_shutdown_policy::any_significant,
                               auto_shutdown_policy::all_significant);
  INFO(titan::to_string(policy));
  std::vector<titan::child_spec> children{w.child("a"), w.child("t", restart_type::transient)};
  if (policy != auto_shutdown_policy::never) children.push_back(significant(w, "s"));
  w.pm().supervise(with_auto_shutdown(supervisor("calm", supervisor_strategy::one_for_one, 1, 5s, children), policy));
  auto a = wait_running(w.pm(), "a");
  auto t = wait_running(w.pm(), "t");
  REQUIRE((a && t));

  exit_host(*t, 0);
  auto row = wait_state(w.pm(), "t", "stopped");
  REQUIRE(row);
  CHECK(row->reason == "exited with code 0");
  CHECK(wait_gone(t->pid));
  CHECK(row_of(w.pm(), "calm")->state == "running");
  CHECK(pids_of(w.pm(), {"a"}) == std::vector<pid_t>{a->pid});
  CHECK(w.tree_exits().empty());
}

TEST_CASE("auto_shutdown any_significant: one significant child ending stops the tree (not an escalation)",
          "[supervision][auto_shutdown]") {
  world w;
  w.pm().supervise(with_auto_shutdown(
      supervisor("any", supervisor_strategy::one_for_one, 5, 10s,
                 {w.child("a"), significant(w, "s1"), significant(w, "s2")}),
      auto_shutdown_policy::any_significant));
  auto a = wait_running(w.pm(), "a");
  auto s1 = wait_running(w.pm(), "s1");
  auto s2 = wait_running(w.pm(), "s2");
  REQUIRE((a && s1 && s2));

  // A crash of a significant transient child is a restart, not an end.
  REQUIRE(w.pm().kill(s1->id, SIGKILL));
  s1 = wait_running(w.pm(), "s1", s1->id);
  REQUIRE(s1);
  CHECK(w.tree_exits().empty());
  const std::size_t mark = w.journal().size();

  exit_host(*s1, 0);
  auto exit = w.wait_tree_exit();
  REQUIRE(exit);
  CHECK(exit->name == "any");
  CHECK_FALSE(exit->escalated);
  CHECK(contains(exit->reason, "s1"));
  CHECK(contains(exit->reason, "significant"));
  CHECK(wait_no_row(w.pm(), "any"));
  REQUIRE(poll_until([&] { return live_hosts(w.pm()).empty(); }));
  // The others were stopped in reverse order.
  CHECK(w.journal_since(mark) == std::vector<journal_line>{{"stop", "s2", s2->pid}, {"stop", "a", a->pid}});
}

TEST_CASE("auto_shutdown all_significant: the tree stops only once every significant child has ended",
          "[supervision][auto_shutdown]") {
  world w;
  w.pm().supervise(with_auto_shutdown(
      supervisor("all", supervisor_strategy::one_for_one, 5, 10s,
                 {w.child("a"), significant(w, "s1"), significant(w, "s2", restart_type::temporary)}),
      auto_shutdown_policy::all_significant));
  auto a = wait_running(w.pm(), "a");
  auto s1 = wait_running(w.pm(), "s1");
  auto s2 = wait_running(w.pm(), "s2");
  REQUIRE((a && s1 && s2));

  exit_host(*s1, 0);
  REQUIRE(wait_state(w.pm(), "s1", "stopped"));
  CHECK(wait_gone(s1->pid));
  CHECK(pids_of(w.pm(), {"a", "s2"}) == std::vector<pid_t>{a->pid, s2->pid});
  CHECK(row_of(w.pm(), "all")->state == "running");
  CHECK(w.tree_exits().empty());
  const std::size_t mark = w.journal().size();

  // A temporary child is not restarted whatever its end: SIGKILL ends it.
  REQUIRE(w.pm().kill(s2->id, SIGKILL));
  auto exit = w.wait_tree_exit();
  REQUIRE(exit);
  CHECK(exit->name == "all");
  CHECK_FALSE(exit->escalated);
  CHECK(contains(exit->reason, "s2"));
  REQUIRE(poll_until([&] { return live_hosts(w.pm()).empty(); }));
  CHECK(w.journal_since(mark) == std::vector<journal_line>{{"stop", "a", a->pid}});
}

TEST_CASE("a nested supervisor that shuts down by auto_shutdown: restarted if permanent, left stopped if transient",
          "[supervision][auto_shutdown]") {
  world w;
  const auto type = GENERATE(restart_type::permanent, restart_type::transient);
  INFO(titan::to_string(type));
  auto inner = titan::supervisor_child(with_auto_shutdown(
      supervisor("inner", supervisor_strategy::one_for_one, 5, 10s, {w.child("x"), significant(w, "s")}),
      auto_shutdown_policy::any_significant));
  inner.restart = type;
  w.pm().supervise(supervisor("outer", supervisor_strategy::one_for_one, 5, 10s, {inner, w.child("z")}));
  auto x = wait_running(w.pm(), "x");
  auto s = wait_running(w.pm(), "s");
  auto z = wait_running(w.pm(), "z");
  REQUIRE((x && s && z));

  exit_host(*s, 0);
  CHECK(wait_gone(x->pid));
  if (type == restart_type::permanent) {
    REQUIRE(poll_until([&] {
      auto r = row_of(w.pm(), "inner");
      return r && r->restarts == 1 && r->state == "running";
    }));
    REQUIRE(wait_running(w.pm(), "x", x->id));
    REQUIRE(wait_running(w.pm(), "s", s->id));
  } else {
    auto row = wait_state(w.pm(), "inner", "stopped");
    REQUIRE(row);
    CHECK(row->restarts == 0);
    CHECK(contains(row->reason, "significant"));
  }
  CHECK(pids_of(w.pm(), {"z"}) == std::vector<pid_t>{z->pid});
  CHECK(w.tree_exits().empty());
}

TEST_CASE("auto_shutdown cascades: a significant nested supervisor that shuts down ends its parent too",
          "[supervision][auto_shutdown]") {
  world w;
  auto inner = titan::supervisor_child(with_auto_shutdown(
      supervisor("inner", supervisor_strategy::one_for_one, 5, 10s, {w.child("x"), significant(w, "s")}),
      auto_shutdown_policy::any_significant));
  inner.restart = restart_type::transient;
  inner.significant = true;
  w.pm().supervise(with_auto_shutdown(
      supervisor("outer", supervisor_strategy::one_for_one, 5, 10s, {w.child("z"), inner}),
      auto_shutdown_policy::any_significant));
  auto s = wait_running(w.pm(), "s");
  REQUIRE(s);
  exit_host(*s, 0);
  auto exit = w.wait_tree_exit();
  REQUIRE(exit);
  CHECK(exit->name == "outer");
  CHECK_FALSE(exit->escalated);
  CHECK(contains(exit->reason, "inner"));
  REQUIRE(poll_until([&] { return live_hosts(w.pm()).empty(); }));
  CHECK(names_of(w.journal(), "stop") == std::vector<std::string>{"x", "z"});
}

TEST_CASE("auto_shutdown is not triggered by a significant child the supervisor itself stopped",
          "[supervision][auto_shutdown]") {
  world w;
  SECTION("stopped by hand (terminate_child)") {
    w.pm().supervise(with_auto_shutdown(
        supervisor("kept", supervisor_strategy::one_for_one, 5, 10s, {w.child("a"), significant(w, "s")}),
        auto_shutdown_policy::any_significant));
    auto s = wait_running(w.pm(), "s");
    REQUIRE(s);
    REQUIRE(w.pm().stop(s->id));
    REQUIRE(wait_state(w.pm(), "s", "stopped"));
  }
  SECTION("stopped as a bystander of a one_for_all restart") {
    // OTP: neither a sibling's death under one_for_all or rest_for_one nor
    // terminate_child counts as a significant child terminating by itself.
    w.pm().supervise(with_auto_shutdown(
        supervisor("kept", supervisor_strategy::one_for_all, 5, 10s,
                   {w.child("a"), significant(w, "s", restart_type::temporary)}),
        auto_shutdown_policy::any_significant));
    auto a = wait_running(w.pm(), "a");
    auto s = wait_running(w.pm(), "s");
    REQUIRE((a && s));
    REQUIRE(w.pm().kill(a->id, SIGKILL));
    REQUIRE(wait_running(w.pm(), "a", a->id));
    REQUIRE(wait_state(w.pm(), "s", "stopped"));
    CHECK(wait_gone(s->pid));
  }
  CHECK(row_of(w.pm(), "kept")->state == "running");
  CHECK(wait_running(w.pm(), "a"));
  CHECK(w.tree_exits().empty());
}
