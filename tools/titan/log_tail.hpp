// `tail -n N -F` for one log file, line by line: the last lines read from
// the end in blocks (never the whole file), then whatever is appended,
// across rotations (PATH renamed to PATH.1 and a new PATH opened) and
// truncations.
#pragma once

#include <sys/types.h>

#include <cstddef>
#include <string>
#include <vector>

#include "titan/detail/unique_fd.hpp"

namespace titan::cli {

class log_tail {
 public:
  explicit log_tail(std::string path);
  log_tail(const log_tail&) = delete;
  log_tail& operator=(const log_tail&) = delete;

  // The last `n` lines (without their '\n'), oldest first, taking the end
  // of PATH.1 too when PATH has fewer (it was just rotated). Afterwards
  // follow() continues from the end of PATH. With `keep_partial` false, a
  // last line with no '\n' yet is not returned but held back, and follow()
  // returns it whole once it is complete.
  std::vector<std::string> last_lines(std::size_t n, bool keep_partial = true);

  // Complete lines appended since the previous call (or last_lines()), at
  // most about `max_bytes` of them per call: call again while it returns
  // some. When PATH was rotated, the rest of the old file comes first; when
  // it was truncated, reading starts again at its beginning; when it does
  // not exist yet, it is picked up once it does.
  std::vector<std::string> follow(std::size_t max_bytes = 1u << 20);

  const std::string& path() const { return path_; }

 private:
  bool open_current();  // opens PATH at offset 0; false if it does not exist
  // Reads from offset_ up to max_bytes, appending complete lines to `out`.
  std::size_t read_new(std::vector<std::string>& out, std::size_t max_bytes);

  std::string path_;
  detail::unique_fd fd_;  // the file being followed; kept open across a rotation until read to its end
  dev_t dev_ = 0;
  ino_t ino_ = 0;
  off_t offset_ = 0;     // next byte of fd_ to read
  std::string partial_;  // read, but its '\n' has not come yet
};

}  // namespace titan::cli
