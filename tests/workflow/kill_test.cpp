// A host SIGKILLed while a stage's call runs there: without retries the
// stage fails with UNAVAILABLE (at once, not at its deadline) and what ran
// is compensated; with retries, the supervisor's replacement answers the
// next attempt. The call blocks (wf_step.await) until the test releases it,
// so the kill always lands during the call.
#include <signal.h>

#include <catch2/catch.hpp>
#include <future>
#include <set>

#include "manager_support.hpp"
#include "workflow_support.hpp"

using namespace titan::test::workflow;
using titan::stage_state;

namespace {

// Polls the journal until the victim started the call; kills that host.
pid_t kill_when_blocked(world& w) {
  pid_t pid = 0;
  REQUIRE(titan::test::poll_until(
      [&] {
        for (const auto& l : w.journal())
          if (l.event == "start" && l.tag == "blocked") pid = l.pid;
        return pid != 0;
      },
      patience));
  std::uint64_t id = 0;
  for (const auto& p : w.pm().members("victim"))
    if (p.pid == pid) id = p.id;
  REQUIRE(id != 0);
  REQUIRE(w.pm().kill(id, SIGKILL));
  return pid;
}

titan::workflow_spec victim_workflow(unsigned retries) {
  return titan::workflow_builder("victim")
      .stage("first").call("wf.run").args({"first", 1}).compensate("wf.undo", {"first", nullptr})
      .stage("blocked").call("victim.await").args({"blocked", "release", 20000}).depends_on({"first"})
          .timeout(std::chrono::seconds(30)).retries(retries)
          .backoff(std::chrono::milliseconds(50), 2, std::chrono::milliseconds(500))
      .build();
}

}  // namespace

TEST_CASE("a host killed during a stage fails it with UNAVAILABLE and what ran is compensated", "[workflow][kill]") {
  world w;
  w.start({w.service("wf"), w.service("victim", 1)});
  w.pm().add_workflow(victim_workflow(0));
  auto run = std::async(std::launch::async, [&] { return w.pm().workflow("victim").run(); });
  kill_when_blocked(w);
  const titan::workflow_report r = run.get();
  REQUIRE_FALSE(r.ok);
  CHECK(r.failed_stage == "blocked");
  CHECK(r.code == titan::status_code::unavailable);
  CHECK(stage(r, "blocked").state == stage_state::failed);
  CHECK(stage(r, "blocked").attempts == 1);
  CHECK(stage(r, "first").state == stage_state::compensated);
  CHECK(w.tags("undo") == std::vector<std::string>{"first"});
}

TEST_CASE("a host killed during a stage with retries: the restarted host answers the retry", "[workflow][kill]") {
  world w;
  w.start({w.service("wf"), w.service("victim", 1)});
  w.pm().add_workflow(victim_workflow(5));
  std::vector<titan::workflow_event> retries;
  auto runner = w.pm().workflow("victim");
  runner.on_progress([&](const titan::workflow_event& e) {
    if (e.what == titan::workflow_event::kind::retrying) retries.push_back(e);
  });
  auto run = std::async(std::launch::async, [&] { return runner.run(); });
  const pid_t killed = kill_when_blocked(w);
  w.dir().write_file("release", "");  // the next attempts return at once
  const titan::workflow_report r = run.get();
  REQUIRE(r.ok);
  CHECK(stage(r, "blocked").state == stage_state::ran);
  CHECK(stage(r, "blocked").attempts >= 2);
  REQUIRE_FALSE(retries.empty());
  CHECK(retries.front().code == titan::status_code::unavailable);
  CHECK(stage(r, "first").state == stage_state::ran);
  CHECK(w.tags("undo").empty());
  // It ended on another host than the one killed.
  std::set<pid_t> ended;
  for (const auto& l : w.journal())
    if (l.event == "end" && l.tag == "blocked") ended.insert(l.pid);
  CHECK(ended.size() == 1);
  CHECK(ended.count(killed) == 0);
}
