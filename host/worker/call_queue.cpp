#include "call_queue.hpp"

#include <sys/eventfd.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>

namespace titan::host {

reply_queue::reply_queue() : fd_(::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC)) {
  if (!fd_) throw std::runtime_error(std::string("eventfd: ") + std::strerror(errno));
}

void reply_queue::push(std::vector<reply_frames>& batch) {
  bool was_empty;
  {
    std::lock_guard lock(mu_);
    was_empty = items_.empty();
    for (auto& r : batch) items_.push_back(std::move(r));
  }
  batch.clear();
  if (was_empty) {
    std::uint64_t one = 1;
    [[maybe_unused]] auto n = ::write(fd_.get(), &one, sizeof one);
  }
}

void reply_queue::take(std::vector<reply_frames>& out) {
  std::uint64_t n;
  [[maybe_unused]] auto r = ::read(fd_.get(), &n, sizeof n);
  std::lock_guard lock(mu_);
  out.swap(items_);
}

}  // namespace titan::host
