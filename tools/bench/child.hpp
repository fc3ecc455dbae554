// RAII for what the benchmark creates outside its own process: a private
// temporary directory and the raw echo server (a copy of titan-bench).
#pragma once

#include <sys/types.h>

#include <chrono>
#include <string>
#include <vector>

#include "titan/detail/unique_fd.hpp"

namespace titan::bench {

// SIGINT/SIGTERM only set a flag; the measuring loops check it between
// calls and throw `interrupted`, so every destructor (children, hosts,
// temporary directories) still runs.
struct interrupted {};
void install_interrupt_handlers();
bool interrupt_requested() noexcept;
inline void throw_if_interrupted() {
  if (interrupt_requested()) throw interrupted{};
}

// A fresh 0700 directory under $XDG_RUNTIME_DIR or /tmp, removed with
// everything in it on destruction.
class temp_dir {
 public:
  temp_dir();
  ~temp_dir();
  temp_dir(const temp_dir&) = delete;
  temp_dir& operator=(const temp_dir&) = delete;
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

// Runs this very program with `args` (its stdout on a pipe) and reads the
// first line it prints. The destructor sends SIGTERM, waits up to a second,
// then SIGKILLs; the child is always reaped.
class self_child {
 public:
  explicit self_child(const std::vector<std::string>& args,
                      std::chrono::milliseconds first_line_timeout = std::chrono::milliseconds(10000));
  ~self_child();
  self_child(const self_child&) = delete;
  self_child& operator=(const self_child&) = delete;

  pid_t pid() const { return pid_; }
  const std::string& first_line() const { return first_line_; }

 private:
  void stop() noexcept;

  pid_t pid_ = -1;
  detail::unique_fd out_fd_;
  std::string first_line_;
};

}  // namespace titan::bench
