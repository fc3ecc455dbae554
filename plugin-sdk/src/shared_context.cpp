#include "shared_context.hpp"

#include <mutex>

namespace titan::detail {

std::shared_ptr<zmq::context_t> shared_context() {
  static std::mutex mu;  // guards weak: the one context that clients share while any lives
  static std::weak_ptr<zmq::context_t> weak;
  std::lock_guard lock(mu);
  auto ctx = weak.lock();
  if (!ctx) {
    ctx = std::make_shared<zmq::context_t>(1);
    weak = ctx;
  }
  return ctx;
}

}  // namespace titan::detail
