// Watches plugin files and says, once per rebuild, that one changed.
//
// inotify watches each file's directory, not the file: a linker either
// rewrites the file in place (IN_MODIFY ... IN_CLOSE_WRITE), writes a temp
// file and renames it over (IN_MOVED_TO, a new inode), or unlinks it and
// creates it again (IN_CREATE ...); a watch on the file itself would miss
// the last two. Files in one directory share one watch.
//
// Debounce: after the last event for a file, the file must stay quiet for
// `settle` (no event, same inode, size and mtime) before it counts as
// rebuilt; a file that ends up missing or exactly as it was (same inode,
// size and mtime as at the last report) is not reported.
//
// One thread owns the inotify fd. It runs the callback, one call at a time,
// so a slow callback (a reload takes seconds) delays the next report, which
// then covers everything that happened meanwhile.
#pragma once

#include <sys/types.h>
#include <time.h>

#include <atomic>
#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "titan/detail/unique_fd.hpp"

namespace spdlog {
class logger;
}

namespace titan::detail {

class plugin_watcher {
 public:
  // `name` was registered for `path` (absolute, normalized), which changed.
  using callback = std::function<void(const std::string& name, const std::string& path)>;
  using clock = std::chrono::steady_clock;

  // Starts the thread. Throws titan::Error when inotify is not available.
  plugin_watcher(callback on_change, std::chrono::milliseconds settle, std::shared_ptr<spdlog::logger> log);
  // stop().
  ~plugin_watcher();
  plugin_watcher(const plugin_watcher&) = delete;
  plugin_watcher& operator=(const plugin_watcher&) = delete;

  // Reports changes of the file `path` (relative paths start at the current
  // directory) as `name`. A name is registered once: watching it again moves
  // it to `path`. Several names may share a file; each is reported. A
  // directory that does not exist (yet) is looked for again every second.
  // Throws titan::Error when the directory cannot be watched for another
  // reason (permissions, the inotify watch limit).
  void watch(const std::string& name, const std::string& path);
  void unwatch(const std::string& name);

  // Ends the thread: waits for a callback that runs (so do not call it from
  // the callback), drops changes that have not settled, reports nothing
  // more. Idempotent.
  void stop();

 private:
  // What stat() says about a file; `exists` false when it does not.
  struct file_stat {
    bool exists = false;
    dev_t dev = 0;
    ino_t ino = 0;
    off_t size = 0;
    timespec mtime{};
    bool operator==(const file_stat& o) const;
  };
  struct file_state {
    std::vector<std::string> names;
    file_stat reported;    // as of registration or the last report: unchanged = nothing to say
    file_stat seen;        // as of the last event or check
    bool touched = false;  // an event in the batch being read
    bool pending = false;  // changed; settles at `deadline`
    clock::time_point deadline{};
  };
  struct dir_state {
    std::string path;
    std::map<std::string, file_state> files;  // by file name
  };
  struct report {
    std::string name;
    std::string path;
  };

  void run();
  // The rest run with mu_ held.
  void read_events(clock::time_point now);
  // The directory is watched as `wd`: its state, with what was kept of it
  // while it was lost.
  dir_state& found(int wd, const std::string& dir, clock::time_point now);
  void lose(int wd);  // the directory went away (deleted, moved): look for it again later
  void retry_lost(clock::time_point now);
  void mark_all_pending(dir_state& d, clock::time_point now);
  std::vector<report> settled(clock::time_point now);
  int timeout_ms(clock::time_point now) const;  // until the next deadline; -1 = none
  bool remove_name(const std::string& name);
  static file_stat stat_of(const std::string& path);

  callback on_change_;
  std::chrono::milliseconds settle_;
  std::shared_ptr<spdlog::logger> log_;
  unique_fd inotify_fd_;
  unique_fd wake_fd_;  // eventfd: stop(), or a lost directory to look for
  std::atomic<bool> stopping_{false};

  std::mutex mu_;  // guards dirs_, lost_ and next_retry_: watch()/unwatch() callers and the thread
  std::map<int, dir_state> dirs_;          // by inotify watch descriptor
  std::map<std::string, dir_state> lost_;  // by path: directories that went away
  clock::time_point next_retry_{};

  std::mutex stop_mu_;  // one stop() joins
  std::thread thread_;  // last: starts after everything above exists
};

}  // namespace titan::detail
