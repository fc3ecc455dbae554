#include "rotating_log.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <spdlog/spdlog.h>

#include "titan/status.hpp"

namespace titan::detail {

rotating_log::rotating_log(std::string path, std::uint64_t max_size, unsigned files,
                           std::shared_ptr<spdlog::logger> log)
    : path_(std::move(path)), max_size_(max_size), files_(files), log_(std::move(log)) {
  if (max_size_ == 0) throw Error(status_code::invalid_argument, "log file " + path_ + ": max size must be > 0");
  if (!reopen()) throw Error(status_code::internal, "cannot open log file " + path_ + ": " + std::strerror(errno));
}

void rotating_log::write(std::string_view data) {
  constexpr auto npos = std::string_view::npos;
  // Each turn writes something or rotates a non-empty file (after which
  // the next turn writes), so this ends.
  while (!data.empty()) {
    if (!fd_ && !reopen()) {
      report("cannot open", errno);
      return;  // dropped
    }
    const std::uint64_t room = size_ < max_size_ ? max_size_ - size_ : 0;
    if (data.size() <= room) {
      append(data);
      return;
    }
    // Up to the last newline that fits.
    std::size_t cut = room > 0 ? data.substr(0, room).rfind('\n') : npos;
    // This file ends inside a line: finish it here rather than split it,
    // unless the rest is as long as a whole file.
    if (cut == npos && size_ > 0 && mid_line_) {
      std::size_t nl = data.find('\n');
      if (nl != npos && nl < max_size_) cut = nl;
    }
    // A line longer than max_size: it gets the fresh file to itself.
    if (cut == npos && size_ == 0) {
      std::size_t nl = data.find('\n');
      cut = nl == npos ? data.size() - 1 : nl;
    }
    if (cut != npos) {
      append(data.substr(0, cut + 1));
      data.remove_prefix(cut + 1);
    }
    if (!data.empty() && !rotate()) {  // no fresh file (error logged): keep this one
      if (fd_) append(data);
      return;
    }
  }
}

void rotating_log::append(std::string_view data) {
  while (!data.empty()) {
    ssize_t n = ::write(fd_.get(), data.data(), data.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      report("cannot write", errno);
      return;
    }
    size_ += static_cast<std::uint64_t>(n);
    mid_line_ = data[static_cast<std::size_t>(n) - 1] != '\n';
    data.remove_prefix(static_cast<std::size_t>(n));
  }
  if (failing_) {
    failing_ = false;
    if (log_) log_->info("writing {} again", path_);
  }
}

bool rotating_log::rotate() {
  fd_.reset();
  auto numbered = [this](unsigned i) { return path_ + "." + std::to_string(i); };
  if (files_ == 0) {
    if (::unlink(path_.c_str()) != 0 && errno != ENOENT) report("cannot remove", errno);
  } else {
    if (::unlink(numbered(files_).c_str()) != 0 && errno != ENOENT) report("cannot remove the oldest rotation of", errno);
    for (unsigned i = files_ - 1; i >= 1; --i)
      if (::rename(numbered(i).c_str(), numbered(i + 1).c_str()) != 0 && errno != ENOENT) report("cannot rotate", errno);
    if (::rename(path_.c_str(), numbered(1).c_str()) != 0 && errno != ENOENT) report("cannot rotate", errno);
  }
  if (!reopen()) {
    report("cannot open", errno);
    return false;
  }
  return size_ == 0;
}

bool rotating_log::reopen() {
  // Only called with no file open: reset() closes nothing, errno stays open()'s.
  fd_.reset(::open(path_.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0640));
  if (!fd_) return false;
  struct stat st{};
  size_ = ::fstat(fd_.get(), &st) == 0 ? static_cast<std::uint64_t>(st.st_size) : 0;
  mid_line_ = false;  // unknown for a file we did not write; assume a line boundary
  return true;
}

// Once per failing stretch: a full disk would otherwise log every line.
void rotating_log::report(const std::string& what, int err) {
  if (failing_) return;
  failing_ = true;
  if (log_) log_->error("{} log file {}: {}; its output is dropped until this clears", what, path_, std::strerror(err));
}

}  // namespace titan::detail
