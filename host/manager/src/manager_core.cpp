// manager_core: its parts, the loop, and the calls on single hosts (spawn,
// list, kill, stop, shutdown). Trees and pools: manager_trees.cpp.
#include "manager_core.hpp"

#include <signal.h>

#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include "logs/log_collector.hpp"
#include "process/host_binary.hpp"
#include "process/ready_wait.hpp"
#include "process/runtime_dir.hpp"
#include "registry/registry.hpp"
#include "reload/reload_transaction.hpp"
#include "titan/detail/poll.hpp"

namespace titan::detail {
namespace {

std::shared_ptr<spdlog::logger> default_logger() {
  auto log = std::make_shared<spdlog::logger>("titan-manager", std::make_shared<spdlog::sinks::stderr_color_sink_mt>());
  log->set_level(spdlog::level::warn);
  return log;
}

std::string control_endpoint_for(const ProcessManager::options& o, const runtime_dir& runtime) {
  return o.control_endpoint.empty() ? "ipc://" + runtime.path() + "/control.sock" : o.control_endpoint;
}

}  // namespace

manager_core::manager_core(ProcessManager::options opts)
    : opts_(std::move(opts)),
      log_(opts_.logger ? opts_.logger : default_logger()),
      runtime_(std::make_unique<runtime_dir>(opts_.runtime_dir)),
      logs_(opts_.log_dir.empty()
                ? nullptr
                : std::make_unique<log_collector>(opts_.log_dir, opts_.log_max_size, opts_.log_files, log_)),
      control_(std::make_unique<control_server>(ctx_, control_endpoint_for(opts_, *runtime_),
                                                static_cast<control_handler&>(*this))),
      hosts_(std::make_unique<host_table>(
          host_table::options{find_host_binary(opts_.host_binary), control_->endpoint(), opts_.heartbeat}, *runtime_,
          logs_.get(), static_cast<host_events&>(*this), *log_)),
      names_(std::make_unique<registry>(
          [this](const std::string& name) {
            std::vector<control::member> out;
            for (const host_record* r : hosts_->listed(name))
              out.push_back({r->info.id, r->member_key(), r->info.endpoint});
            return out;
          },
          [this](const std::string& rid, std::uint64_t call_id, const std::string& body) {
                                          return control_->send(rid, wire::kind::stream_item, call_id, body.data(),
                                                                body.size());
                                        })),
      engine_(std::make_unique<supervision>(static_cast<host_runner&>(*hosts_), *log_)),
      health_({opts_.heartbeat, opts_.liveness}, resident_bytes),
      api_([this](const std::string& rid, wire::kind k, std::uint64_t call_id, const std::string& body) {
        loop_.run([&] { control_->send(rid, k, call_id, body.data(), body.size()); });
      }),
      rebuilds_([this](const std::string& name) { return reload(name, {}); }, opts_.watch_settle, log_) {
  thread_ = std::thread([this] {
    loop_.set_loop_thread(std::this_thread::get_id());
    loop();
  });
}

manager_core::~manager_core() {
  shutdown({});
  // on_tree_exit callbacks may still use this manager: they end first.
  std::vector<std::thread> callbacks;
  {
    std::lock_guard lock(callbacks_mu_);
    callbacks.swap(callback_threads_);
  }
  for (auto& t : callbacks) t.join();
  // The API threads next, while the loop still runs: a call they answer
  // sends its reply through the loop.
  api_.stop();
  loop_.stop();
  thread_.join();
  // Then the parts, in reverse order of declaration: every host is reaped
  // by host_table's destructor.
}

const std::string& manager_core::runtime_path() const { return runtime_->path(); }

void manager_core::loop() {
  std::vector<zmq::pollitem_t> items;
  std::vector<int> fds;
  std::vector<host_record*> exits;
  while (!loop_.stopping()) {
    fds.clear();
    exits.clear();
    hosts_->exit_fds(fds, exits);
    items.assign({{control_->socket().handle(), 0, ZMQ_POLLIN, 0}, {nullptr, loop_.wake_fd(), ZMQ_POLLIN, 0}});
    for (int fd : fds) items.push_back({nullptr, fd, ZMQ_POLLIN, 0});
    std::optional<clock::time_point> wake_at = engine_->next_deadline();
    for (auto at : {std::optional(health_.next_check()), hosts_->next_deadline()})
      if (at && (!wake_at || *at < *wake_at)) wake_at = at;
    auto timeout = std::chrono::milliseconds(-1);
    if (wake_at)
      timeout = std::max(std::chrono::milliseconds(0),
                         std::chrono::ceil<std::chrono::milliseconds>(*wake_at - clock::now()));
    titan::detail::poll(items.data(), items.size(), timeout);
    if (items[1].revents & ZMQ_POLLIN) loop_.clear_wake();
    // Reports first: a host's `$failed` explains the exit that follows it.
    if (items[0].revents & ZMQ_POLLIN) control_->read();
    for (std::size_t i = 0; i < exits.size(); ++i)
      if (items[i + 2].revents & ZMQ_POLLIN) hosts_->on_exit(*exits[i]);
    const auto now = clock::now();
    hosts_->fail_unexplained_exits(now);
    hosts_->prune_exited();
    engine_->tick(now);
    if (now >= health_.next_check()) {
      for (const auto& v : health_.check(now)) {
        host_record* r = hosts_->find(v.id);
        if (r && r->child && r->info.state == process_state::running && r->kill_reason.empty())
          hosts_->fault_kill(*r, v.reason);
      }
    }
    loop_.run_queued();
  }
}

// host_events.
void manager_core::membership_changed(const std::string& group) { names_->publish(group); }
void manager_core::call_timeout_announced(const std::string& group, std::chrono::milliseconds timeout) {
  names_->set_call_timeout(group, timeout);
}
void manager_core::supervised_start_failed(std::uint64_t id, const std::string& reason) {
  engine_->host_start_failed(id, reason);
}
void manager_core::supervised_exited(std::uint64_t id, bool normal, bool by_manager, const std::string& reason) {
  engine_->host_exited(id, normal, by_manager, reason);
}
void manager_core::host_ended(std::uint64_t id) {
  health_.forget(id);
  stats_.forget(id);
}
void manager_core::read_reports() { control_->read(); }

// control_handler.
void manager_core::on_ready(const control::ready_report& report) {
  host_record* r = hosts_->on_ready(report);
  if (r == nullptr) return;
  // Hosts we spawned beat; one started by hand beats to nobody in particular.
  if (r->child && r->info.state == process_state::running)
    health_.watch(r->info.id, r->info.pid, r->max_memory, clock::now());
  if (r->supervised) engine_->host_ready(r->info.id);
}
void manager_core::on_failed(const control::failed_report& report) { hosts_->on_failed(report); }
void manager_core::on_heartbeat(const control::heartbeat_report& report) {
  if (host_record* r = hosts_->on_heartbeat(report)) health_.beat(r->info.id, clock::now());
}
void manager_core::on_watch(const std::string& routing_id, std::uint64_t call_id, const std::string& name) {
  names_->watch(routing_id, call_id, name);
}
void manager_core::on_unwatch(const std::string& routing_id, std::uint64_t call_id) {
  names_->unwatch(routing_id, call_id);
}
void manager_core::on_api_call(std::string routing_id, std::uint64_t call_id, std::string method, std::string body) {
  api_.submit(std::move(routing_id), call_id, std::move(method), std::move(body));
}

process_info manager_core::spawn(const std::string& plugin, const spawn_options& o, std::string_view expected) {
  host_table::check(o);
  std::future<process_info> ready;
  std::uint64_t id = 0;
  loop_.run([&] {
    host_record& r = hosts_->start(plugin, o, "", -1);
    r.ready.emplace();
    ready = r.ready->get_future();
    id = r.info.id;
  });
  process_info info = await_ready(ready, o.ready_timeout, loop_, *hosts_, id, "host for " + plugin);
  if (!expected.empty() && info.service != expected) {
    stop(id, std::chrono::milliseconds(1000), false);
    throw Error(status_code::invalid_argument, plugin + " serves '" + info.service + "', not '" +
                                                   std::string(expected) + "' as the requested proxy expects");
  }
  return info;
}

process_info manager_core::with_figures(const host_table::listing& l) {
  process_info info = l.info;
  if (info.state == process_state::exited || info.pid <= 0) return info;
  const auto s = stats_.read(info.id, info.pid, l.up_since);
  info.cpu_percent = s.cpu_percent;
  info.rss_bytes = s.rss_bytes;
  return info;
}

std::vector<process_info> manager_core::list() {
  std::vector<process_info> out;
  for (const auto& l : hosts_->list()) out.push_back(with_figures(l));
  return out;
}

std::vector<process_info> manager_core::members(const std::string& name) {
  std::vector<process_info> out;
  for (const auto& l : hosts_->members(name)) out.push_back(with_figures(l));
  return out;
}

std::optional<process_info> manager_core::get(std::uint64_t id) {
  auto l = hosts_->get(id);
  if (!l) return std::nullopt;
  return with_figures(*l);
}

bool manager_core::kill(std::uint64_t id, int sig) {
  bool sent = false;
  loop_.run([&] { sent = hosts_->signal(id, sig); });
  return sent;
}

bool manager_core::stop(std::uint64_t id, std::chrono::milliseconds timeout, bool force) {
  bool found = false;
  loop_.run([&] {
    host_record* r = hosts_->find(id);
    if (r == nullptr || !r->alive()) return;
    hosts_->set_state(*r, process_state::stopping);
    found = hosts_->stop(id, force);
  });
  if (!found) return false;
  if (!hosts_->wait_exited(id, timeout)) {
    loop_.run([&] { hosts_->kill_group(id); });
    while (!hosts_->wait_exited(id, std::chrono::seconds(1))) {
      // SIGKILL cannot be ignored: it exits, and the loop reaps it.
    }
  }
  return true;
}

void manager_core::shutdown(const shutdown_options& o) {
  rebuilds_.close();  // before the trees stop: no reload of a rebuilt plugin starts from now on
  // The trees first: each stops its children in reverse order, by their
  // own shutdown specs; then whatever was spawned on its own.
  std::promise<void> trees_done;
  bool first = false;
  loop_.run([&] {
    if (hosts_->closed()) return;
    hosts_->close();
    first = true;
    engine_->terminate_all(o.force, [&] { trees_done.set_value(); });
  });
  if (!first) return;
  trees_done.get_future().wait();
  std::vector<std::uint64_t> ids;
  loop_.run([&] { ids = hosts_->live_ids(); });
  for (auto id : ids) stop(id, o.timeout, o.force);
}

reload_report manager_core::reload(const std::string& name, const reload_options& opts) {
  return reload_transaction(loop_, *hosts_, *names_, *engine_, *log_).run(name, opts);
}

}  // namespace titan::detail
