// rebuild_watcher: reload on rebuild. A service or pool whose host_spec says
// `watch` is reloaded (its own plugin file, rebuilt) each time
// plugin_watcher says that file settled after a change. The reloads run on
// the watcher's thread, one at a time. close() (first in a shutdown) stops
// the watcher and waits for a reload in progress; no reload starts after it.
// Any thread.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <string>

#include "titan/process_manager.hpp"

namespace spdlog {
class logger;
}

namespace titan::detail {

class plugin_watcher;

class rebuild_watcher {
 public:
  using reload_fn = std::function<reload_report(const std::string& name)>;

  rebuild_watcher(reload_fn reload, std::chrono::milliseconds settle, std::shared_ptr<spdlog::logger> log);
  ~rebuild_watcher();  // close()

  // The watched children of a tree that started. A file that cannot be
  // watched is logged, not thrown: the tree is up.
  void watch(const supervisor_spec& spec);
  void close();

 private:
  void on_changed(const std::string& name, const std::string& path);  // the watcher's thread

  reload_fn reload_;
  std::chrono::milliseconds settle_;
  std::shared_ptr<spdlog::logger> log_;

  std::mutex mu_;                            // guards watcher_, closed_
  std::unique_ptr<plugin_watcher> watcher_;  // created by the first watched child
  bool closed_ = false;
};

}  // namespace titan::detail
