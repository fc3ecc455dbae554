#include "log_tail.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <iterator>

namespace titan::cli {
namespace {

constexpr std::size_t block = 64 * 1024;

// pread that retries EINTR; <= 0 at the end or on an error.
ssize_t read_at(int fd, char* buf, std::size_t n, off_t offset) {
  ssize_t r;
  while ((r = ::pread(fd, buf, n, offset)) < 0 && errno == EINTR) {
  }
  return r;
}

// The last `n` lines of the first `size` bytes of `fd`, read backwards a
// block at a time until n + 1 newlines are in hand. An unterminated last
// line is returned when `keep_partial`, else stored in `*held`.
std::vector<std::string> tail_of(int fd, off_t size, std::size_t n, bool keep_partial, std::string* held) {
  std::string text;  // bytes [pos, size)
  off_t pos = size;
  std::size_t newlines = 0;
  std::string chunk;
  while (pos > 0 && newlines < n + 1) {
    const auto len = static_cast<std::size_t>(std::min<off_t>(pos, block));
    chunk.resize(len);
    std::size_t got = 0;
    while (got < len) {  // short reads: the file is being written to, or shrank
      ssize_t r = read_at(fd, chunk.data() + got, len - got, pos - static_cast<off_t>(len) + static_cast<off_t>(got));
      if (r <= 0) break;
      got += static_cast<std::size_t>(r);
    }
    if (got < len) break;  // truncated under us: keep what we have
    pos -= static_cast<off_t>(len);
    newlines += static_cast<std::size_t>(std::count(chunk.begin(), chunk.end(), '\n'));
    text.insert(0, chunk);
  }
  std::size_t start = 0;
  if (pos > 0) {  // the first piece is the end of a line we did not read whole
    std::size_t nl = text.find('\n');
    start = nl == std::string::npos ? text.size() : nl + 1;
  }
  std::vector<std::string> lines;
  for (std::size_t nl; (nl = text.find('\n', start)) != std::string::npos; start = nl + 1)
    lines.emplace_back(text, start, nl - start);
  if (start < text.size()) {
    if (keep_partial) lines.emplace_back(text, start);
    else if (held) *held = text.substr(start);
  }
  if (lines.size() > n) lines.erase(lines.begin(), lines.end() - static_cast<std::ptrdiff_t>(n));
  return lines;
}

}  // namespace

log_tail::log_tail(std::string path) : path_(std::move(path)) {}

std::vector<std::string> log_tail::last_lines(std::size_t n, bool keep_partial) {
  fd_.reset();
  offset_ = 0;
  partial_.clear();
  std::vector<std::string> lines;
  if (open_current()) {
    struct stat st{};
    offset_ = ::fstat(fd_.get(), &st) == 0 ? st.st_size : 0;
    lines = tail_of(fd_.get(), offset_, n, keep_partial, &partial_);
  }
  if (lines.size() < n) {  // PATH is young: the previous file's end comes first
    if (const detail::unique_fd old(::open((path_ + ".1").c_str(), O_RDONLY | O_CLOEXEC)); old) {
      struct stat st{};
      if (::fstat(old.get(), &st) == 0) {
        auto before = tail_of(old.get(), st.st_size, n - lines.size(), true, nullptr);
        lines.insert(lines.begin(), std::make_move_iterator(before.begin()), std::make_move_iterator(before.end()));
      }
    }
  }
  return lines;
}

std::vector<std::string> log_tail::follow(std::size_t max_bytes) {
  std::vector<std::string> out;
  if (!fd_ && !open_current()) return out;
  struct stat st{};
  if (::fstat(fd_.get(), &st) == 0 && st.st_size < offset_) {  // truncated: start again
    if (!partial_.empty()) out.push_back(std::move(partial_));
    partial_.clear();
    offset_ = 0;
  }
  if (read_new(out, max_bytes) >= max_bytes) return out;  // more to come: call again

  // At the end of the file we hold. Is it still PATH?
  struct stat now{};
  if (::stat(path_.c_str(), &now) == 0 && now.st_dev == dev_ && now.st_ino == ino_) return out;
  // Rotated (or removed). Its writer closed it before renaming it, so
  // what it holds now is all it will ever hold: finish it, then PATH.
  read_new(out, SIZE_MAX);
  if (!partial_.empty()) out.push_back(std::move(partial_));
  partial_.clear();
  fd_.reset();
  if (open_current()) read_new(out, max_bytes);
  return out;
}

bool log_tail::open_current() {
  fd_.reset(::open(path_.c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd_) return false;
  struct stat st{};
  ::fstat(fd_.get(), &st);
  dev_ = st.st_dev;
  ino_ = st.st_ino;
  offset_ = 0;
  return true;
}

std::size_t log_tail::read_new(std::vector<std::string>& out, std::size_t max_bytes) {
  std::size_t total = 0;
  std::string chunk;
  while (total < max_bytes) {
    chunk.resize(std::min(block, max_bytes - total));
    ssize_t r = read_at(fd_.get(), chunk.data(), chunk.size(), offset_);
    if (r <= 0) break;
    const auto n = static_cast<std::size_t>(r);
    offset_ += r;
    total += n;
    std::size_t start = 0;
    std::size_t from = partial_.size();
    partial_.append(chunk, 0, n);
    for (std::size_t nl; (nl = partial_.find('\n', from)) != std::string::npos; from = start = nl + 1)
      out.emplace_back(partial_, start, nl - start);
    partial_.erase(0, start);
  }
  return total;
}

}  // namespace titan::cli
