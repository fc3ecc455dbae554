// restart_window: OTP's intensity and period, measured in milliseconds
// (OTP counts whole seconds of monotonic time; see README "Supervision trees").
#include "supervision/restart_window.hpp"

#include <catch2/catch.hpp>

using titan::detail::restart_window;
using namespace std::chrono_literals;

namespace {

const restart_window::clock::time_point t0 = restart_window::clock::time_point{} + 1000h;

}  // namespace

TEST_CASE("restart_window: at most `intensity` restarts in the period", "[restart_window]") {
  restart_window w(3, 5s);
  CHECK(w.add(t0));
  CHECK(w.add(t0 + 1s));
  CHECK(w.add(t0 + 2s));
  CHECK_FALSE(w.add(t0 + 3s));  // the fourth within 5 s
  CHECK(w.count() == 4);
}

TEST_CASE("restart_window: intensity 0 refuses the first restart", "[restart_window]") {
  restart_window w(0, 5s);
  CHECK_FALSE(w.add(t0));
}

TEST_CASE("restart_window: restarts older than the period leave the window", "[restart_window]") {
  restart_window w(1, 2s);
  CHECK(w.add(t0));
  // 2.6 s later: out of a 2 s window. OTP, counting whole seconds, may
  // count both (0.0 s and 2.6 s are seconds 0 and 2, 2 apart).
  CHECK(w.add(t0 + 2600ms));
  CHECK(w.count() == 1);
  CHECK(w.add(t0 + 5200ms));
  CHECK(w.add(t0 + 7800ms));
}

TEST_CASE("restart_window: the window's edge is inclusive, to the millisecond", "[restart_window]") {
  SECTION("exactly `period` apart: both are in the window") {
    restart_window w(1, 2s);
    CHECK(w.add(t0));
    CHECK_FALSE(w.add(t0 + 2000ms));
  }
  SECTION("one millisecond more: the first has left") {
    restart_window w(1, 2s);
    CHECK(w.add(t0));
    CHECK(w.add(t0 + 2001ms));
  }
  SECTION("milliseconds, not seconds: 1999 ms and 2001 ms after a restart differ") {
    restart_window w(2, 2s);
    CHECK(w.add(t0));
    CHECK(w.add(t0 + 1999ms));
    CHECK(w.add(t0 + 4000ms));  // t0 left (4000 > 2000); 1999 is 2001 ms back: left too
    CHECK(w.count() == 1);
  }
}

TEST_CASE("restart_window: a sliding window, not fixed buckets", "[restart_window]") {
  restart_window w(2, 10s);
  CHECK(w.add(t0));
  CHECK(w.add(t0 + 9s));
  CHECK_FALSE(w.add(t0 + 10s));  // t0, 9 s and 10 s are all within 10 s of each other
  restart_window v(2, 10s);
  CHECK(v.add(t0));
  CHECK(v.add(t0 + 9s));
  CHECK(v.add(t0 + 10001ms));  // t0 has left
}

TEST_CASE("restart_window: unlimited never gives up and keeps no history", "[restart_window]") {
  restart_window w(restart_window::unlimited, 1s);
  for (int i = 0; i < 1000; ++i) CHECK(w.add(t0));
  CHECK(w.count() == 0);
  CHECK(w.intensity() == restart_window::unlimited);
  CHECK(w.period() == 1s);
}
