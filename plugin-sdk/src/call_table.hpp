// The calls a client has in flight, indexed by call id. Ids are handed out
// in sequence, so a power-of-two ring indexed by `id & mask` finds a call
// without hashing or a per-call allocation; the ring doubles when an id
// lands on a slot that is still taken.
#pragma once

#include <chrono>
#include <cstdint>
#include <deque>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <zmq.hpp>

#include "stream_credit.hpp"
#include "titan/status.hpp"

namespace titan::detail {

enum class call_state : std::uint8_t { unsent, sent, replied, failed };

class member_link;

// What a streaming call has besides a call's fields.
struct stream_state {
  bool output = false;
  bool input = false;
  stream_credit credit;                  // what we let the host send ahead of the reader
  std::uint64_t input_credit = 0;        // input items the host can take now
  std::deque<zmq::message_t> items;      // received, not yet read
};

struct call_slot {
  std::uint64_t id = 0;  // 0: free
  call_state state = call_state::unsent;
  std::chrono::steady_clock::time_point deadline;
  std::uint64_t deadline_ms = 0;  // as sent on the wire; 0 = none
  std::string method;             // for error messages; its capacity is reused
  bool idempotent = false;
  std::optional<std::uint64_t> key_hash;
  member_link* member = nullptr;  // where it was sent (or queued to be sent)
  zmq::message_t retry_body;      // a copy of the arguments, to send an idempotent call again
  zmq::message_t body;            // the REPLY body once replied
  status_code code = status_code::ok;
  std::string error;
  std::unique_ptr<stream_state> stream;  // a streaming call
};

class call_table {
 public:
  call_table() : slots_(64) {}

  call_slot* find(std::uint64_t id) {
    call_slot& s = slots_[id & (slots_.size() - 1)];
    return s.id == id ? &s : nullptr;
  }

  call_slot& insert(std::uint64_t id) {
    while (slots_[id & (slots_.size() - 1)].id != 0) grow();
    call_slot& s = slots_[id & (slots_.size() - 1)];
    s.id = id;
    s.state = call_state::unsent;
    s.code = status_code::ok;
    return s;
  }

  void erase(call_slot& s) {
    s.id = 0;
    s.member = nullptr;
    s.body.rebuild(0);
    s.retry_body.rebuild(0);
    s.error.clear();
    s.stream.reset();
  }

  template <class F>
  void for_each(F&& f) {
    for (auto& s : slots_)
      if (s.id != 0) f(s);
  }

 private:
  void grow() {
    // The smallest doubling in which every live call has a slot of its own.
    std::size_t size = slots_.size() * 2;
    for (;;) {
      std::vector<bool> used(size);
      bool fits = true;
      for (const auto& s : slots_) {
        if (s.id == 0) continue;
        if (used[s.id & (size - 1)]) {
          fits = false;
          break;
        }
        used[s.id & (size - 1)] = true;
      }
      if (fits) break;
      size *= 2;
    }
    std::vector<call_slot> bigger(size);
    for (auto& s : slots_)
      if (s.id != 0) bigger[s.id & (size - 1)] = std::move(s);
    slots_.swap(bigger);
  }

  std::vector<call_slot> slots_;
};

}  // namespace titan::detail
