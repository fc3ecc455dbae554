// OTP's restart intensity: at most `intensity` restarts in any window of
// `period`. A restart past that makes the supervisor give up.
#pragma once

#include <chrono>
#include <deque>
#include <limits>

namespace titan::detail {

class restart_window {
 public:
  using clock = std::chrono::steady_clock;
  static constexpr unsigned unlimited = std::numeric_limits<unsigned>::max();

  restart_window(unsigned intensity, std::chrono::milliseconds period) : intensity_(intensity), period_(period) {}

  // Records a restart at `now`; false when it is one too many.
  bool add(clock::time_point now) {
    if (intensity_ == unlimited) return true;
    times_.push_back(now);
    while (!times_.empty() && now - times_.front() > period_) times_.pop_front();
    return times_.size() <= intensity_;
  }
  std::size_t count() const { return times_.size(); }
  unsigned intensity() const { return intensity_; }
  std::chrono::milliseconds period() const { return period_; }

 private:
  unsigned intensity_;
  std::chrono::milliseconds period_;
  std::deque<clock::time_point> times_;
};

}  // namespace titan::detail
