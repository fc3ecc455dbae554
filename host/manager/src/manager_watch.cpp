// manager_core: reload on rebuild. A service or pool whose host_spec says
// `watch` is reloaded (reload(name, {}): its own plugin file, rebuilt) each
// time plugin_watcher says that file settled after a change. The reloads run
// on the watcher's thread, one at a time. shutdown() stops the watcher
// before it stops the trees, so no reload starts during a shutdown (one
// that runs is waited for).
#include <spdlog/spdlog.h>

#include "manager_core.hpp"

namespace titan::detail {
namespace {

void watched_children(const supervisor_spec& s, std::vector<const child_spec*>& out) {
  for (const auto& c : s.children) {
    if (c.kind == child_kind::supervisor) {
      if (c.supervisor) watched_children(*c.supervisor, out);
    } else if (c.host.watch) {
      out.push_back(&c);
    }
  }
}

}  // namespace

// The tree runs already: a file that cannot be watched is logged, not
// thrown, so that supervise() does not fail for a tree that is up.
void manager_core::watch_plugins(const supervisor_spec& spec) {
  std::vector<const child_spec*> watched;
  watched_children(spec, watched);
  if (watched.empty()) return;
  std::lock_guard lock(watch_mu_);
  if (watch_closed_) return;
  try {
    if (!watcher_)
      watcher_ = std::make_unique<plugin_watcher>(
          [this](const std::string& name, const std::string& path) { on_plugin_changed(name, path); },
          opts_.watch_settle, log_);
  } catch (const std::exception& e) {
    log_->error("cannot watch plugin files: {}", e.what());
    return;
  }
  for (const child_spec* c : watched) {
    try {
      watcher_->watch(c->name, c->host.plugin);
      log_->info("watching {}: a rebuild reloads {}", c->host.plugin, c->name);
    } catch (const std::exception& e) {
      log_->error("cannot watch {} for {}: {}", c->host.plugin, c->name, e.what());
    }
  }
}

void manager_core::stop_watching() {
  std::unique_ptr<plugin_watcher> watcher;
  {
    std::lock_guard lock(watch_mu_);
    watch_closed_ = true;
    watcher = std::move(watcher_);
  }
  // Destroyed out of the lock: it waits for a reload in progress, whose
  // callback may take the lock.
  watcher.reset();
}

void manager_core::on_plugin_changed(const std::string& name, const std::string& path) {
  log_->info("plugin {} changed: reloading {}", path, name);
  try {
    const reload_report r = reload(name, {});
    log_->info("plugin {} changed: {} reloaded, {} -> {} in {} ms", path, name, r.previous_version, r.version,
               r.took.count());
  } catch (const Error& e) {
    if (e.code() == status_code::not_found) {
      // Its tree has ended; supervising it again watches it again.
      log_->info("plugin {} changed: {} no longer runs, so it is no longer watched", path, name);
      std::lock_guard lock(watch_mu_);
      if (watcher_) watcher_->unwatch(name);
      return;
    }
    // Rolled back: the old version keeps serving; the next rebuild tries again.
    log_->error("plugin {} changed, {} not reloaded: {}", path, name, e.message());
  } catch (const std::exception& e) {
    log_->error("plugin {} changed, {} not reloaded: {}", path, name, e.what());
  }
}

}  // namespace titan::detail
