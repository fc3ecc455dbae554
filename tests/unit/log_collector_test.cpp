// log_collector: real children's stdout and stderr captured through pipes
// into rotating files, nothing lost when they exit.
#include <poll.h>
#include <signal.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <thread>

#include <spdlog/sinks/null_sink.h>
#include <spdlog/spdlog.h>

#include "process/child_process.hpp"
#include "expect_error.hpp"
#include "logs/log_collector.hpp"
#include "temp_dir.hpp"

using titan::detail::child_process;
using titan::detail::log_collector;
using titan::detail::unique_fd;
using titan::test::read_file;
using titan::test::temp_dir;

namespace {

std::shared_ptr<spdlog::logger> quiet() {
  return std::make_shared<spdlog::logger>("test", std::make_shared<spdlog::sinks::null_sink_mt>());
}

// Polls `done` until it holds or a generous deadline passes.
bool eventually(const std::function<bool()>& done) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (!done()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return true;
}

// Starts `script` under /bin/sh with its output going to the collector,
// as the manager does: the parent closes its copy of the write end.
std::unique_ptr<child_process> start(log_collector& c, const std::string& name, const std::string& script) {
  unique_fd w = c.open_pipe(name);
  auto child = std::make_unique<child_process>("/bin/sh", std::vector<std::string>{"-c", script},
                                               std::vector<std::string>{}, w.get());
  w.reset();
  return child;
}

int wait_exit(child_process& child) {
  pollfd p{child.pidfd(), POLLIN, 0};
  while (::poll(&p, 1, -1) < 0) {
  }
  return *child.try_reap();
}

// What `yes LINE | head -c N` prints.
std::string yes_head(const std::string& line, std::size_t n) {
  std::string s;
  while (s.size() < n) s += line + "\n";
  s.resize(n);
  return s;
}

}  // namespace

TEST_CASE("log_collector writes a child's stdout and stderr to NAME.log", "[logs]") {
  temp_dir dir;
  const auto logs = dir / "var/log/titan";  // created, parents too
  log_collector c(logs.string(), 1 << 20, 3, quiet());
  CHECK(c.path_for("svc") == (logs / "svc.log").string());
  CHECK(c.path_for("a/b") == (logs / "a_b.log").string());

  auto child = start(c, "svc", "echo out; echo err >&2");
  CHECK(wait_exit(*child) == 0);
  REQUIRE(eventually([&] { return c.open_pipes() == 0; }));  // EOF: all of it is written
  const std::string text = read_file(logs / "svc.log");
  CHECK(text.find("out\n") != std::string::npos);
  CHECK(text.find("err\n") != std::string::npos);
  using std::filesystem::perms;
  CHECK((std::filesystem::status(logs).permissions() & (perms::others_all | perms::group_write)) == perms::none);
}

TEST_CASE("log_collector keeps every byte of a burst across rotations", "[logs]") {
  temp_dir dir;
  constexpr std::size_t total = 5u << 20;
  constexpr std::uint64_t max_size = 256u << 10;
  constexpr unsigned files = 40;  // room for all of it: nothing is deleted
  log_collector c(dir.path().string(), max_size, files, quiet());

  auto child = start(c, "burst", "yes 0123456789abcdef | head -c " + std::to_string(total));
  CHECK(wait_exit(*child) == 0);
  REQUIRE(eventually([&] { return c.open_pipes() == 0; }));

  // Oldest first, the files hold the whole stream, in order.
  const std::string path = c.path_for("burst");
  std::string all;
  unsigned rotated = 0;
  for (unsigned i = files; i >= 1; --i) {
    const std::string p = path + "." + std::to_string(i);
    if (!std::filesystem::exists(p)) continue;
    ++rotated;
    const std::string part = read_file(p);
    CHECK(part.size() <= max_size + 16);  // at most the rest of a line it began (pipe reads split lines)
    CHECK((!part.empty() && part.back() == '\n'));  // rotated at a line boundary
    all += part;
  }
  all += read_file(path);
  CHECK(rotated >= total / max_size - 1);
  CHECK(all.size() == total);
  CHECK(all == yes_head("0123456789abcdef", total));
}

TEST_CASE("log_collector drains what a child wrote before the collector stops", "[logs]") {
  temp_dir dir;
  const std::string expected = yes_head("the last words", 32 << 10);  // fits in the pipe: the child exits at once
  std::string path;
  {
    log_collector c(dir.path().string(), 1 << 20, 3, quiet());
    path = c.path_for("dying");
    auto child = start(c, "dying", "yes 'the last words' | head -c " + std::to_string(expected.size()));
    CHECK(wait_exit(*child) == 0);
  }  // stopped at once: what is in the pipe is still written
  CHECK(read_file(path) == expected);
}

TEST_CASE("log_collector reads a pipe until every writer is gone", "[logs]") {
  temp_dir dir;
  log_collector c(dir.path().string(), 1 << 20, 3, quiet());
  // The host exits, leaving a process it started that holds the pipe and
  // writes as it ends.
  auto child = start(c, "parent",
                     "(trap 'echo grandchild bye; exit 0' TERM; echo grandchild ready; while :; do sleep 1; done) &"
                     " echo parent");
  CHECK(wait_exit(*child) == 0);
  CHECK(eventually([&] { return read_file(c.path_for("parent")).find("grandchild ready\n") != std::string::npos; }));
  CHECK(c.open_pipes() == 1);
  CHECK(child->signal_group(SIGTERM));  // the group outlives its reaped leader
  REQUIRE(eventually([&] { return c.open_pipes() == 0; }));
  const std::string text = read_file(c.path_for("parent"));
  CHECK(text.find("parent\n") != std::string::npos);
  CHECK(text.find("grandchild bye\n") != std::string::npos);
}

TEST_CASE("log_collector: pipes of one name share its file, and a new pipe appends", "[logs]") {
  temp_dir dir;
  log_collector c(dir.path().string(), 1 << 20, 3, quiet());
  auto put = [](const unique_fd& fd, const std::string& s) {
    REQUIRE(::write(fd.get(), s.data(), s.size()) == static_cast<ssize_t>(s.size()));
  };

  unique_fd old_host = c.open_pipe("svc");
  unique_fd new_host = c.open_pipe("svc");
  CHECK(c.open_pipes() == 2);
  put(old_host, "old: draining\n");
  c.flush();
  put(new_host, "new: starting\n");
  c.flush();
  old_host.reset();
  put(new_host, "new: serving\n");
  new_host.reset();
  REQUIRE(eventually([&] { return c.open_pipes() == 0; }));
  CHECK(read_file(c.path_for("svc")) == "old: draining\nnew: starting\nnew: serving\n");

  unique_fd restarted = c.open_pipe("svc");
  put(restarted, "restarted\n");
  restarted.reset();
  REQUIRE(eventually([&] { return c.open_pipes() == 0; }));
  CHECK(read_file(c.path_for("svc")) == "old: draining\nnew: starting\nnew: serving\nrestarted\n");
}

TEST_CASE("log_collector says why it cannot use its directory", "[logs]") {
  temp_dir dir;
  const auto file = dir.write_file("not-a-dir", "x");
  auto e = titan::test::expect_error([&] { return log_collector((file / "logs").string(), 1 << 20, 3, quiet()); });
  REQUIRE(e);
  CHECK(e->message().find((file / "logs").string()) != std::string::npos);
  CHECK(titan::test::expect_error([&] { return log_collector(file.string(), 1 << 20, 3, quiet()); }));
}
