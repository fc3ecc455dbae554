// A pool as a child of a tree (OTP's simple_one_for_one under a
// supervisor): its members are restarted one for one within the pool, and
// a pool past its own intensity ends and is restarted by its parent.
#include <signal.h>

#include <catch2/catch.hpp>

#include "supervision_support.hpp"

using namespace titan::test::supervision;
using titan::supervisor_strategy;

namespace {

titan::child_spec pool_of_two(const world& w, const std::string& name) {
  auto p = w.child(name);
  p.kind = titan::child_kind::pool;
  p.size = 2;
  p.pool_flags.intensity = 1;
  p.pool_flags.period = 30s;
  return p;
}

}  // namespace

TEST_CASE("a pool in a tree: a crashed member is replaced alone", "[supervision][pool]") {
  world w;
  w.pm().supervise(supervisor("with-pool", supervisor_strategy::one_for_all, 3, 30s,
                              {w.child("s"), pool_of_two(w, "p")}));
  auto s = wait_running(w.pm(), "s");
  auto m0 = wait_running(w.pm(), "p-0");
  auto m1 = wait_running(w.pm(), "p-1");
  REQUIRE((s && m0 && m1));
  CHECK(row_of(w.pm(), "p-0")->kind == "member");

  REQUIRE(w.pm().kill(m0->id, SIGKILL));
  auto again = wait_running(w.pm(), "p-0", m0->id);
  REQUIRE(again);
  CHECK(row_of(w.pm(), "p-0")->restarts == 1);
  // The pool handled it: its parent (one_for_all) saw nothing.
  CHECK(pids_of(w.pm(), {"s", "p-1"}) == std::vector<pid_t>{s->pid, m1->pid});
  CHECK(row_of(w.pm(), "p")->restarts == 0);
  CHECK(w.pm().members("p").size() == 2);
}

TEST_CASE("a pool past its intensity ends and its parent restarts it", "[supervision][pool][intensity]") {
  world w;
  w.pm().supervise(supervisor("with-pool", supervisor_strategy::one_for_one, 3, 30s,
                              {w.child("s"), pool_of_two(w, "p")}));
  auto s = wait_running(w.pm(), "s");
  auto m0 = wait_running(w.pm(), "p-0");
  auto m1 = wait_running(w.pm(), "p-1");
  REQUIRE((s && m0 && m1));

  REQUIRE(w.pm().kill(m0->id, SIGKILL));
  auto m0b = wait_running(w.pm(), "p-0", m0->id);
  REQUIRE(m0b);
  REQUIRE(w.pm().kill(m0b->id, SIGKILL));

  REQUIRE(poll_until([&] {
    auto r = row_of(w.pm(), "p");
    return r && r->restarts == 1 && r->state == "running";
  }));
  CHECK(contains(row_of(w.pm(), "p")->reason, "restart intensity"));
  auto m0c = wait_running(w.pm(), "p-0", m0b->id);
  auto m1b = wait_running(w.pm(), "p-1", m1->id);
  REQUIRE((m0c && m1b));
  CHECK(wait_gone(m1->pid));
  CHECK(pids_of(w.pm(), {"s"}) == std::vector<pid_t>{s->pid});
  CHECK(w.tree_exits().empty());
}
