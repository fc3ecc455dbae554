// process_stats: CPU share and resident memory from /proc, read for this
// very test process and for a pid that cannot exist.
#include <sys/prctl.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <fstream>
#include <sstream>
#include <string>

#include "process/process_stats.hpp"

using titan::detail::process_stats;
using titan::detail::resident_bytes;
using namespace std::chrono_literals;

namespace {

// A pid no process can have: pids stay below /proc/sys/kernel/pid_max.
pid_t impossible_pid() {
  std::ifstream f("/proc/sys/kernel/pid_max");
  long max = 0;
  f >> max;
  REQUIRE(max > 0);
  return static_cast<pid_t>(max);
}

// This process's utime + stime in clock ticks, read independently of the code under test.
std::uint64_t own_ticks() {
  std::ifstream f("/proc/self/stat");
  std::string line;
  std::getline(f, line);
  std::istringstream rest(line.substr(line.rfind(')') + 2));
  std::string field;
  std::uint64_t ticks = 0;
  for (int i = 3; i <= 15 && rest >> field; ++i)
    if (i == 14 || i == 15) ticks += std::stoull(field);
  return ticks;
}

// Spends CPU until this process's tick count has grown by `n` (or 30 s passed).
void burn_ticks(std::uint64_t n) {
  const auto start = own_ticks();
  const auto deadline = std::chrono::steady_clock::now() + 30s;
  volatile std::uint64_t x = 0;
  while (own_ticks() < start + n && std::chrono::steady_clock::now() < deadline)
    for (int i = 0; i < 100000; ++i) x = x + i;
}

// Renames this process (its main thread) for the scope; /proc/PID/stat shows the name in parentheses.
struct process_name {
  char saved[17] = {};
  explicit process_name(const char* name) {
    ::prctl(PR_GET_NAME, saved);
    ::prctl(PR_SET_NAME, name);
  }
  ~process_name() { ::prctl(PR_SET_NAME, saved); }
};

// Two samples of this process around some CPU spent: the second one's
// share must lie between what the ticks and times measured outside the
// calls allow (each call reads its ticks and its clock within our brackets),
// whatever the machine's load.
void check_share_between_samples(process_stats& stats, std::uint64_t id) {
  using clk = process_stats::clock;
  const auto up = clk::now();
  const auto a0 = clk::now();
  const double ta0 = static_cast<double>(own_ticks());
  CHECK_NOTHROW(stats.read(id, ::getpid(), up));
  const double ta1 = static_cast<double>(own_ticks());
  const auto a1 = clk::now();
  burn_ticks(10);
  const auto b0 = clk::now();
  const double tb0 = static_cast<double>(own_ticks());
  process_stats::sample s;
  CHECK_NOTHROW(s = stats.read(id, ::getpid(), up));
  const double tb1 = static_cast<double>(own_ticks());
  const auto b1 = clk::now();

  const double hz = static_cast<double>(::sysconf(_SC_CLK_TCK));
  auto seconds = [](clk::duration d) { return std::chrono::duration<double>(d).count(); };
  const double low = 100.0 * (tb0 - ta1) / hz / seconds(b1 - a0);
  const double high = 100.0 * (tb1 - ta0) / hz / seconds(b0 - a1);
  INFO("cpu_percent " << s.cpu_percent << " must be within [" << low << ", " << high << "]");
  CHECK(low > 0);
  CHECK(s.cpu_percent >= low * (1 - 1e-9));
  CHECK(s.cpu_percent <= high * (1 + 1e-9));
}

}  // namespace

TEST_CASE("reading this test's own pid gives its resident memory", "[process_stats]") {
  process_stats stats;
  const auto s = stats.read(1, ::getpid(), process_stats::clock::now() - 1s);
  CHECK(s.rss_bytes > 0);
  CHECK(s.rss_bytes % static_cast<std::uint64_t>(::sysconf(_SC_PAGESIZE)) == 0);
  CHECK(s.cpu_percent >= 0);
  CHECK(resident_bytes(::getpid()) > 0);
}

TEST_CASE("a pid that does not exist gives zeros", "[process_stats]") {
  process_stats stats;
  for (pid_t pid : {impossible_pid(), pid_t{0}, pid_t{-1}}) {
    INFO("pid " << pid);
    const auto s = stats.read(2, pid, process_stats::clock::now() - 1s);
    CHECK(s.rss_bytes == 0);
    CHECK(s.cpu_percent == 0);
    CHECK(resident_bytes(pid) == 0);
  }
}

TEST_CASE("the CPU share is the ticks spent since the previous sample over the time between them",
          "[process_stats]") {
  process_stats stats;
  check_share_between_samples(stats, 3);
  stats.forget(3);
  stats.forget(99);  // unknown: harmless
  check_share_between_samples(stats, 3);  // forgotten: a first sample again
}

TEST_CASE("a process name with spaces and parentheses does not confuse /proc/PID/stat parsing", "[process_stats]") {
  process_name renamed("x) y (z 1 2");  // what a cut at the first ')' would misread
  process_stats stats;
  check_share_between_samples(stats, 4);
  CHECK(stats.read(4, ::getpid(), process_stats::clock::now()).rss_bytes > 0);
}
