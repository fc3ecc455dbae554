// Restart types against the four ways a host ends (OTP supervisor_SUITE:
// permanent_normal, transient_normal, temporary_normal, ..._abnormal):
// exit code 0 and SIGTERM (the host drains and exits 0) are normal ends;
// exit code 1 and SIGKILL are not. A permanent child is always restarted,
// a transient one only after an abnormal end, a temporary one never.
#include <signal.h>

#include <algorithm>
#include <catch2/catch.hpp>

#include "supervision_support.hpp"

using namespace titan::test::supervision;
using titan::restart_type;
using titan::supervisor_strategy;

namespace {

struct ending {
  std::string suffix;   // child name suffix
  std::string reason;   // what its row's reason says
  bool abnormal;
};

const std::vector<ending> endings{
    {"exit0", "exited with code 0", false},
    {"exit1", "exited with code 1", true},
    {"sigterm", "exited with code 0", false},
    {"sigkill", "killed by SIGKILL", true},
};

void end_host(titan::ProcessManager& pm, const std::string& suffix, const titan::process_info& info) {
  if (suffix == "exit0") exit_host(info, 0);
  if (suffix == "exit1") exit_host(info, 1);
  if (suffix == "sigterm") REQUIRE(pm.kill(info.id, SIGTERM));
  if (suffix == "sigkill") REQUIRE(pm.kill(info.id, SIGKILL));
}

// One supervisor with one child per way of ending; ends each, then checks
// which ones came back.
void check_restart_type(restart_type type, const std::function<bool(const ending&)>& restarted) {
  world w;
  const std::string prefix(titan::to_string(type));
  std::vector<titan::child_spec> children;
  for (const auto& e : endings) children.push_back(w.child(prefix + "-" + e.suffix, type));
  w.pm().supervise(supervisor("types", supervisor_strategy::one_for_one, 10, 10s, children));

  std::vector<titan::process_info> before;
  for (const auto& e : endings) {
    auto info = wait_running(w.pm(), prefix + "-" + e.suffix);
    REQUIRE(info);
    before.push_back(*info);
  }
  for (std::size_t i = 0; i < endings.size(); ++i) end_host(w.pm(), endings[i].suffix, before[i]);

  // Those that come back first, then those that stay down: a child that
  // is not restarted is "stopped" (a restart would show "restarting" or a
  // new host at once: the engine decides when it handles the exit).
  for (std::size_t i = 0; i < endings.size(); ++i) {
    const std::string name = prefix + "-" + endings[i].suffix;
    INFO(name);
    CHECK(wait_exited(w.pm(), before[i].id));
    CHECK(wait_gone(before[i].pid));
    if (restarted(endings[i])) {
      auto again = wait_running(w.pm(), name, before[i].id);
      REQUIRE(again);
      CHECK(again->pid != before[i].pid);
      auto row = row_of(w.pm(), name);
      REQUIRE(row);
      CHECK(row->restarts == 1);
      CHECK(row->reason == endings[i].reason);
    } else {
      auto row = wait_state(w.pm(), name, "stopped");
      REQUIRE(row);
      CHECK(row->host == 0);
      CHECK(row->restarts == 0);
      CHECK(row->reason == endings[i].reason);
    }
  }
  // Still down once the others are back, and never started again.
  for (std::size_t i = 0; i < endings.size(); ++i) {
    const std::string name = prefix + "-" + endings[i].suffix;
    INFO(name);
    const auto starts = names_of(w.journal(), "start");
    const auto count = std::count(starts.begin(), starts.end(), name);
    CHECK(count == (restarted(endings[i]) ? 2 : 1));
    if (!restarted(endings[i])) CHECK(row_of(w.pm(), name)->state == "stopped");
  }
  CHECK(w.tree_exits().empty());
}

}  // namespace

TEST_CASE("permanent: restarted after exit 0, exit 1, SIGTERM and SIGKILL", "[supervision][restart]") {
  check_restart_type(restart_type::permanent, [](const ending&) { return true; });
}

TEST_CASE("transient: restarted after exit 1 and SIGKILL, not after exit 0 or SIGTERM", "[supervision][restart]") {
  check_restart_type(restart_type::transient, [](const ending& e) { return e.abnormal; });
}

TEST_CASE("temporary: never restarted, whatever the exit", "[supervision][restart]") {
  check_restart_type(restart_type::temporary, [](const ending&) { return false; });
}
