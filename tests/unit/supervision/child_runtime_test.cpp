// child_runtime: backoff_delay (the wait before each restart) and the
// states `ps` shows.
#include "supervision/child_runtime.hpp"

#include <catch2/catch.hpp>

using titan::backoff_spec;
using titan::detail::backoff_delay;
using titan::detail::child_status;
using namespace std::chrono_literals;

TEST_CASE("child_runtime: backoff_delay: none for the first restart, then base growing by factor",
          "[child_runtime][backoff]") {
  const backoff_spec b{};  // 100 ms, x1.5, at most 5 s
  CHECK(backoff_delay(b, 0) == 0ms);
  CHECK(backoff_delay(b, 1) == 0ms);
  CHECK(backoff_delay(b, 2) == 100ms);
  CHECK(backoff_delay(b, 3) == 150ms);
  CHECK(backoff_delay(b, 4) == 225ms);
  CHECK(backoff_delay(b, 5) == 337ms);  // 337.5, truncated
}

TEST_CASE("child_runtime: backoff_delay: capped at max, for any number of failures", "[child_runtime][backoff]") {
  const backoff_spec b{.base = 100ms, .factor = 2.0, .max = 1s};
  CHECK(backoff_delay(b, 5) == 800ms);
  CHECK(backoff_delay(b, 6) == 1s);
  CHECK(backoff_delay(b, 7) == 1s);
  CHECK(backoff_delay(b, 1000) == 1s);
  CHECK(backoff_delay(b, 4000000000u) == 1s);  // no overflow, no endless loop
}

TEST_CASE("child_runtime: backoff_delay: factor 1 waits base every time", "[child_runtime][backoff]") {
  const backoff_spec b{.base = 500ms, .factor = 1.0, .max = 500ms};
  for (unsigned f = 2; f < 20; ++f) CHECK(backoff_delay(b, f) == 500ms);
}

TEST_CASE("child_runtime: backoff_delay: none() restarts at once, every time, as OTP does",
          "[child_runtime][backoff]") {
  const backoff_spec b = backoff_spec::none();
  CHECK(b.is_none());
  CHECK_FALSE(backoff_spec{}.is_none());
  for (unsigned f = 0; f < 50; ++f) CHECK(backoff_delay(b, f) == 0ms);
}

TEST_CASE("child_runtime: the sum of the default backoff over 9 failed starts stays inside a 5 s period",
          "[child_runtime][backoff]") {
  // Why a child under 10/5s that cannot start for 6 s comes back under
  // Titan but makes OTP give up: restarts 1 to 10 are spread over 4.9 s,
  // and the 10th attempt is at 7.5 s (see supervisor_node_intensity_test).
  const backoff_spec b{};
  std::chrono::milliseconds at{0};
  std::vector<long> attempts;
  for (unsigned f = 1; f <= 10; ++f) {
    at += backoff_delay(b, f);
    attempts.push_back(static_cast<long>(at.count()));
  }
  CHECK(attempts == std::vector<long>{0, 100, 250, 475, 812, 1318, 2077, 3216, 4924, 7486});
}

TEST_CASE("child_runtime: child_status names are what ps shows", "[child_runtime]") {
  CHECK(to_string(child_status::stopped) == "stopped");
  CHECK(to_string(child_status::starting) == "starting");
  CHECK(to_string(child_status::running) == "running");
  CHECK(to_string(child_status::stopping) == "stopping");
  CHECK(to_string(child_status::restarting) == "restarting");
  CHECK(to_string(child_status::errored) == "errored");
}
