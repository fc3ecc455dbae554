// Stops a host of the manager when it goes out of scope (the manager's own
// shutdown would get it too; this keeps one section's host from running
// through the next section's measurements).
#pragma once

#include <cstdint>

#include <titan/process_manager.hpp>

namespace titan::bench {

struct host_guard {
  titan::ProcessManager& pm;
  std::uint64_t id;
  ~host_guard() {
    try {
      pm.stop(id);
    } catch (...) {
    }
  }
};

}  // namespace titan::bench
