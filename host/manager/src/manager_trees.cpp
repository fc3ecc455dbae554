// manager_core: pools and supervision trees (run by the supervision
// engine), the host_runner the engine acts through, and the monitor that
// finds hung hosts and hosts over their memory limit.
#include <signal.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <fstream>
#include <spdlog/spdlog.h>

#include "manager_core.hpp"
#include "supervision/restart_window.hpp"

namespace titan::detail {
namespace {

std::string megabytes(std::uint64_t bytes) { return std::to_string((bytes + (1u << 19)) >> 20) + " MB"; }

std::uint64_t rss_of(pid_t pid) {
  std::ifstream statm("/proc/" + std::to_string(pid) + "/statm");
  std::uint64_t size = 0, resident = 0;
  if (!(statm >> size >> resident)) return 0;
  return resident * static_cast<std::uint64_t>(::sysconf(_SC_PAGESIZE));
}

}  // namespace

void manager_core::await_engine(const std::function<void(supervision::start_callback)>& start) {
  auto done = std::make_shared<std::promise<std::optional<std::string>>>();
  auto result = done->get_future();
  run_on_loop([&] { start([done](std::optional<std::string> error) { done->set_value(std::move(error)); }); });
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
    if (shut_down_) throw Error(status_code::failed_precondition, "the process manager has been shut down");
    if (versions_.count(spec.name) || supervision_->has_pool(spec.name))
      throw Error(status_code::failed_precondition, "'" + spec.name + "' is already registered");
    supervision_->add_tree(top, std::move(cb));
  });
  watch_plugins(spec);  // only a tree that started: one that failed left nothing to reload
}

// The callback runs on a thread of its own, not the loop: it may call any
// ProcessManager method (they wait for the loop), shutdown() included.
void manager_core::set_tree_exit(supervision::exit_callback fn) {
  run_on_loop([&] {
    supervision_->set_exit_callback([this, fn = std::move(fn)](const std::string& name, bool escalated,
                                                               const std::string& reason) {
      std::lock_guard lock(mu_);
      callback_threads_.emplace_back([fn, name, escalated, reason] { fn(name, escalated, reason); });
    });
  });
}

std::vector<supervision_row> manager_core::tree() {
  std::vector<supervision_row> rows;
  run_on_loop([&] { rows = supervision_->rows(); });
  return rows;
}

// A pool on its own: a top-level pool that restarts members for ever
// (with backoff), as PM2's cluster mode does.
std::vector<process_info> manager_core::start_pool(const std::string& plugin, const pool_options& o,
                                                   std::string_view expected) {
  if (o.name.empty()) throw Error(status_code::invalid_argument, "a pool needs a name");
  if (o.host.transport != "ipc" && o.host.transport != "tcp")
    throw Error(status_code::invalid_argument, "transport must be \"ipc\" or \"tcp\", not \"" + o.host.transport + "\"");
  if (o.host.concurrency == 0) throw Error(status_code::invalid_argument, "concurrency must be at least 1");
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
    if (shut_down_) throw Error(status_code::failed_precondition, "the process manager has been shut down");
    if (supervision_->has_pool(o.name)) throw Error(status_code::failed_precondition, "'" + o.name + "' is already registered");
    supervision_->add_tree(top, std::move(cb));
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
  run_on_loop([&] {
    if (!supervision_->has_pool(name)) throw Error(status_code::not_found, "no pool named '" + name + "'");
    supervision_->scale(name, size, [done](std::optional<std::string> error) { done->set_value(std::move(error)); });
  });
  if (auto error = result.get()) throw Error(status_code::failed_precondition, *error);
  return members(name);
}

// How a supervised host is spawned (by the engine, or by a reload).
spawn_options manager_core::options_for(const host_request& r) {
  spawn_options o;
  o.name = r.name;
  o.config_file = r.host.config_file;
  if (!r.host.config.empty()) {
    // An inline config table: handed over as a file in the runtime dir.
    o.config_file = runtime_->path() + "/" + r.name + ".config.toml";
    std::ofstream f(o.config_file, std::ios::trunc);
    f << r.host.config;
    if (!f) throw Error(status_code::internal, "cannot write " + o.config_file);
  }
  o.concurrency = r.host.concurrency;
  o.transport = r.host.transport;
  o.log_level = r.host.log_level;
  o.ready_timeout = r.host.ready_timeout;
  return o;
}

std::uint64_t manager_core::start_host(const host_request& r) {
  if (shut_down_) throw Error(status_code::failed_precondition, "the process manager is shutting down");
  const spawn_options o = options_for(r);
  if (r.host.call_timeout.count() > 0) call_timeouts_[r.group] = r.host.call_timeout;
  entry& e = start_host(r.host.plugin, o, r.group, r.slot);
  e.supervised = true;
  e.max_memory = r.host.max_memory;
  e.ready.emplace();  // never waited on; it drives the report-or-exit bookkeeping
  std::lock_guard lock(mu_);
  e.info.restarts = r.restarts;
  e.info.supervisor = r.supervisor;
  return e.info.id;
}

void manager_core::stop_host(std::uint64_t id, bool brutal) {
  entry* e = find(id);
  if (e == nullptr || !e->alive()) return;
  e->intentional_stop = true;
  {
    std::lock_guard lock(mu_);
    if (e->info.state != process_state::starting) e->info.state = process_state::stopping;
  }
  publish(e->info.group);  // no new calls reach it
  if (e->child) e->child->signal(brutal ? SIGKILL : SIGTERM);
}

void manager_core::kill_host(std::uint64_t id) {
  entry* e = find(id);
  if (e != nullptr && e->alive() && e->child && !e->child->reaped()) e->child->signal_group(SIGKILL);
}

void manager_core::abandon_start(std::uint64_t id, const std::string& reason) {
  entry* e = find(id);
  if (e == nullptr || !e->ready) return;
  if (e->child && !e->child->reaped()) e->child->signal_group(SIGKILL);
  e->abandoned = true;  // a READY still on its way is ignored
  fail_start(*e, Error(status_code::deadline_exceeded, reason));
}

void manager_core::on_heartbeat(const msgpack::object& report) {
  const msgpack::object* id = nullptr;
  const msgpack::object* calls = nullptr;
  if (report.type != msgpack::type::MAP) return;
  for (std::uint32_t i = 0; i < report.via.map.size; ++i) {
    const auto& kv = report.via.map.ptr[i];
    if (kv.key.type != msgpack::type::STR) continue;
    const std::string_view key(kv.key.via.str.ptr, kv.key.via.str.size);
    if (key == "id") id = &kv.val;
    if (key == "calls") calls = &kv.val;
  }
  if (id == nullptr || id->type != msgpack::type::STR) return;
  entry* e = nullptr;
  try {
    e = find(std::stoull(std::string(id->via.str.ptr, id->via.str.size)));
  } catch (const std::exception&) {
  }
  if (e == nullptr) return;
  e->last_heartbeat = clock::now();
  if (calls && calls->type == msgpack::type::POSITIVE_INTEGER) {
    std::lock_guard lock(mu_);
    e->info.calls = calls->via.u64;
  }
}

// Every few hundred ms: a host that missed `liveness` heartbeats is hung
// (a stuck socket thread, SIGSTOP): SIGKILL. A host above its max_memory is
// drained and stopped. Either way its supervisor restarts it by its policy,
// and the reason shows in `ps`.
void manager_core::monitor(clock::time_point now) {
  const auto every = std::min<std::chrono::milliseconds>(std::chrono::milliseconds(250),
                                                         opts_.heartbeat.count() > 0 ? opts_.heartbeat / 2
                                                                                     : std::chrono::milliseconds(250));
  next_monitor_ = now + std::max(every, std::chrono::milliseconds(10));
  const auto limit = opts_.heartbeat * opts_.liveness;
  for (auto& [id, e] : entries_) {
    if (!e->child || e->info.state != process_state::running || !e->kill_reason.empty()) continue;
    if (opts_.heartbeat.count() > 0 && now - e->last_heartbeat > limit) {
      const auto silent = std::chrono::duration_cast<std::chrono::milliseconds>(now - e->last_heartbeat).count();
      fault_kill(*e, "no heartbeat for " + std::to_string(silent) + " ms (hung or stopped); killed");
      continue;
    }
    if (e->max_memory == 0) continue;
    if (const std::uint64_t rss = rss_of(e->info.pid); rss > e->max_memory)
      fault_kill(*e, "memory " + megabytes(rss) + " above max_memory " + megabytes(e->max_memory) + "; killed");
  }
}

void manager_core::fault_kill(entry& e, std::string reason) {
  log_->error("host {} ({}): {}", e.info.id, e.info.name, reason);
  e.kill_reason = std::move(reason);
  {
    std::lock_guard lock(mu_);
    e.info.state = process_state::stopping;
  }
  publish(e.info.group);
  e.child->signal_group(SIGKILL);
}

}  // namespace titan::detail
