// unique_fd: owns one file descriptor and closes it when it goes away, as
// std::unique_ptr owns memory. A raw `int` never owns an fd in Titan: it is
// borrowed from a unique_fd (get()) that outlives the use.
#pragma once

#include <unistd.h>

#include <utility>

namespace titan::detail {

class unique_fd {
 public:
  unique_fd() noexcept = default;
  // Takes ownership of `fd` (-1: owns nothing).
  explicit unique_fd(int fd) noexcept : fd_(fd) {}
  unique_fd(const unique_fd&) = delete;
  unique_fd& operator=(const unique_fd&) = delete;
  unique_fd(unique_fd&& other) noexcept : fd_(other.release()) {}
  unique_fd& operator=(unique_fd&& other) noexcept {
    if (this != &other) reset(other.release());
    return *this;
  }
  ~unique_fd() { reset(); }

  int get() const noexcept { return fd_; }
  explicit operator bool() const noexcept { return fd_ >= 0; }

  // Gives the fd up without closing it (to a child's stdio, say).
  [[nodiscard]] int release() noexcept { return std::exchange(fd_, -1); }
  // Closes the fd it owned, then owns `fd`.
  void reset(int fd = -1) noexcept {
    if (fd_ >= 0) ::close(fd_);  // EINTR on Linux: the fd is closed anyway; never retry
    fd_ = fd;
  }

 private:
  int fd_ = -1;
};

}  // namespace titan::detail
