// host_table with a fake titan-host: a shell script (options.host_binary)
// whose behaviour the "plugin" argument picks, so no titan-host is needed.
// The test is the loop: it calls the loop-thread methods itself, polls a
// host's exit fd with a deadline and hands it to on_exit(). Every process
// a test starts is reaped by host_table's destructor at the latest.
// Shared by host_table_start_test.cpp and host_table_stop_test.cpp.
#pragma once

#include <poll.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <functional>
#include <future>
#include <memory>
#include <optional>
#include <sstream>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include <spdlog/sinks/null_sink.h>
#include <spdlog/spdlog.h>

#include "expect_error.hpp"
#include "process/host_table.hpp"
#include "process/runtime_dir.hpp"
#include "manager_support.hpp"
#include "temp_dir.hpp"

namespace titan::test::host_table_fixture {

using detail::host_events;
using detail::host_record;
using detail::host_table;
namespace fs = std::filesystem;
using namespace std::chrono_literals;

// The fake host. Its second argument (--plugin's value) says what it does:
//   exit-N  exits with code N at once (before any READY)
//   serve   stays up: writes DIR/armed-ID once its TERM trap is set, exits 0
//           on SIGTERM, and leaves a `sleep` grandchild in its group
//   args    writes its arguments to DIR/args-ID, one a line, and exits 0
inline std::string fake_host_script(const fs::path& dir) {
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

inline std::shared_ptr<spdlog::logger> quiet() {
  return std::make_shared<spdlog::logger>("host_table_test", std::make_shared<spdlog::sinks::null_sink_mt>());
}

// tests/support's, with this suite's patience.
inline bool poll_until(const std::function<bool()>& done, std::chrono::milliseconds timeout = 20s) {
  return titan::test::poll_until(done, timeout);
}

inline std::size_t open_fds() {
  std::size_t n = 0;
  for ([[maybe_unused]] const auto& e : fs::directory_iterator("/proc/self/fd")) ++n;
  return n;
}

// Gone, or a zombie nobody here can reap (a grandchild reparented away).
inline bool process_gone(pid_t pid) {
  if (::kill(pid, 0) != 0 && errno == ESRCH) return true;
  std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
  std::string line;
  if (!std::getline(stat, line)) return true;
  auto close = line.rfind(')');
  return close != std::string::npos && line.compare(close + 2, 1, "Z") == 0;
}

// Its process group (/proc/PID/stat field 5); 0 when it is gone.
inline pid_t group_of(pid_t pid) {
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
inline std::optional<titan::Error> start_error(std::future<titan::process_info>& f) {
  if (f.wait_for(0s) != std::future_status::ready) return std::nullopt;
  return expect_error([&] { return f.get(); });
}

inline std::future<titan::process_info> waited(host_record& r) {
  r.ready.emplace();
  return r.ready->get_future();
}

}  // namespace titan::test::host_table_fixture
