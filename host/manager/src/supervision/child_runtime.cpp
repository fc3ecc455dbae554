#include "child_runtime.hpp"

#include <algorithm>

namespace titan::detail {

std::chrono::milliseconds backoff_delay(const backoff_spec& b, unsigned failures) {
  if (failures <= 1) return std::chrono::milliseconds(0);
  double ms = static_cast<double>(b.base.count());
  for (unsigned i = 2; i < failures && ms < static_cast<double>(b.max.count()); ++i) ms *= b.factor;
  return std::chrono::milliseconds(static_cast<long>(std::min(ms, static_cast<double>(b.max.count()))));
}

std::string_view to_string(child_status s) {
  switch (s) {
    case child_status::stopped: return "stopped";
    case child_status::starting: return "starting";
    case child_status::running: return "running";
    case child_status::stopping: return "stopping";
    case child_status::restarting: return "restarting";
    case child_status::errored: return "errored";
  }
  return "?";
}

}  // namespace titan::detail
