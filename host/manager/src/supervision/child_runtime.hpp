// One child of a supervisor (or a pool member, or a top-level tree) while
// the tree runs: its spec, where it is in its life, and its restart record.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "titan/supervisor_spec.hpp"

namespace titan::detail {

class supervisor_node;

enum class child_status {
  stopped,     // not running and not about to be (ended, terminated, retired)
  starting,    // launched, not yet READY (or a nested tree still starting)
  running,
  stopping,    // asked to stop, not yet exited
  restarting,  // waiting out its backoff before the next start
  errored,     // its last start failed; waiting out its backoff to retry
};
std::string_view to_string(child_status s);

struct child_runtime {
  using clock = std::chrono::steady_clock;

  std::uint64_t uid = 0;  // engine-wide, never reused: events name children by it
  child_spec spec;
  supervisor_node* owner = nullptr;  // null for a top-level tree
  std::string group;                 // service: its name; pool member: the pool's
  int slot = -1;                     // pool member: its slot
  bool member = false;               // a pool member (a host, like a service)

  child_status status = child_status::stopped;
  std::uint64_t generation = 0;  // bumped at each start: tells stale events apart
  std::uint64_t host = 0;        // the host serving it now (leaves)
  std::unique_ptr<supervisor_node> node;  // supervisors and pools
  unsigned restarts = 0;  // shown by `ps`
  unsigned failures = 0;  // consecutive, for backoff; reset after a stable uptime
  clock::time_point up_since{};
  std::optional<clock::time_point> restart_at;  // when waiting out a backoff
  std::optional<clock::time_point> deadline;    // READY due (starting) or SIGKILL due (stopping)
  std::string reason;   // why it last ended or failed to start
  bool retired = false;  // a pool slot scaled away or stopped by hand
  bool reloading = false;  // a hot reload is replacing its host (shown by `ps`)

  bool leaf() const { return member || spec.kind == child_kind::service; }
  bool alive() const {
    return status == child_status::starting || status == child_status::running || status == child_status::stopping;
  }
};

// The wait before restart number `failures` (1 = the first: no wait).
std::chrono::milliseconds backoff_delay(const backoff_spec& b, unsigned failures);

}  // namespace titan::detail
