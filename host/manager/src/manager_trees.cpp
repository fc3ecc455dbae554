// manager_core: supervision trees and pools, run by the supervision engine.
#include <spdlog/spdlog.h>

#include "manager_core.hpp"
#include "registry/registry.hpp"
#include "supervision/restart_window.hpp"

namespace titan::detail {

void manager_core::await_engine(const std::function<void(supervision::start_callback)>& start) {
  auto done = std::make_shared<std::promise<std::optional<std::string>>>();
  auto result = done->get_future();
  loop_.run([&] { start([done](std::optional<std::string> error) { done->set_value(std::move(error)); }); });
  if (auto error = result.get()) throw Error(status_code::failed_precondition, *error);
}

void manager_core::supervise(const supervisor_spec& spec) {
  if (auto problems = validate(spec); !problems.empty()) {
    std::string text = "invalid supervision tree:";
    for (const auto& p : problems) text += "\n  " + p.path + ": " + p.message;
    throw Error(status_code::invalid_argument, text);
  }
  child_spec top = supervisor_child(spec);
  await_engine([&](supervision::start_callback cb) {
    if (hosts_->closed()) throw Error(status_code::failed_precondition, "the process manager has been shut down");
    if (names_->known(spec.name) || engine_->has_pool(spec.name))
      throw Error(status_code::failed_precondition, "'" + spec.name + "' is already registered");
    engine_->add_tree(top, std::move(cb));
  });
  rebuilds_.watch(spec);  // only a tree that started: one that failed left nothing to reload
}

// The callback runs on a thread of its own, not the loop: it may call any
// ProcessManager method (they wait for the loop), shutdown() included.
void manager_core::set_tree_exit(supervision::exit_callback fn) {
  loop_.run([&] {
    engine_->set_exit_callback([this, fn = std::move(fn)](const std::string& name, bool escalated,
                                                               const std::string& reason) {
      std::lock_guard lock(callbacks_mu_);
      callback_threads_.emplace_back([fn, name, escalated, reason] { fn(name, escalated, reason); });
    });
  });
}

std::vector<supervision_row> manager_core::tree() {
  std::vector<supervision_row> rows;
  loop_.run([&] { rows = engine_->rows(); });
  return rows;
}

// A pool on its own: a top-level pool that restarts members for ever
// (with backoff), as PM2's cluster mode does.
std::vector<process_info> manager_core::start_pool(const std::string& plugin, const pool_options& o,
                                                   std::string_view expected) {
  if (o.name.empty()) throw Error(status_code::invalid_argument, "a pool needs a name");
  host_table::check(o.host);
  host_spec h{.plugin = plugin,
              .config_file = o.host.config_file,
              .concurrency = o.host.concurrency,
              .transport = o.host.transport,
              .log_level = o.host.log_level,
              .ready_timeout = o.host.ready_timeout,
              .call_timeout = std::chrono::milliseconds(0)};  // the proxy's own options decide
  child_spec top = pool_child(o.name, plugin, o.size, o.strategy, h);
  top.pool_flags.intensity = restart_window::unlimited;
  await_engine([&](supervision::start_callback cb) {
    if (hosts_->closed()) throw Error(status_code::failed_precondition, "the process manager has been shut down");
    if (engine_->has_pool(o.name)) throw Error(status_code::failed_precondition, "'" + o.name + "' is already registered");
    engine_->add_tree(top, std::move(cb));
  });
  std::vector<process_info> out = members(o.name);
  if (!expected.empty() && !out.empty() && out.front().service != expected) {
    scale(o.name, 0);
    throw Error(status_code::invalid_argument, plugin + " serves '" + out.front().service + "', not '" +
                                                   std::string(expected) + "' as the requested proxy expects");
  }
  return out;
}

std::vector<process_info> manager_core::scale(const std::string& name, std::size_t size) {
  auto done = std::make_shared<std::promise<std::optional<std::string>>>();
  auto result = done->get_future();
  loop_.run([&] {
    if (!engine_->has_pool(name)) throw Error(status_code::not_found, "no pool named '" + name + "'");
    engine_->scale(name, size, [done](std::optional<std::string> error) { done->set_value(std::move(error)); });
  });
  if (auto error = result.get()) throw Error(status_code::failed_precondition, *error);
  return members(name);
}

}  // namespace titan::detail
