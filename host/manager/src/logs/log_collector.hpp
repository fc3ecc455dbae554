// Captures hosts' stdout and stderr into DIR/NAME.log (a rotating_log per
// NAME). One thread reads every pipe through epoll, so a host that prints
// a lot never slows the manager: at worst its own writes wait for the disk.
//
//   unique_fd w = collector.open_pipe(name);   // write end
//   child_process child(program, args, env, w.get());
//   w.reset();                                 // the child holds the only copy
//
// A pipe is read until EOF, i.e. until the host and everything it started
// have exited, so nothing printed just before dying is lost.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "titan/detail/unique_fd.hpp"

namespace spdlog {
class logger;
}

namespace titan::detail {

class rotating_log;

class log_collector {
 public:
  // Creates `dir` (and its parents, 0750) if missing and starts the thread.
  // Files rotate past `max_size` bytes, keeping `files` rotated ones.
  // Throws titan::Error when `dir` cannot be created or written.
  log_collector(std::string dir, std::uint64_t max_size, unsigned files, std::shared_ptr<spdlog::logger> log);
  // Reads what is still readable, then stops the thread and closes every
  // pipe and file.
  ~log_collector();
  log_collector(const log_collector&) = delete;
  log_collector& operator=(const log_collector&) = delete;

  // DIR/NAME.log ('/' in NAME becomes '_').
  std::string path_for(const std::string& name) const;

  // A new pipe whose output goes to path_for(name); returns its write end
  // (O_CLOEXEC) for the child's stdout and stderr: the caller closes it
  // (reset()) once the child is started. Pipes of the same name (an old host still
  // draining, its replacement starting) share one file. Thread-safe.
  // Throws titan::Error when no pipe can be made. If the file cannot be
  // opened the error is logged and the output dropped (the host runs on).
  unique_fd open_pipe(const std::string& name);

  // Returns once everything readable at the time of the call is written.
  void flush();

  // Pipes not yet at EOF (including ones just opened). For tests and
  // diagnostics.
  std::size_t open_pipes() const { return open_pipes_.load(); }

  const std::string& dir() const { return dir_; }

 private:
  struct sink;  // one file and the number of pipes writing to it
  struct pipe_reader {
    std::string name;
    sink* to = nullptr;  // owned by sinks_; null: the file could not be opened
    unique_fd read_end;
  };

  void run();
  void serve();  // the epoll loop, until stop_ (or a fatal error)
  void take_pending();
  // Reads up to `budget` bytes (0: until it would block); true at EOF.
  bool drain(int fd, pipe_reader& p, std::size_t budget);
  void close_pipe(int fd);

  std::string dir_;
  std::uint64_t max_size_;
  unsigned files_;
  std::shared_ptr<spdlog::logger> log_;
  // Closed after pending_ (declared later), once the thread has ended.
  unique_fd epoll_fd_;
  unique_fd wake_fd_;  // eventfd: new pipes, flush, stop
  std::atomic<std::size_t> open_pipes_{0};

  // Shared with callers, under mutex_.
  mutable std::mutex mutex_;
  std::condition_variable flushed_;
  std::vector<std::pair<unique_fd, std::string>> pending_;  // read end, name
  std::uint64_t flush_requested_ = 0;
  std::uint64_t flush_done_ = 0;
  bool stop_ = false;
  bool ended_ = false;  // the thread is done: flush() must not wait

  // The thread's own.
  std::map<int, pipe_reader> pipes_;                   // by read end (its fd number)
  std::map<std::string, std::unique_ptr<sink>> sinks_;  // by name
  std::vector<char> buffer_;

  std::thread thread_;  // last: starts once everything above exists
};

}  // namespace titan::detail
