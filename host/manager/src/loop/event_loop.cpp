#include "loop/event_loop.hpp"

#include <sys/eventfd.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <cstring>
#include <future>
#include <string>

#include "titan/status.hpp"

namespace titan::detail {

event_loop::event_loop() : wake_fd_(::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC)) {
  if (!wake_fd_) throw Error(status_code::internal, std::string("eventfd failed: ") + std::strerror(errno));
}

void event_loop::run(std::function<void()> fn) {
  if (on_loop_thread()) return fn();
  std::promise<void> done;
  auto fut = done.get_future();
  {
    std::lock_guard lock(mu_);
    queued_.push_back([&] {
      try {
        fn();
        done.set_value();
      } catch (...) {
        done.set_exception(std::current_exception());
      }
    });
  }
  wake();
  fut.get();
}

void event_loop::wake() {
  std::uint64_t one = 1;
  [[maybe_unused]] auto n = ::write(wake_fd_.get(), &one, sizeof one);
}

void event_loop::clear_wake() {
  std::uint64_t n;
  [[maybe_unused]] auto r = ::read(wake_fd_.get(), &n, sizeof n);
}

void event_loop::run_queued() {
  std::deque<std::function<void()>> batch;
  {
    std::lock_guard lock(mu_);
    batch.swap(queued_);
  }
  for (auto& f : batch) f();
}

void event_loop::stop() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  wake();
}

bool event_loop::stopping() {
  std::lock_guard lock(mu_);
  return stopping_;
}

}  // namespace titan::detail
