#include "plugin_watcher.hpp"

#include <poll.h>
#include <sys/eventfd.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <climits>
#include <cstring>
#include <filesystem>
#include <optional>
#include <spdlog/spdlog.h>

#include "titan/status.hpp"

namespace titan::detail {
namespace {

// Everything a rebuild can do to a file in the directory, and the
// directory itself going away (it is looked for again).
constexpr std::uint32_t watch_mask = IN_MODIFY | IN_ATTRIB | IN_CLOSE_WRITE | IN_MOVED_FROM | IN_MOVED_TO |
                                     IN_CREATE | IN_DELETE | IN_DELETE_SELF | IN_MOVE_SELF | IN_ONLYDIR |
                                     IN_EXCL_UNLINK;
constexpr auto retry_every = std::chrono::seconds(1);

std::string error_text(int err) { return std::strerror(err); }

}  // namespace

bool plugin_watcher::file_stat::operator==(const file_stat& o) const {
  if (exists != o.exists) return false;
  return !exists || (dev == o.dev && ino == o.ino && size == o.size && mtime.tv_sec == o.mtime.tv_sec &&
                     mtime.tv_nsec == o.mtime.tv_nsec);
}

plugin_watcher::file_stat plugin_watcher::stat_of(const std::string& path) {
  struct stat st {};
  file_stat out;
  if (::stat(path.c_str(), &st) != 0) return out;
  out.exists = true;
  out.dev = st.st_dev;
  out.ino = st.st_ino;
  out.size = st.st_size;
  out.mtime = st.st_mtim;
  return out;
}

plugin_watcher::plugin_watcher(callback on_change, std::chrono::milliseconds settle,
                               std::shared_ptr<spdlog::logger> log)
    : on_change_(std::move(on_change)),
      settle_(settle),
      log_(log ? std::move(log) : std::make_shared<spdlog::logger>("plugin-watcher")),  // no sink: silent
      inotify_fd_(::inotify_init1(IN_NONBLOCK | IN_CLOEXEC)),
      wake_fd_(::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC)) {
  if (!inotify_fd_ || !wake_fd_)
    throw Error(status_code::failed_precondition, "cannot watch plugin files: " + error_text(errno));
  thread_ = std::thread([this] { run(); });
}

plugin_watcher::~plugin_watcher() { stop(); }  // then the members close the fds

void plugin_watcher::stop() {
  std::lock_guard lock(stop_mu_);
  stopping_ = true;
  std::uint64_t one = 1;
  [[maybe_unused]] auto n = ::write(wake_fd_.get(), &one, sizeof one);
  if (thread_.joinable()) thread_.join();
}

void plugin_watcher::watch(const std::string& name, const std::string& path) {
  namespace fs = std::filesystem;
  const fs::path full = fs::absolute(path).lexically_normal();
  const std::string dir = full.parent_path().string();
  const std::string file = full.filename().string();
  if (file.empty()) throw Error(status_code::invalid_argument, "cannot watch '" + path + "': not a file name");
  std::lock_guard lock(mu_);
  remove_name(name);
  const auto now = clock::now();
  dir_state* d = nullptr;
  if (const int wd = ::inotify_add_watch(inotify_fd_.get(), dir.c_str(), watch_mask); wd >= 0) {
    d = &found(wd, dir, now);
  } else if (errno == ENOENT) {
    log_->warn("plugin watcher: {} does not exist; looking for it every second", dir);
    d = &lost_[dir];
    d->path = dir;
    next_retry_ = now + retry_every;
    std::uint64_t one = 1;  // the thread may be sleeping with no deadline
    [[maybe_unused]] auto n = ::write(wake_fd_.get(), &one, sizeof one);
  } else {
    throw Error(status_code::failed_precondition, "cannot watch " + dir + ": " + error_text(errno));
  }
  file_state& f = d->files[file];
  if (f.names.empty()) f.reported = f.seen = stat_of(full.string());
  f.names.push_back(name);
}

void plugin_watcher::unwatch(const std::string& name) {
  std::lock_guard lock(mu_);
  remove_name(name);
}

bool plugin_watcher::remove_name(const std::string& name) {
  auto drop = [&](dir_state& d) {
    for (auto f = d.files.begin(); f != d.files.end(); ++f) {
      auto& names = f->second.names;
      auto it = std::find(names.begin(), names.end(), name);
      if (it == names.end()) continue;
      names.erase(it);
      if (names.empty()) d.files.erase(f);
      return true;
    }
    return false;
  };
  for (auto it = dirs_.begin(); it != dirs_.end(); ++it) {
    if (!drop(it->second)) continue;
    if (it->second.files.empty()) {
      ::inotify_rm_watch(inotify_fd_.get(), it->first);  // its IN_IGNORED finds no directory: skipped
      dirs_.erase(it);
    }
    return true;
  }
  for (auto it = lost_.begin(); it != lost_.end(); ++it) {
    if (!drop(it->second)) continue;
    if (it->second.files.empty()) lost_.erase(it);
    return true;
  }
  return false;
}

plugin_watcher::dir_state& plugin_watcher::found(int wd, const std::string& dir, clock::time_point now) {
  auto [it, inserted] = dirs_.try_emplace(wd);
  if (inserted) it->second.path = dir;
  auto l = lost_.find(dir);
  if (l == lost_.end()) return it->second;
  for (auto& [file, state] : l->second.files) {
    auto [f, fresh] = it->second.files.try_emplace(file, std::move(state));
    if (!fresh) f->second.names.insert(f->second.names.end(), state.names.begin(), state.names.end());
  }
  lost_.erase(l);
  log_->info("plugin watcher: watching {} again", dir);
  mark_all_pending(it->second, now);  // whatever happened while it was gone
  return it->second;
}

void plugin_watcher::lose(int wd) {
  auto it = dirs_.find(wd);
  if (it == dirs_.end()) return;
  ::inotify_rm_watch(inotify_fd_.get(), wd);  // moved: the watch would follow it elsewhere
  log_->warn("plugin watcher: {} went away; looking for it every second", it->second.path);
  dir_state& l = lost_[it->second.path];
  l.path = it->second.path;
  for (auto& [file, state] : it->second.files) {
    state.pending = state.touched = false;  // settles again once the directory is back
    auto [f, fresh] = l.files.try_emplace(file, std::move(state));
    if (!fresh) f->second.names.insert(f->second.names.end(), state.names.begin(), state.names.end());
  }
  dirs_.erase(it);
  next_retry_ = clock::now() + retry_every;
}

void plugin_watcher::retry_lost(clock::time_point now) {
  next_retry_ = now + retry_every;
  for (auto it = lost_.begin(); it != lost_.end();) {
    const std::string dir = it->first;
    ++it;  // found() erases the entry of `dir`
    if (const int wd = ::inotify_add_watch(inotify_fd_.get(), dir.c_str(), watch_mask); wd >= 0) found(wd, dir, now);
  }
}

void plugin_watcher::mark_all_pending(dir_state& d, clock::time_point now) {
  for (auto& [file, f] : d.files) {
    f.touched = false;
    f.pending = true;
    f.deadline = now + settle_;
    f.seen = stat_of(d.path + "/" + file);
  }
}

void plugin_watcher::read_events(clock::time_point now) {
  alignas(inotify_event) char buf[16384];
  for (;;) {
    const ssize_t n = ::read(inotify_fd_.get(), buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;  // EAGAIN: all read
    for (const char* p = buf; p < buf + n;) {
      const auto* ev = reinterpret_cast<const inotify_event*>(p);
      p += sizeof(inotify_event) + ev->len;
      if (ev->mask & IN_Q_OVERFLOW) {
        log_->warn("plugin watcher: inotify queue overflow; checking every watched file");
        for (auto& [wd, d] : dirs_) mark_all_pending(d, now);
        continue;
      }
      auto it = dirs_.find(ev->wd);
      if (it == dirs_.end()) continue;  // unwatched meanwhile
      if (ev->mask & (IN_IGNORED | IN_MOVE_SELF | IN_UNMOUNT)) {
        lose(ev->wd);
        continue;
      }
      if (ev->len == 0) continue;
      if (auto f = it->second.files.find(ev->name); f != it->second.files.end()) f->second.touched = true;
    }
  }
  // One stat per file per batch, however many writes the batch holds.
  for (auto& [wd, d] : dirs_)
    for (auto& [file, f] : d.files) {
      if (!f.touched) continue;
      f.touched = false;
      f.pending = true;
      f.deadline = now + settle_;
      f.seen = stat_of(d.path + "/" + file);
    }
}

std::vector<plugin_watcher::report> plugin_watcher::settled(clock::time_point now) {
  std::vector<report> out;
  for (auto& [wd, d] : dirs_)
    for (auto& [file, f] : d.files) {
      if (!f.pending || f.deadline > now) continue;
      const std::string path = d.path + "/" + file;
      const file_stat current = stat_of(path);
      if (!(current == f.seen)) {  // changed with no event read yet (or none at all, as mmap writes)
        f.seen = current;
        f.deadline = now + settle_;
        continue;
      }
      f.pending = false;
      // Gone: its next creation is an event of its own. As it was: nothing was rebuilt.
      if (!current.exists || current == f.reported) continue;
      f.reported = current;
      for (const auto& name : f.names) out.push_back({name, path});
    }
  return out;
}

int plugin_watcher::timeout_ms(clock::time_point now) const {
  std::optional<clock::time_point> next;
  for (const auto& [wd, d] : dirs_)
    for (const auto& [file, f] : d.files)
      if (f.pending && (!next || f.deadline < *next)) next = f.deadline;
  if (!lost_.empty() && (!next || next_retry_ < *next)) next = next_retry_;
  if (!next) return -1;
  const auto ms = std::chrono::ceil<std::chrono::milliseconds>(*next - now).count();
  return static_cast<int>(std::clamp<std::int64_t>(ms, 0, INT_MAX));
}

void plugin_watcher::run() {
  for (;;) {
    int timeout = -1;
    {
      std::lock_guard lock(mu_);
      timeout = timeout_ms(clock::now());
    }
    pollfd fds[2] = {{inotify_fd_.get(), POLLIN, 0}, {wake_fd_.get(), POLLIN, 0}};
    if (::poll(fds, 2, timeout) < 0 && errno != EINTR) {
      log_->error("plugin watcher: poll failed ({}); no longer watching", error_text(errno));
      return;
    }
    if (stopping_) return;
    if (fds[1].revents & POLLIN) {
      std::uint64_t n;
      [[maybe_unused]] auto r = ::read(wake_fd_.get(), &n, sizeof n);
    }
    std::vector<report> due;
    {
      std::lock_guard lock(mu_);
      const auto now = clock::now();
      if (fds[0].revents & POLLIN) read_events(now);
      if (!lost_.empty() && now >= next_retry_) retry_lost(now);
      due = settled(now);
    }
    // Unlocked: the callback may watch or unwatch.
    for (const auto& r : due) {
      if (stopping_) return;
      try {
        on_change_(r.name, r.path);
      } catch (const std::exception& e) {
        log_->error("plugin watcher: {} changed; handling it for {} failed: {}", r.path, r.name, e.what());
      }
    }
  }
}

}  // namespace titan::detail
