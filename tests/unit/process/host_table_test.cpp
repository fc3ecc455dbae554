// host_table with a fake titan-host: a shell script (options.host_binary)
// whose behaviour the "plugin" argument picks, so no titan-host is needed.
// The test is the loop: it calls the loop-thread methods itself, polls a
// host's exit fd with a deadline and hands it to on_exit(). Every process
// a test starts is reaped by host_table's destructor at the latest.
#include <poll.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <catch2/catch.hpp>
#include <cerrno>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <functional>
#include <future>
#include <memory>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <spdlog/sinks/null_sink.h>
#include <spdlog/spdlog.h>

#include "expect_error.hpp"
#include "process/host_table.hpp"
#include "process/runtime_dir.hpp"
#include "temp_dir.hpp"

using titan::process_state;
using titan::status_code;
using titan::detail::host_events;
using titan::detail::host_record;
using titan::detail::host_table;
using titan::test::expect_error;
using titan::test::temp_dir;
namespace control = titan::control;
namespace fs = std::filesystem;
using namespace std::chrono_literals;

namespace {

// The fake host. Its second argument (--plugin's value) says what it does:
//   exit-N  exits with code N at once (before any READY)
//   serve   stays up: writes DIR/armed-ID once its TERM trap is set, exits 0
//           on SIGTERM, and leaves a `sleep` grandchild in its group
//   args    writes its arguments to DIR/args-ID, one a line, and exits 0
std::string fake_host_script(const fs::path& dir) {
  const std::string d = dir.string();
  return "#!/bin/sh\n"
         "plugin=$2\n"
         "prev=\n"
         "for a in \"$@\"; do [ \"$prev\" = --id ] && id=$a; prev=$a; done\n"
         "case \"$plugin\" in\n"
         "  exit-*) exit \"${plugin#exit-}\" ;;\n"
         "  serve)\n"
         "    trap 'exit 0' TERM\n"
         "    sleep 1000 &\n"
         "    echo $! > '" + d + "/grandchild-'$id\n"
         "    : > '" + d + "/armed-'$id\n"
         "    wait\n"
         "    exit 0 ;;\n"
         "  args) printf '%s\\n' \"$@\" > '" + d + "/args-'$id; exit 0 ;;\n"
         "esac\n"
         "exit 99\n";
}

// What host_table told the rest of the manager.
struct recorded_events : host_events {
  struct exit_event {
    std::uint64_t id;
    bool normal, by_manager;
    std::string reason;
  };
  std::vector<std::string> membership;
  std::vector<std::pair<std::string, std::chrono::milliseconds>> timeouts;
  std::vector<std::pair<std::uint64_t, std::string>> start_failed;
  std::vector<exit_event> exits;
  std::vector<std::uint64_t> ended;
  int reads = 0;
  std::function<void()> on_read_reports;  // a `$failed` "arriving" just then

  void membership_changed(const std::string& group) override { membership.push_back(group); }
  void call_timeout_announced(const std::string& group, std::chrono::milliseconds t) override {
    timeouts.emplace_back(group, t);
  }
  void supervised_start_failed(std::uint64_t id, const std::string& reason) override {
    start_failed.emplace_back(id, reason);
  }
  void supervised_exited(std::uint64_t id, bool normal, bool by_manager, const std::string& reason) override {
    exits.push_back({id, normal, by_manager, reason});
  }
  void host_ended(std::uint64_t id) override { ended.push_back(id); }
  void read_reports() override {
    ++reads;
    if (on_read_reports) on_read_reports();
  }
  std::size_t changes_of(const std::string& group) const {
    return static_cast<std::size_t>(std::count(membership.begin(), membership.end(), group));
  }
};

std::shared_ptr<spdlog::logger> quiet() {
  return std::make_shared<spdlog::logger>("host_table_test", std::make_shared<spdlog::sinks::null_sink_mt>());
}

bool poll_until(const std::function<bool()>& done, std::chrono::milliseconds timeout = 20s) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!done()) {
    if (std::chrono::steady_clock::now() >= deadline) return false;
    std::this_thread::sleep_for(2ms);
  }
  return true;
}

std::size_t open_fds() {
  std::size_t n = 0;
  for ([[maybe_unused]] const auto& e : fs::directory_iterator("/proc/self/fd")) ++n;
  return n;
}

// Gone, or a zombie nobody here can reap (a grandchild reparented away).
bool process_gone(pid_t pid) {
  if (::kill(pid, 0) != 0 && errno == ESRCH) return true;
  std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
  std::string line;
  if (!std::getline(stat, line)) return true;
  auto close = line.rfind(')');
  return close != std::string::npos && line.compare(close + 2, 1, "Z") == 0;
}

// Its process group (/proc/PID/stat field 5); 0 when it is gone.
pid_t group_of(pid_t pid) {
  std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
  std::string line;
  if (!std::getline(stat, line)) return 0;
  std::istringstream rest(line.substr(line.rfind(')') + 2));
  std::string state;
  pid_t ppid = 0, pgrp = 0;
  rest >> state >> ppid >> pgrp;
  return pgrp;
}

struct rig {
  temp_dir dir;
  titan::detail::runtime_dir runtime{(dir / "run").string()};
  recorded_events events;
  std::shared_ptr<spdlog::logger> log = quiet();
  std::unique_ptr<host_table> table;
  std::vector<std::pair<std::uint64_t, pid_t>> started;  // id, pid

  ~rig() {
    table.reset();  // host_table reaps its hosts and kills their groups
    // Should it not have: no grandchild of this test outlives it.
    for (const auto& [id, leader] : started) {
      const std::string text = titan::test::read_file(dir / ("grandchild-" + std::to_string(id)));
      if (text.empty()) continue;
      const pid_t pid = std::stoi(text);
      if (!process_gone(pid) && group_of(pid) == leader) ::kill(pid, SIGKILL);
    }
  }

  rig() {
    const fs::path script = dir.write_file("fake-host", fake_host_script(dir.path()));
    fs::permissions(script, fs::perms::owner_all);
    table = std::make_unique<host_table>(
        host_table::options{script.string(), dir.ipc_endpoint("control.sock"), std::chrono::milliseconds(1000)},
        runtime, nullptr, events, *log);
  }

  host_record& start(const std::string& behaviour, const std::string& group = "", int slot = -1,
                     titan::spawn_options o = {}) {
    host_record& r = table->start(behaviour, o, group, slot);
    started.emplace_back(r.info.id, r.info.pid);
    return r;
  }
  // A host started another way (start_host), for the sweep at the end.
  std::uint64_t track(std::uint64_t id) {
    started.emplace_back(id, table->find(id)->info.pid);
    return id;
  }
  // Waits for the host's exit fd, then reaps it as the loop does.
  bool reap(host_record& r, std::chrono::milliseconds timeout = 20s) {
    const int fd = r.exit_fd();
    if (fd < 0) return false;
    pollfd p{fd, POLLIN, 0};
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    for (;;) {
      const auto left = std::chrono::ceil<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
      if (left.count() <= 0) return false;
      const int n = ::poll(&p, 1, static_cast<int>(left.count()));
      if (n == 1) break;
      if (n < 0 && errno != EINTR) return false;
    }
    table->on_exit(r);
    return !r.alive();
  }
  bool armed(const host_record& r) const {
    return poll_until([&] { return fs::exists(dir / ("armed-" + std::to_string(r.info.id))); });
  }
  control::ready_report ready_of(const host_record& r, const std::string& name = "svc") const {
    control::ready_report rep;
    rep.id = std::to_string(r.info.id);
    rep.name = name;
    rep.service = "demo.Svc";
    rep.version = "1.0.0";
    rep.pid = r.info.pid;
    rep.endpoints = {"ipc:///run/host-" + rep.id + ".sock"};
    return rep;
  }
  control::failed_report failed_of(const host_record& r, int code, const std::string& message) const {
    control::failed_report f;
    f.id = std::to_string(r.info.id);
    f.pid = r.info.pid;
    f.exit_code = code;
    f.message = message;
    return f;
  }
};

// The start's outcome once it settled; nullopt while it has not.
std::optional<titan::Error> start_error(std::future<titan::process_info>& f) {
  if (f.wait_for(0s) != std::future_status::ready) return std::nullopt;
  return expect_error([&] { return f.get(); });
}

std::future<titan::process_info> waited(host_record& r) {
  r.ready.emplace();
  return r.ready->get_future();
}

}  // namespace

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
