// spawn_child: where a child's stdout and stderr go, its environment
// (extended or replaced), its process group and its signal mask.
#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cerrno>
#include <cstdlib>
#include <string>
#include <utility>
#include <vector>

#include "process/child_spawn.hpp"
#include "expect_error.hpp"
#include "titan/detail/unique_fd.hpp"

using titan::detail::child_options;
using titan::detail::spawn_child;
using titan::detail::unique_fd;

namespace {

struct test_pipe {
  unique_fd read_end, write_end;
  test_pipe() {
    int fds[2];
    REQUIRE(::pipe2(fds, O_CLOEXEC) == 0);
    read_end.reset(fds[0]);
    write_end.reset(fds[1]);
  }
};

// Everything until EOF (every writer gone).
std::string read_all(const unique_fd& fd) {
  std::string out;
  char buf[4096];
  for (ssize_t n; (n = ::read(fd.get(), buf, sizeof buf)) != 0;) {
    if (n < 0 && errno == EINTR) continue;
    REQUIRE(n > 0);
    out.append(buf, static_cast<std::size_t>(n));
  }
  return out;
}

int reap(pid_t pid) {
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  return status;
}

// Runs `script` under /bin/sh with `o` (its stdout to a pipe unless `o`
// says where); returns what it printed there and its wait status.
std::pair<std::string, int> run_sh(const std::string& script, child_options o = {}) {
  test_pipe out;
  if (o.stdout_fd == child_options::dev_null) o.stdout_fd = out.write_end.get();
  const pid_t pid = spawn_child("/bin/sh", {"-c", script}, o);
  out.write_end.reset();
  std::string text = read_all(out.read_end);
  return {text, reap(pid)};
}

}  // namespace

TEST_CASE("spawn_child sends stdout and stderr where it is told", "[spawn]") {
  test_pipe err;
  child_options o;
  o.stderr_fd = err.write_end.get();
  test_pipe out;
  o.stdout_fd = out.write_end.get();
  const pid_t pid = spawn_child("/bin/sh", {"-c", "echo out; echo err >&2; cat"}, o);  // cat: stdin is /dev/null
  out.write_end.reset();
  err.write_end.reset();
  CHECK(read_all(out.read_end) == "out\n");
  CHECK(read_all(err.read_end) == "err\n");
  CHECK(reap(pid) == 0);
}

TEST_CASE("spawn_child: one fd for stdout and stderr", "[spawn]") {
  child_options o;
  test_pipe p;
  o.stdout_fd = o.stderr_fd = p.write_end.get();
  const pid_t pid = spawn_child("/bin/sh", {"-c", "echo out; echo err >&2"}, o);
  p.write_end.reset();
  CHECK(read_all(p.read_end) == "out\nerr\n");
  CHECK(reap(pid) == 0);
}

TEST_CASE("spawn_child extends the environment, or replaces it", "[spawn]") {
  // Names of this test's own.
  ::setenv("TITAN_SPAWN_TEST", "old", 1);
  ::setenv("TITAN_SPAWN_KEPT", "kept", 1);
  child_options o;
  o.env = {"TITAN_SPAWN_TEST=new", "TITAN_SPAWN_EXTRA=1"};
  const std::string script = "echo \"${TITAN_SPAWN_TEST:-unset} ${TITAN_SPAWN_EXTRA:-unset} ${TITAN_SPAWN_KEPT:-unset}\"";
  auto [extended, status] = run_sh(script, o);
  o.replace_env = true;
  o.env = {"TITAN_SPAWN_EXTRA=2"};
  auto [replaced, replaced_status] = run_sh(script, o);
  ::unsetenv("TITAN_SPAWN_TEST");
  ::unsetenv("TITAN_SPAWN_KEPT");
  CHECK(extended == "new 1 kept\n");  // ours replace the same names; the rest is inherited
  CHECK(status == 0);
  CHECK(replaced == "unset 2 unset\n");
  CHECK(replaced_status == 0);
}

TEST_CASE("spawn_child: its own process group, or ours", "[spawn]") {
  for (const bool own : {true, false}) {
    child_options o;
    o.own_group = own;
    const pid_t pid = spawn_child("/bin/sleep", {"30"}, o);
    const pid_t group = ::getpgid(pid);
    ::kill(pid, SIGKILL);
    reap(pid);
    CHECK(group == (own ? pid : ::getpgrp()));
  }
}

TEST_CASE("spawn_child: no signal blocked or ignored by us reaches the child", "[spawn]") {
  sigset_t usr1, before;
  sigemptyset(&usr1);
  sigaddset(&usr1, SIGUSR1);
  ::pthread_sigmask(SIG_BLOCK, &usr1, &before);
  struct sigaction ignore{}, old{};
  ignore.sa_handler = SIG_IGN;
  ::sigaction(SIGUSR2, &ignore, &old);
  auto [text, status] = run_sh("sed -n 's/^SigBlk:\\t//p; s/^SigIgn:\\t//p' /proc/self/status");
  ::sigaction(SIGUSR2, &old, nullptr);
  ::pthread_sigmask(SIG_SETMASK, &before, nullptr);
  REQUIRE(status == 0);
  const std::size_t nl = text.find('\n');
  REQUIRE(nl != std::string::npos);
  // Bit n-1 is signal n. (glibc's own signals 32 and 33 may show as ignored.)
  const auto blocked = std::stoull(text.substr(0, nl), nullptr, 16);
  const auto ignored = std::stoull(text.substr(nl + 1), nullptr, 16);
  CHECK((blocked & (1ull << (SIGUSR1 - 1))) == 0);
  CHECK((ignored & (1ull << (SIGUSR2 - 1))) == 0);
}

TEST_CASE("spawn_child says which program could not start", "[spawn]") {
  auto e = titan::test::expect_error([] { return spawn_child("/nonexistent/titan-spawn-test", {}, {}); });
  REQUIRE(e);
  CHECK(e->message().find("/nonexistent/titan-spawn-test") != std::string::npos);
}
