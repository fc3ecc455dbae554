// health_monitor: judges hosts by the time the caller gives it (no clock of
// its own, no sleeping here), the heartbeats it is fed and a memory reader.
#include <algorithm>
#include <catch2/catch.hpp>
#include <chrono>
#include <cstdint>
#include <map>
#include <vector>

#include "health/health_monitor.hpp"

using titan::detail::health_monitor;
using namespace std::chrono_literals;

namespace {

using clock_type = health_monitor::clock;
constexpr std::uint64_t MiB = 1024 * 1024;

// Any fixed instant: the monitor must not care what the real time is.
const clock_type::time_point t0 = clock_type::time_point{} + 1000h;

// A memory reader that answers from a table and counts what it was asked.
struct fake_memory {
  std::map<pid_t, std::uint64_t> rss;
  std::vector<pid_t> asked;
  health_monitor::memory_reader reader() {
    return [this](pid_t pid) {
      asked.push_back(pid);
      auto it = rss.find(pid);
      return it == rss.end() ? std::uint64_t{0} : it->second;
    };
  }
};

health_monitor::options beating(std::chrono::milliseconds heartbeat, unsigned liveness = 3) {
  return {heartbeat, liveness};
}

}  // namespace

TEST_CASE("a host that beats is never judged", "[health]") {
  fake_memory mem;
  health_monitor m(beating(100ms), mem.reader());
  m.watch(1, 1001, 0, t0);
  for (auto now = t0; now < t0 + 60s; now += 100ms) {
    m.beat(1, now);
    INFO("at t0 + " << std::chrono::duration_cast<std::chrono::milliseconds>(now - t0).count() << " ms");
    REQUIRE(m.check(now + 99ms).empty());
  }
}

TEST_CASE("a host silent for more than heartbeat * liveness is judged once, with how long", "[health]") {
  fake_memory mem;
  health_monitor m(beating(100ms, 3), mem.reader());
  m.watch(7, 1007, 0, t0);
  m.watch(8, 1008, 0, t0);  // beats throughout
  m.beat(7, t0 + 50ms);
  m.beat(8, t0 + 250ms);
  CHECK(m.check(t0 + 350ms).empty());  // exactly 3 heartbeats since its last: not yet

  const auto verdicts = m.check(t0 + 351ms);
  REQUIRE(verdicts.size() == 1);
  CHECK(verdicts[0].id == 7);
  CHECK_THAT(verdicts[0].reason, Catch::StartsWith("no heartbeat for 301 ms"));

  // Judged once: it is forgotten, however long it stays silent.
  m.beat(8, t0 + 400ms);
  CHECK(m.check(t0 + 500ms).empty());
  m.beat(8, t0 + 5s);
  CHECK(m.check(t0 + 5s).empty());
  // A late heartbeat of a judged host does not bring it back.
  m.beat(7, t0 + 5s);
  m.beat(8, t0 + 10s);
  CHECK(m.check(t0 + 10s).empty());
}

TEST_CASE("silence is counted from watch() when a host has not beaten yet", "[health]") {
  fake_memory mem;
  health_monitor m(beating(1000ms, 2), mem.reader());
  m.watch(3, 1003, 0, t0 + 10s);
  CHECK(m.check(t0 + 12s).empty());
  const auto v = m.check(t0 + 12s + 1ms);
  REQUIRE(v.size() == 1);
  CHECK(v[0].id == 3);
  CHECK_THAT(v[0].reason, Catch::StartsWith("no heartbeat for 2001 ms"));
}

TEST_CASE("heartbeat 0 disables the heartbeat check", "[health]") {
  fake_memory mem;
  health_monitor m(beating(0ms), mem.reader());
  m.watch(1, 1001, 0, t0);
  CHECK(m.check(t0 + 1h).empty());
  CHECK(m.check(t0 + 24h).empty());
  CHECK(m.next_check() > t0 + 24h);  // it still moves on (memory limits need it)
}

TEST_CASE("memory above max_memory gives a verdict naming both sizes", "[health]") {
  fake_memory mem;
  mem.rss[2002] = 300 * MiB;
  mem.rss[2003] = 256 * MiB;  // exactly at its limit: fine
  health_monitor m(beating(1000ms), mem.reader());
  m.watch(2, 2002, 256 * MiB, t0);
  m.watch(3, 2003, 256 * MiB, t0);
  const auto v = m.check(t0 + 1ms);
  REQUIRE(v.size() == 1);
  CHECK(v[0].id == 2);
  CHECK_THAT(v[0].reason, Catch::Contains("300 MB") && Catch::Contains("256 MB") && Catch::Contains("max_memory"));
  CHECK(std::count(mem.asked.begin(), mem.asked.end(), 2002) == 1);  // by its pid
  // Judged once.
  mem.asked.clear();
  CHECK(m.check(t0 + 2ms).empty());
  CHECK(std::count(mem.asked.begin(), mem.asked.end(), 2002) == 0);
}

TEST_CASE("memory is checked with heartbeats disabled too", "[health]") {
  fake_memory mem;
  mem.rss[2002] = 2 * MiB;
  health_monitor m(beating(0ms), mem.reader());
  m.watch(2, 2002, 1 * MiB, t0);
  const auto v = m.check(t0);
  REQUIRE(v.size() == 1);
  CHECK_THAT(v[0].reason, Catch::Contains("2 MB") && Catch::Contains("1 MB"));
}

TEST_CASE("max_memory 0 never reads memory", "[health]") {
  fake_memory mem;
  mem.rss[3003] = 100000 * MiB;
  health_monitor m(beating(100ms), mem.reader());
  m.watch(3, 3003, 0, t0);
  for (auto now = t0; now < t0 + 2s; now += 50ms) {
    m.beat(3, now);
    CHECK(m.check(now).empty());
  }
  CHECK(mem.asked.empty());
}

TEST_CASE("forget() stops judging a host", "[health]") {
  fake_memory mem;
  mem.rss[4004] = 10 * MiB;
  health_monitor m(beating(100ms), mem.reader());
  m.watch(4, 4004, 1 * MiB, t0);  // over its memory and about to be silent
  m.watch(5, 4005, 0, t0);
  m.forget(4);
  m.forget(99);  // unknown: harmless
  const auto v = m.check(t0 + 1h);
  REQUIRE(v.size() == 1);
  CHECK(v[0].id == 5);
  CHECK(mem.asked.empty());
  m.beat(4, t0 + 1h);  // a beat does not bring a forgotten host back
  CHECK(m.check(t0 + 2h).empty());
}

TEST_CASE("watch() again restarts a host's silence (a replacement with the same id)", "[health]") {
  fake_memory mem;
  health_monitor m(beating(100ms), mem.reader());
  m.watch(6, 6006, 0, t0);
  m.watch(6, 6007, 0, t0 + 10s);
  CHECK(m.check(t0 + 10s + 300ms).empty());
  CHECK(m.check(t0 + 10s + 301ms).size() == 1);
}

TEST_CASE("next_check() moves forward with each check, at least twice per heartbeat", "[health]") {
  fake_memory mem;
  health_monitor m(beating(100ms), mem.reader());
  m.watch(1, 1001, 0, t0);
  auto now = t0;
  for (int i = 0; i < 50; ++i) {
    m.beat(1, now);
    m.check(now);
    const auto next = m.next_check();
    INFO("check " << i);
    REQUIRE(next > now);
    REQUIRE(next <= now + 50ms);  // a silent host is seen within half an interval of its limit
    now = next;
  }

  health_monitor slow(beating(10s), mem.reader());
  slow.check(t0);
  CHECK(slow.next_check() > t0);
  CHECK(slow.next_check() <= t0 + 1s);  // memory limits are still looked at often

  health_monitor fast(beating(1ms), mem.reader());
  fast.check(t0);
  CHECK(fast.next_check() > t0);  // never a busy loop
}
