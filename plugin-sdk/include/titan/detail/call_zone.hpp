// The msgpack zone a trampoline decodes a call's arguments into.
#pragma once

#include <optional>

#include <msgpack.hpp>

namespace titan::detail {

// One zone per thread, cleared and reused call after call, so that a call
// allocates nothing for its arguments (clear() keeps the zone's first chunk).
// A call dispatched from inside another one on the same thread gets a zone
// of its own, so the outer call's arguments stay intact.
class call_zone {
 public:
  call_zone() : shared_(per_thread()) {
    if (!shared_.busy) {
      shared_.busy = true;
      zone_ = &shared_.zone;
    } else {
      zone_ = &own_.emplace();
    }
  }
  ~call_zone() {
    if (zone_ == &shared_.zone) {
      shared_.zone.clear();
      shared_.busy = false;
    }
  }
  call_zone(const call_zone&) = delete;
  call_zone& operator=(const call_zone&) = delete;

  msgpack::zone& get() noexcept { return *zone_; }

 private:
  struct thread_zone {
    msgpack::zone zone;
    bool busy = false;
  };
  static thread_zone& per_thread() {
    thread_local thread_zone z;
    return z;
  }

  thread_zone& shared_;
  std::optional<msgpack::zone> own_;
  msgpack::zone* zone_;
};

}  // namespace titan::detail
