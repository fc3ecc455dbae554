// One host's log file: bytes appended to PATH, rotated past a size limit
// (PATH → PATH.1 → ... → PATH.<files>, the oldest deleted). Opening an
// existing PATH appends to it, so a restarted host keeps its file.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "titan/detail/unique_fd.hpp"

namespace spdlog {
class logger;
}

namespace titan::detail {

class rotating_log {
 public:
  // Opens (creates, 0640) PATH for appending. `files` rotated files are
  // kept (0: rotating just starts PATH afresh). Throws titan::Error when
  // PATH cannot be opened or max_size is 0. `log` gets write errors.
  rotating_log(std::string path, std::uint64_t max_size, unsigned files, std::shared_ptr<spdlog::logger> log);
  rotating_log(const rotating_log&) = delete;
  rotating_log& operator=(const rotating_log&) = delete;

  // Appends `data`, rotating first whenever PATH would grow past max_size.
  // Rotation happens after the last newline that fits, so lines stay whole
  // when they can: a file that ends inside a line (a chunk split it) gets
  // the rest of that line even past max_size, unless that rest is itself
  // max_size long; a line longer than max_size gets a file of its own. A
  // write error (disk full) is logged once and the bytes are dropped; this
  // never throws.
  void write(std::string_view data);

  const std::string& path() const { return path_; }
  // Bytes in PATH now.
  std::uint64_t size() const { return size_; }

 private:
  void append(std::string_view data);
  bool rotate();  // true when PATH is now a fresh, empty file
  bool reopen();  // false with errno set
  void report(const std::string& what, int err);

  std::string path_;
  std::uint64_t max_size_;
  unsigned files_;
  std::shared_ptr<spdlog::logger> log_;
  unique_fd fd_;  // none after a failed reopen; retried on the next write
  std::uint64_t size_ = 0;
  bool mid_line_ = false;  // the last byte written was not '\n'
  bool failing_ = false;   // an error was logged; the next success is logged too
};

}  // namespace titan::detail
