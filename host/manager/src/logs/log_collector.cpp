#include "log_collector.hpp"

#include <fcntl.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <spdlog/spdlog.h>

#include "rotating_log.hpp"
#include "titan/status.hpp"

namespace titan::detail {
namespace {

// Bytes read from one pipe per wake-up, so that one chatty host cannot
// starve the others (epoll is level-triggered: the rest comes next turn).
constexpr std::size_t fair_share = 1u << 20;

std::string errno_text() { return std::strerror(errno); }

// mkdir -p, new directories 0750 (before the umask).
void make_dirs(const std::string& dir) {
  if (dir.empty()) throw Error(status_code::invalid_argument, "the log directory is an empty path");
  for (std::size_t pos = 0;;) {
    pos = dir.find('/', pos + 1);
    const std::string prefix = dir.substr(0, pos);
    if (::mkdir(prefix.c_str(), 0750) != 0 && errno != EEXIST)
      throw Error(status_code::internal, "cannot create log directory " + dir + " (" + prefix + "): " + errno_text());
    if (pos == std::string::npos) break;
  }
  struct stat st{};
  if (::stat(dir.c_str(), &st) != 0 || !S_ISDIR(st.st_mode))
    throw Error(status_code::failed_precondition, "log directory " + dir + " is not a directory");
  if (::access(dir.c_str(), W_OK | X_OK) != 0)
    throw Error(status_code::failed_precondition, "log directory " + dir + " is not writable: " + errno_text());
}

}  // namespace

struct log_collector::sink {
  std::unique_ptr<rotating_log> file;  // null: it could not be opened, output is dropped
  unsigned pipes = 0;
};

log_collector::log_collector(std::string dir, std::uint64_t max_size, unsigned files,
                             std::shared_ptr<spdlog::logger> log)
    : dir_(std::move(dir)), max_size_(max_size), files_(files), log_(std::move(log)), buffer_(64 * 1024) {
  while (dir_.size() > 1 && dir_.back() == '/') dir_.pop_back();
  if (max_size_ == 0) throw Error(status_code::invalid_argument, "the log files' max size must be > 0");
  make_dirs(dir_);
  epoll_fd_.reset(::epoll_create1(EPOLL_CLOEXEC));
  wake_fd_.reset(::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK));
  epoll_event ev{};
  ev.events = EPOLLIN;
  ev.data.fd = wake_fd_.get();
  if (!epoll_fd_ || !wake_fd_ || ::epoll_ctl(epoll_fd_.get(), EPOLL_CTL_ADD, wake_fd_.get(), &ev) != 0)
    throw Error(status_code::internal, "log collector: " + errno_text());
  thread_ = std::thread([this] { run(); });
}

log_collector::~log_collector() {
  {
    std::lock_guard lock(mutex_);
    stop_ = true;
  }
  std::uint64_t one = 1;
  [[maybe_unused]] auto n = ::write(wake_fd_.get(), &one, sizeof one);
  thread_.join();
  // The members close the rest: pipes opened after the thread's last look
  // at pending_ (none, unless a caller races the destructor), then the
  // eventfd and the epoll fd.
}

std::string log_collector::path_for(const std::string& name) const {
  std::string file = name;
  std::replace(file.begin(), file.end(), '/', '_');
  return dir_ + "/" + file + ".log";
}

unique_fd log_collector::open_pipe(const std::string& name) {
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0)
    throw Error(status_code::resource_exhausted, "cannot make a pipe for the output of " + name + ": " + errno_text());
  unique_fd read_end(fds[0]), write_end(fds[1]);
  ::fcntl(read_end.get(), F_SETFL, O_NONBLOCK);
  {
    std::lock_guard lock(mutex_);
    pending_.emplace_back(std::move(read_end), name);
    ++open_pipes_;
  }
  std::uint64_t one = 1;
  [[maybe_unused]] auto n = ::write(wake_fd_.get(), &one, sizeof one);
  return write_end;
}

void log_collector::flush() {
  std::unique_lock lock(mutex_);
  const std::uint64_t ticket = ++flush_requested_;
  std::uint64_t one = 1;
  [[maybe_unused]] auto n = ::write(wake_fd_.get(), &one, sizeof one);
  flushed_.wait(lock, [&] { return flush_done_ >= ticket || ended_; });
}

void log_collector::run() {
  serve();
  while (!pipes_.empty()) close_pipe(pipes_.begin()->first);
  {
    std::lock_guard lock(mutex_);
    ended_ = true;
  }
  flushed_.notify_all();
}

void log_collector::serve() {
  epoll_event events[32];
  for (;;) {
    int n = ::epoll_wait(epoll_fd_.get(), events, 32, -1);
    if (n < 0) {
      if (errno == EINTR) continue;
      if (log_) log_->critical("log collector: epoll_wait: {}; hosts' output is no longer read", errno_text());
      return;
    }
    bool woken = false;
    for (int i = 0; i < n; ++i) {
      const int fd = events[i].data.fd;
      if (fd == wake_fd_.get()) {
        std::uint64_t count;
        [[maybe_unused]] auto r = ::read(wake_fd_.get(), &count, sizeof count);
        woken = true;
        continue;
      }
      // Each fd comes once per batch, so it cannot have been closed (and
      // its number reused) earlier in this batch.
      auto it = pipes_.find(fd);
      if (it != pipes_.end() && drain(fd, it->second, fair_share)) close_pipe(fd);
    }
    if (!woken) continue;

    take_pending();
    std::uint64_t flush_to = 0;
    bool stop = false;
    {
      std::lock_guard lock(mutex_);
      if (flush_requested_ > flush_done_) flush_to = flush_requested_;
      stop = stop_;
    }
    if (flush_to != 0 || stop) {
      // What each pipe holds now; a host that keeps writing cannot hold us here.
      std::vector<int> at_eof;
      for (auto& [fd, p] : pipes_) {
        int available = 0;
        if (::ioctl(fd, FIONREAD, &available) != 0) available = 0;
        if (drain(fd, p, static_cast<std::size_t>(std::max(available, 1)))) at_eof.push_back(fd);
      }
      for (int fd : at_eof) close_pipe(fd);
    }
    if (flush_to != 0) {
      {
        std::lock_guard lock(mutex_);
        flush_done_ = flush_to;
      }
      flushed_.notify_all();
    }
    if (stop) return;
  }
}

void log_collector::take_pending() {
  std::vector<std::pair<unique_fd, std::string>> fresh;
  {
    std::lock_guard lock(mutex_);
    fresh.swap(pending_);
  }
  for (auto& [read_end, name] : fresh) {
    const int fd = read_end.get();
    auto& s = sinks_[name];
    if (!s) {
      s = std::make_unique<sink>();
      try {
        s->file = std::make_unique<rotating_log>(path_for(name), max_size_, files_, log_);
      } catch (const std::exception& e) {
        if (log_) log_->error("the output of {} is dropped: {}", name, e.what());
      }
    }
    ++s->pipes;
    pipes_.emplace(fd, pipe_reader{name, s.get(), std::move(read_end)});
    epoll_event ev{};
    ev.events = EPOLLIN;
    ev.data.fd = fd;
    if (::epoll_ctl(epoll_fd_.get(), EPOLL_CTL_ADD, fd, &ev) != 0) {
      if (log_) log_->error("the output of {} is dropped: epoll_ctl: {}", name, errno_text());
      close_pipe(fd);
    }
  }
}

bool log_collector::drain(int fd, pipe_reader& p, std::size_t budget) {
  for (std::size_t done = 0; done < budget;) {
    ssize_t n = ::read(fd, buffer_.data(), std::min(buffer_.size(), budget - done));
    if (n > 0) {
      if (p.to->file) p.to->file->write({buffer_.data(), static_cast<std::size_t>(n)});
      done += static_cast<std::size_t>(n);
    } else if (n == 0) {
      return true;
    } else if (errno == EAGAIN) {
      return false;
    } else if (errno != EINTR) {
      if (log_) log_->error("reading the output of {}: {}", p.name, errno_text());
      return true;
    }
  }
  return false;
}

void log_collector::close_pipe(int fd) {
  auto it = pipes_.find(fd);
  if (it == pipes_.end()) return;
  ::epoll_ctl(epoll_fd_.get(), EPOLL_CTL_DEL, fd, nullptr);
  it->second.read_end.reset();
  if (--it->second.to->pipes == 0) sinks_.erase(it->second.name);
  pipes_.erase(it);
  --open_pipes_;
}

}  // namespace titan::detail
