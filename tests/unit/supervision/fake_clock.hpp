// The time the engine under test sees: it stands still until the test moves
// it (engine_world::run_for), so a test never depends on how fast it runs.
#pragma once

#include <chrono>

namespace titan::test::engine {

class fake_clock {
 public:
  using clock = std::chrono::steady_clock;

  // Far from a steady_clock epoch of zero: the engine uses a zero
  // time_point to mean "never" (a child that was never up).
  fake_clock() : now_(clock::time_point{} + std::chrono::hours(1000)) {}

  clock::time_point now() const { return now_; }
  void set(clock::time_point t) {
    if (t > now_) now_ = t;
  }
  // Milliseconds since the clock was made: what tests compare.
  long elapsed_ms() const {
    return static_cast<long>(std::chrono::duration_cast<std::chrono::milliseconds>(now_ - start_).count());
  }
  long ms_of(clock::time_point t) const {
    return static_cast<long>(std::chrono::duration_cast<std::chrono::milliseconds>(t - start_).count());
  }

 private:
  clock::time_point now_;
  const clock::time_point start_ = now_;
};

}  // namespace titan::test::engine
