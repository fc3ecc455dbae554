// Faults an OS process has and an Erlang process has not: a host that
// stops answering (SIGSTOP: no heartbeats) and a host that grows past its
// memory limit. The manager kills either; its supervisor restarts it by its
// policy (as an abnormal exit: a transient child comes back too).
#include <signal.h>

#include <catch2/catch.hpp>

#include "supervision_support.hpp"

using namespace titan::test::supervision;
using titan::restart_type;
using titan::supervisor_strategy;

TEST_CASE("a host that misses its heartbeats (SIGSTOP) is killed and restarted", "[supervision][health]") {
  auto opts = manager_options();
  opts.heartbeat = 100ms;
  opts.liveness = 3;
  world w(opts);
  w.pm().supervise(supervisor("hb", supervisor_strategy::one_for_one, 5, 10s,
                              {w.child("frozen", restart_type::transient), w.child("fine")}));
  auto frozen = wait_running(w.pm(), "frozen");
  auto fine = wait_running(w.pm(), "fine");
  REQUIRE((frozen && fine));

  REQUIRE(w.pm().kill(frozen->id, SIGSTOP));
  auto again = wait_running(w.pm(), "frozen", frozen->id);
  REQUIRE(again);
  CHECK(again->pid != frozen->pid);
  auto row = row_of(w.pm(), "frozen");
  REQUIRE(row);
  CHECK(contains(row->reason, "no heartbeat"));
  CHECK(row->restarts == 1);
  auto old = w.pm().get(frozen->id);
  REQUIRE(old);
  CHECK(contains(old->exit_reason, "no heartbeat"));
  CHECK(contains(old->exit_reason, "SIGKILL"));
  // Killed while stopped: no stopped (or zombie) process is left behind.
  CHECK(wait_gone(frozen->pid));
  // The new host answers.
  CHECK(proxy_to(*again).pid().get() == again->pid);
}

TEST_CASE("a host above its max_memory is killed and restarted", "[supervision][health]") {
  world w;
  auto big = w.child("big", restart_type::transient);
  big.host.max_memory = 64u << 20;
  w.pm().supervise(supervisor("mem", supervisor_strategy::one_for_one, 5, 10s, {big}));
  auto host = wait_running(w.pm(), "big");
  REQUIRE(host);

  try {
    proxy_to(*host).allocate(128).get();
  } catch (const titan::Error&) {
    // It may be killed before it replies.
  }
  auto again = wait_running(w.pm(), "big", host->id);
  REQUIRE(again);
  auto row = row_of(w.pm(), "big");
  REQUIRE(row);
  CHECK(contains(row->reason, "max_memory"));
  CHECK(row->restarts == 1);
  CHECK(contains(w.pm().get(host->id)->exit_reason, "max_memory"));
  CHECK(wait_gone(host->pid));
  // The new host starts small and stays.
  CHECK(proxy_to(*again).allocate(1).get() == 1);
  CHECK(row_of(w.pm(), "big")->host == again->id);
}

TEST_CASE("a host busy with a long call still heartbeats: it is not taken as hung", "[supervision][health]") {
  auto opts = manager_options();
  opts.heartbeat = 100ms;
  opts.liveness = 3;
  world w(opts);
  w.pm().supervise(supervisor("busy", supervisor_strategy::one_for_one, 5, 10s, {w.child("worker")}));
  auto host = wait_running(w.pm(), "worker");
  REQUIRE(host);
  // Many heartbeat periods long: the heartbeats come from the socket thread.
  CHECK(proxy_to(*host, 30s).block(1500).get() == 1500);
  auto row = row_of(w.pm(), "worker");
  REQUIRE(row);
  CHECK(row->host == host->id);
  CHECK(row->restarts == 0);
  CHECK(w.pm().get(host->id)->state == titan::process_state::running);
}
