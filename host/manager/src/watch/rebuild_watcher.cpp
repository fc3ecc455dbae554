#include "watch/rebuild_watcher.hpp"

#include <vector>

#include <spdlog/spdlog.h>

#include "watch/plugin_watcher.hpp"

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

rebuild_watcher::rebuild_watcher(reload_fn reload, std::chrono::milliseconds settle,
                                 std::shared_ptr<spdlog::logger> log)
    : reload_(std::move(reload)), settle_(settle), log_(std::move(log)) {}

rebuild_watcher::~rebuild_watcher() { close(); }

void rebuild_watcher::watch(const supervisor_spec& spec) {
  std::vector<const child_spec*> watched;
  watched_children(spec, watched);
  if (watched.empty()) return;
  std::lock_guard lock(mu_);
  if (closed_) return;
  try {
    if (!watcher_)
      watcher_ = std::make_unique<plugin_watcher>(
          [this](const std::string& name, const std::string& path) { on_changed(name, path); }, settle_, log_);
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

void rebuild_watcher::close() {
  std::unique_ptr<plugin_watcher> watcher;
  {
    std::lock_guard lock(mu_);
    closed_ = true;
    watcher = std::move(watcher_);
  }
  // Destroyed out of the lock: it waits for a reload in progress, whose
  // callback may take the lock.
  watcher.reset();
}

void rebuild_watcher::on_changed(const std::string& name, const std::string& path) {
  log_->info("plugin {} changed: reloading {}", path, name);
  try {
    const reload_report r = reload_(name);
    log_->info("plugin {} changed: {} reloaded, {} -> {} in {} ms", path, name, r.previous_version, r.version,
               r.took.count());
  } catch (const Error& e) {
    if (e.code() == status_code::not_found) {
      // Its tree has ended; supervising it again watches it again.
      log_->info("plugin {} changed: {} no longer runs, so it is no longer watched", path, name);
      std::lock_guard lock(mu_);
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
