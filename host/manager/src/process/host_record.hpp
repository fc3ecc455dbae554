// One host the manager started or adopted: what `ps` shows of it (`info`)
// and the bookkeeping of its start and its end. Owned by host_table. The
// loop thread reads and writes every field; API threads read `info` only,
// under host_table's mutex (so the loop writes `info` under it too).
#pragma once

#include <chrono>
#include <cstdint>
#include <future>
#include <memory>
#include <optional>
#include <string>

#include "process/child_process.hpp"
#include "titan/detail/unique_fd.hpp"
#include "titan/process_manager.hpp"

namespace titan::detail {

struct host_record {
  using clock = std::chrono::steady_clock;

  process_info info;
  std::unique_ptr<child_process> child;  // null for an adopted host
  unique_fd adopted_pidfd;               // an adopted host's, until it exits (its parent reaps it)

  // Its start, until READY or a failure.
  std::optional<std::promise<process_info>> ready;  // set until READY or failure
  std::string failure;                              // the host's own `$failed` message
  int exit_code = -1;                               // once it exited before READY
  std::optional<clock::time_point> explain_by;      // until then its `$failed` may still come
  bool abandoned = false;  // given up on before READY (killed): a late READY is ignored

  int slot = -1;                  // pool slot, -1 when not in a pool
  bool supervised = false;        // started by the supervision engine, which hears of its READY and exit
  bool intentional_stop = false;  // stopped by the manager: a normal exit
  bool unlisted = false;          // alive but out of its membership (a reload's new host
                                  // before the switch, or the old one after it)
  bool stateful = false;          // its plugin hands state over on a reload (snapshot())
  std::string kill_reason;        // killed by the manager for a fault (hung, memory): an abnormal exit
  std::uint64_t max_memory = 0;   // bytes; 0 = no limit
  clock::time_point up_since;

  bool alive() const { return info.state != process_state::exited; }
  // What clients of its name call: a host that serves and is listed.
  bool listed() const { return info.state == process_state::running && !unlisted && !info.endpoint.empty(); }
  // Readable once it exited; -1 when there is nothing to watch.
  int exit_fd() const { return child ? child->pidfd() : adopted_pidfd.get(); }
  // Its key in the membership: a pool slot keeps its key across restarts,
  // so consistent hashing sends the same keys to its replacement.
  std::string member_key() const {
    return slot >= 0 ? info.group + "#" + std::to_string(slot) : info.group + "@" + std::to_string(info.id);
  }
};

}  // namespace titan::detail
