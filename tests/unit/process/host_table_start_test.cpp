// host_table (process/host_table.cpp) starting hosts: the command line a
// host gets, READY making it a listed member (and stop() taking it out),
// heartbeats, and starts that fail: exits before READY, explained by the
// host's $failed or by its exit code, abandoned starts, and options or a
// closed table that start nothing. The fake host is host_table_fixture.hpp.
#include <signal.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <cstdint>
#include <future>
#include <string>
#include <vector>

#include "host_table_fixture.hpp"

using namespace titan::test::host_table_fixture;
using titan::process_state;
using titan::status_code;
using titan::detail::host_record;
using titan::detail::host_table;
using titan::test::expect_error;
namespace control = titan::control;
using namespace std::chrono_literals;

TEST_CASE("a host that exits 3 before READY fails its start with NOT_FOUND (plugin file not found)", "[host_table]") {
  rig t;
  host_record& r = t.start("exit-3");
  auto ready = waited(r);
  const auto before_exit = std::chrono::steady_clock::now();
  REQUIRE(t.reap(r));
  CHECK(t.events.reads >= 1);  // on_exit asked for the reports that may explain it

  // Its `$failed` may still be on its way: the start waits for it a while
  // (a deadline computed from the exit, not a time this test measures).
  REQUIRE(t.table->next_deadline());
  CHECK(*t.table->next_deadline() >= before_exit + 100ms);
  t.table->fail_unexplained_exits(*t.table->next_deadline() - 1ms);
  CHECK_FALSE(start_error(ready));

  t.table->fail_unexplained_exits(*t.table->next_deadline());  // the caller's time: no waiting
  auto e = start_error(ready);
  REQUIRE(e);
  CHECK(e->code() == status_code::not_found);
  CHECK_THAT(e->message(), Catch::Contains("(plugin file not found)"));
  CHECK_THAT(e->message(), Catch::Contains("exit-3") && Catch::Contains("exited with code 3") &&
                               Catch::Contains("before it was ready"));
  CHECK_FALSE(t.table->next_deadline());
  CHECK(r.info.exit_reason == "exited with code 3");
  CHECK(t.events.ended == std::vector<std::uint64_t>{r.info.id});
}

TEST_CASE("a host that exits 6 before READY fails with FAILED_PRECONDITION (ABI mismatch ...)", "[host_table]") {
  rig t;
  host_record& r = t.start("exit-6");
  auto ready = waited(r);
  REQUIRE(t.reap(r));
  t.table->fail_unexplained_exits(std::chrono::steady_clock::now() + 1h);
  auto e = start_error(ready);
  REQUIRE(e);
  CHECK(e->code() == status_code::failed_precondition);
  CHECK_THAT(e->message(), Catch::Contains("(ABI mismatch ("));
  CHECK_THAT(e->message(), Catch::Contains(std::string(control::describe(control::exit_code::abi_mismatch))));
}

TEST_CASE("an exit code with no meaning adds none", "[host_table]") {
  rig t;
  host_record& r = t.start("exit-42");
  auto ready = waited(r);
  REQUIRE(t.reap(r));
  t.table->fail_unexplained_exits(std::chrono::steady_clock::now() + 1h);
  auto e = start_error(ready);
  REQUIRE(e);
  CHECK(e->code() == status_code::failed_precondition);
  CHECK_THAT(e->message(), Catch::EndsWith("exited with code 42 before it was ready"));
}

TEST_CASE("the host's own $failed message is preferred over its exit code", "[host_table]") {
  rig t;
  SECTION("the report came before the exit") {
    host_record& r = t.start("exit-3");
    auto ready = waited(r);
    t.table->on_failed(t.failed_of(r, 3, "no such file: /opt/x.so"));
    REQUIRE(t.reap(r));
    auto e = start_error(ready);  // at once: nothing more to wait for
    REQUIRE(e);
    CHECK(e->code() == status_code::not_found);  // the code still follows the exit code
    CHECK(e->message() == "no such file: /opt/x.so");
    CHECK_FALSE(t.table->next_deadline());
  }
  SECTION("the report came just after the exit, within its grace") {
    host_record& r = t.start("exit-6");
    auto ready = waited(r);
    REQUIRE(t.reap(r));
    REQUIRE(t.table->next_deadline());
    const auto before_grace_ends = *t.table->next_deadline() - 1ms;
    t.table->on_failed(t.failed_of(r, 6, "built against ABI 2"));
    t.table->fail_unexplained_exits(before_grace_ends);
    auto e = start_error(ready);
    REQUIRE(e);
    CHECK(e->code() == status_code::failed_precondition);
    CHECK(e->message() == "built against ABI 2");
  }
  SECTION("the report was read when the exit asked for the reports") {
    host_record& r = t.start("exit-3");
    auto ready = waited(r);
    t.events.on_read_reports = [&] { t.table->on_failed(t.failed_of(r, 3, "read just in time")); };
    REQUIRE(t.reap(r));
    auto e = start_error(ready);
    REQUIRE(e);
    CHECK(e->message() == "read just in time");
  }
  SECTION("a report for another host, or with a bad id, is ignored") {
    host_record& r = t.start("exit-3");
    auto ready = waited(r);
    auto other = t.failed_of(r, 3, "not yours");
    other.id = std::to_string(r.info.id + 100);
    t.table->on_failed(other);
    other.id = "garbage";
    t.table->on_failed(other);
    other.id = "";
    t.table->on_failed(other);
    REQUIRE(t.reap(r));
    t.table->fail_unexplained_exits(std::chrono::steady_clock::now() + 1h);
    auto e = start_error(ready);
    REQUIRE(e);
    CHECK_THAT(e->message(), Catch::Contains("(plugin file not found)"));
  }
}

TEST_CASE("READY makes a host a listed member, stop() takes it out and SIGTERM ends it", "[host_table]") {
  rig t;
  host_record& r = t.start("serve", "grp", 0);
  auto ready = waited(r);
  REQUIRE(t.armed(r));
  const std::uint64_t id = r.info.id;
  CHECK(r.info.state == process_state::starting);
  CHECK(t.table->exit_of(id).empty());  // alive

  REQUIRE(t.table->on_ready(t.ready_of(r)) == &r);
  CHECK(r.info.state == process_state::running);
  CHECK(t.events.changes_of("grp") == 1);
  REQUIRE(ready.wait_for(0s) == std::future_status::ready);
  CHECK(ready.get().endpoint == "ipc:///run/host-" + std::to_string(id) + ".sock");
  CHECK(t.table->listed("grp") == std::vector<const host_record*>{&r});
  CHECK(t.table->members("grp").size() == 1);
  CHECK(r.member_key() == "grp#0");
  CHECK(t.table->live_ids() == std::vector<std::uint64_t>{id});

  REQUIRE(t.table->stop(id, false));
  CHECK(r.info.state == process_state::stopping);
  CHECK(t.table->listed("grp").empty());
  CHECK(t.events.changes_of("grp") == 2);  // out of the membership before the signal

  REQUIRE(t.reap(r));
  CHECK(r.info.exit_reason == "exited with code 0");  // its TERM trap ran: it was SIGTERM
  CHECK(t.events.ended == std::vector<std::uint64_t>{id});
  CHECK(t.events.changes_of("grp") == 3);
  CHECK(t.table->wait_exited(id, 0ms));
  CHECK(t.table->exit_of(id) == "exited with code 0");
  CHECK(t.table->live_ids().empty());
  CHECK_FALSE(t.table->stop(id, false));  // not alive any more
  CHECK_FALSE(t.table->signal(id, SIGTERM));

  // Its grandchild went with its group.
  const pid_t grandchild = std::stoi(titan::test::read_file(t.dir / ("grandchild-" + std::to_string(id))));
  CHECK(poll_until([&] { return process_gone(grandchild); }));
}

TEST_CASE("a late READY of an abandoned start is ignored", "[host_table]") {
  rig t;
  host_record& r = t.start("serve", "grp");
  auto ready = waited(r);
  REQUIRE(t.armed(r));
  t.table->abandon(r, titan::Error(status_code::deadline_exceeded, "did not report READY within 5 ms"));
  auto e = start_error(ready);
  REQUIRE(e);
  CHECK(e->code() == status_code::deadline_exceeded);
  CHECK(t.table->on_ready(t.ready_of(r)) == nullptr);
  CHECK(t.events.changes_of("grp") == 0);
  REQUIRE(t.reap(r));
  CHECK(r.info.exit_reason == "killed by SIGKILL");
}

TEST_CASE("a heartbeat updates the calls ps shows, an unknown one is ignored", "[host_table]") {
  rig t;
  host_record& r = t.start("serve");
  control::heartbeat_report hb;
  hb.id = std::to_string(r.info.id);
  hb.calls = 1234;
  CHECK(t.table->on_heartbeat(hb) == &r);
  CHECK(t.table->get(r.info.id)->info.calls == 1234);
  hb.id = "999";
  CHECK(t.table->on_heartbeat(hb) == nullptr);
  hb.id = "";
  CHECK(t.table->on_heartbeat(hb) == nullptr);
}

TEST_CASE("a host is started with the manager's command line", "[host_table]") {
  rig t;
  titan::spawn_options o;
  o.name = "users-0";
  o.concurrency = 4;
  o.log_level = "debug";
  host_record& r = t.start("args", "users", 0, o);
  REQUIRE(t.reap(r));
  const std::string id = std::to_string(r.info.id);
  const std::string args = titan::test::read_file(t.dir / ("args-" + id));
  CHECK_THAT(args, Catch::StartsWith("--plugin\nargs\n"));
  CHECK_THAT(args, Catch::Contains("--bind\nipc://" + t.runtime.path() + "/host-" + id + ".sock\n"));
  CHECK_THAT(args, Catch::Contains("--manager\n" + t.dir.ipc_endpoint("control.sock") + "\n"));
  CHECK_THAT(args, Catch::Contains("--id\n" + id + "\n"));
  CHECK_THAT(args, Catch::Contains("--heartbeat\n1000\n"));
  CHECK_THAT(args, Catch::Contains("--concurrency\n4\n"));
  CHECK_THAT(args, Catch::Contains("--log-level\ndebug\n"));
  CHECK_THAT(args, Catch::Contains("--name\nusers-0\n"));
  CHECK(r.info.pid > 0);
  CHECK(r.info.group == "users");
}

TEST_CASE("check() refuses options no host can start with, and a closed table starts nothing", "[host_table]") {
  titan::spawn_options udp;
  udp.transport = "udp";
  auto e = expect_error([&] { host_table::check(udp); return 0; });
  REQUIRE(e);
  CHECK(e->code() == status_code::invalid_argument);
  titan::spawn_options none;
  none.concurrency = 0;
  e = expect_error([&] { host_table::check(none); return 0; });
  REQUIRE(e);
  CHECK(e->code() == status_code::invalid_argument);

  rig t;
  t.table->close();
  e = expect_error([&] { return t.start("serve").info.id; });
  REQUIRE(e);
  CHECK(e->code() == status_code::failed_precondition);
  CHECK(t.table->list().empty());
}
