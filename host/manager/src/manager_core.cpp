// manager_core: the loop, starting and stopping hosts, reaping, process figures.
#include "manager_core.hpp"

#include <signal.h>
#include <sys/eventfd.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include "host_binary.hpp"
#include "titan/detail/poll.hpp"

namespace titan::detail {
namespace {

std::shared_ptr<spdlog::logger> default_logger() {
  auto log = std::make_shared<spdlog::logger>("titan-manager", std::make_shared<spdlog::sinks::stderr_color_sink_mt>());
  log->set_level(spdlog::level::warn);
  return log;
}

}  // namespace

bool manager_core::entry::alive() const {
  return info.state != process_state::exited;
}

manager_core::manager_core(ProcessManager::options opts)
    : opts_(std::move(opts)),
      log_(opts_.logger ? opts_.logger : default_logger()),
      runtime_(std::make_unique<runtime_dir>(opts_.runtime_dir)),
      control_endpoint_(opts_.control_endpoint.empty() ? "ipc://" + runtime_->path() + "/control.sock"
                                                        : opts_.control_endpoint),
      control_(ctx_, zmq::socket_type::router),
      wake_fd_(::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC)) {
  opts_.host_binary = find_host_binary(opts_.host_binary);
  control_.set(zmq::sockopt::linger, 0);
  control_.set(zmq::sockopt::maxmsgsize, int64_t{1} << 20);
  control_.set(zmq::sockopt::router_mandatory, 1);  // a send to a peer that is gone fails: drop its watches
  try {
    control_.bind(control_endpoint_);
  } catch (const zmq::error_t& e) {
    throw Error(status_code::failed_precondition, "cannot bind the control endpoint " + control_endpoint_ + ": " + e.what());
  }
  control_endpoint_ = control_.get(zmq::sockopt::last_endpoint);  // tcp://...:* gets its port
  if (!opts_.log_dir.empty())
    logs_ = std::make_unique<log_collector>(opts_.log_dir, opts_.log_max_size, opts_.log_files, log_);
  supervision_ = std::make_unique<supervision>(static_cast<host_runner&>(*this), *log_);
  thread_ = std::thread([this] { loop(); });
}

manager_core::~manager_core() {
  shutdown({});
  // on_tree_exit callbacks may still use this manager: they end first.
  std::vector<std::thread> callbacks;
  {
    std::lock_guard lock(mu_);
    callbacks.swap(callback_threads_);
  }
  for (auto& t : callbacks) t.join();
  // The service thread first, while the loop still runs: a call it is
  // answering sends its reply through the loop.
  {
    std::lock_guard lock(mu_);
    service_stopping_ = true;
  }
  service_cv_.notify_all();
  if (service_thread_.joinable()) service_thread_.join();
  if (slow_thread_.joinable()) slow_thread_.join();
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  std::uint64_t one = 1;
  [[maybe_unused]] auto n = ::write(wake_fd_, &one, sizeof one);
  thread_.join();
  for (auto& [id, e] : entries_)
    if (e->adopted_pidfd >= 0) ::close(e->adopted_pidfd);
  entries_.clear();  // every child is reaped by now
  ::close(wake_fd_);
}

void manager_core::run_on_loop(std::function<void()> fn) {
  if (std::this_thread::get_id() == thread_.get_id()) return fn();
  std::promise<void> done;
  auto fut = done.get_future();
  {
    std::lock_guard lock(mu_);
    commands_.push_back([&] {
      try {
        fn();
        done.set_value();
      } catch (...) {
        done.set_exception(std::current_exception());
      }
    });
  }
  std::uint64_t one = 1;
  [[maybe_unused]] auto n = ::write(wake_fd_, &one, sizeof one);
  fut.get();
}

manager_core::entry* manager_core::find(std::uint64_t id) {
  auto it = entries_.find(id);
  return it == entries_.end() ? nullptr : it->second.get();
}

// On the loop thread.
manager_core::entry& manager_core::start_host(const std::string& plugin, const spawn_options& o,
                                              const std::string& group, int slot) {
  if (shut_down_) throw Error(status_code::failed_precondition, "the process manager has been shut down");
  const std::uint64_t id = next_id_++;
  auto e = std::make_unique<entry>();
  e->info.id = id;
  e->info.plugin = plugin;
  e->info.group = group;
  e->info.name = o.name;
  e->info.started = std::chrono::system_clock::now();
  e->slot = slot;
  const std::string bind = o.transport == "tcp" ? "tcp://127.0.0.1:*"
                                                : "ipc://" + runtime_->path() + "/host-" + std::to_string(id) + ".sock";
  std::vector<std::string> args{"--plugin",    plugin,      "--bind",        bind,
                                "--manager",   control_endpoint_, "--id",   std::to_string(id),
                                "--log-level", o.log_level, "--concurrency", std::to_string(o.concurrency),
                                "--heartbeat", std::to_string(opts_.heartbeat.count())};
  if (!o.name.empty()) args.insert(args.end(), {"--name", o.name});
  if (!o.config_file.empty()) args.insert(args.end(), {"--config", o.config_file});
  // Its stdout and stderr (its log) go to LOG_DIR/NAME.log when captured.
  const std::string log_name = !o.name.empty() ? o.name : std::filesystem::path(plugin).stem().string();
  unique_fd output = logs_ ? logs_->open_pipe(log_name) : unique_fd();
  e->child = std::make_unique<child_process>(
      opts_.host_binary, args, std::vector<std::string>{"TITAN_PARENT_PID=" + std::to_string(::getpid())}, output.get());
  if (output) {
    output.reset();  // the child holds the only write end now
    e->info.log_file = logs_->path_for(log_name);
  }
  e->info.pid = e->child->pid();
  e->last_heartbeat = clock::now();
  std::lock_guard lock(mu_);
  return *entries_.emplace(id, std::move(e)).first->second;
}

process_info manager_core::spawn(const std::string& plugin, const spawn_options& o, std::string_view expected) {
  if (o.transport != "ipc" && o.transport != "tcp")
    throw Error(status_code::invalid_argument, "transport must be \"ipc\" or \"tcp\", not \"" + o.transport + "\"");
  if (o.concurrency == 0) throw Error(status_code::invalid_argument, "concurrency must be at least 1");
  std::future<process_info> ready;
  std::uint64_t id = 0;
  run_on_loop([&] {
    entry& e = start_host(plugin, o, "", -1);
    e.ready.emplace();
    ready = e.ready->get_future();
    id = e.info.id;
  });
  if (ready.wait_for(o.ready_timeout) != std::future_status::ready) {
    run_on_loop([&] {
      if (entry* e = find(id); e && e->ready) {
        if (!e->child->reaped()) e->child->signal_group(SIGKILL);
        e->abandoned = true;
        fail_start(*e, Error(status_code::deadline_exceeded, "host for " + plugin + " did not report READY within " +
                                                                 std::to_string(o.ready_timeout.count()) + " ms"));
      }
    });
  }
  process_info info = ready.get();  // throws the host's reason
  if (!expected.empty() && info.service != expected) {
    stop(id, std::chrono::milliseconds(1000), false);
    throw Error(status_code::invalid_argument, plugin + " serves '" + info.service + "', not '" +
                                                   std::string(expected) + "' as the requested proxy expects");
  }
  return info;
}

// What a host that exited before READY died of: its own report, or what
// its exit code means (titan-host --help).
Error manager_core::start_error(const entry& e) const {
  const status_code code = e.exit_code == 3 ? status_code::not_found : status_code::failed_precondition;
  if (!e.failure.empty()) return Error(code, e.failure);
  static constexpr const char* meanings[] = {"",
                                             "runtime error",
                                             "bad command line",
                                             "plugin not found",
                                             "the plugin could not be loaded",
                                             "not a Titan plugin",
                                             "ABI mismatch",
                                             "the service's constructor threw",
                                             "an endpoint could not be bound",
                                             "the config could not be read"};
  std::string why = "titan-host for " + e.info.plugin + " " + e.info.exit_reason + " before it was ready";
  if (e.exit_code > 0 && e.exit_code < 10) why += " (" + std::string(meanings[e.exit_code]) + ")";
  return Error(code, why);
}

void manager_core::fail_unexplained_exits() {
  const auto now = clock::now();
  for (auto& [id, e] : entries_)
    if (e->ready && e->explain_by && (*e->explain_by <= now || !e->failure.empty())) fail_start(*e, start_error(*e));
}

void manager_core::fail_start(entry& e, Error error) {
  if (!e.ready) return;
  // Stopped by the manager before READY (a stop, a scale down): not a failure.
  if (e.supervised && e.intentional_stop)
    supervision_->host_exited(e.info.id, true, true, "stopped before it was ready");
  else if (e.supervised)
    supervision_->host_start_failed(e.info.id, error.message());
  e.ready->set_exception(std::make_exception_ptr(std::move(error)));
  e.ready.reset();
}

void manager_core::loop() {
  std::vector<zmq::pollitem_t> items;
  std::vector<entry*> watched;
  for (;;) {
    items.assign({{control_.handle(), 0, ZMQ_POLLIN, 0}, {nullptr, wake_fd_, ZMQ_POLLIN, 0}});
    watched.clear();
    {
      std::lock_guard lock(mu_);
      if (stopping_) return;
      for (auto& [id, e] : entries_) {
        if (!e->alive() || e->exit_fd() < 0) continue;
        items.push_back({nullptr, e->exit_fd(), ZMQ_POLLIN, 0});
        watched.push_back(e.get());
      }
    }
    std::optional<clock::time_point> wake_at = supervision_->next_deadline();
    if (!wake_at || next_monitor_ < *wake_at) wake_at = next_monitor_;
    for (const auto& [id, e] : entries_)  // rare: a host that died before READY, not yet explained
      if (e->ready && e->explain_by && (!wake_at || *e->explain_by < *wake_at)) wake_at = e->explain_by;
    auto timeout = std::chrono::milliseconds(-1);
    if (wake_at)
      timeout = std::max(std::chrono::milliseconds(0), std::chrono::ceil<std::chrono::milliseconds>(*wake_at - clock::now()));
    titan::detail::poll(items.data(), items.size(), timeout);
    if (items[1].revents & ZMQ_POLLIN) {
      std::uint64_t n;
      [[maybe_unused]] auto r = ::read(wake_fd_, &n, sizeof n);
    }
    // Reports first: a host's `$failed` explains the exit that follows it.
    if (items[0].revents & ZMQ_POLLIN) on_control_message();
    for (std::size_t i = 0; i < watched.size(); ++i)
      if (items[i + 2].revents & ZMQ_POLLIN) on_exit(*watched[i]);
    fail_unexplained_exits();
    prune_exited();
    const auto now = clock::now();
    supervision_->tick(now);
    if (now >= next_monitor_) monitor(now);
    std::deque<std::function<void()>> cmds;
    {
      std::lock_guard lock(mu_);
      cmds.swap(commands_);
    }
    for (auto& c : cmds) c();
  }
}

void manager_core::on_exit(entry& e) {
  int status = 0;
  if (e.child) {
    auto st = e.child->try_reap();
    if (!st) return;
    status = *st;
    e.child->signal_group(SIGKILL);  // leave no grandchildren behind
    // A socket a killed host could not remove (one per restart otherwise).
    ::unlink((runtime_->path() + "/host-" + std::to_string(e.info.id) + ".sock").c_str());
  } else {
    ::close(e.adopted_pidfd);  // an adopted host is not our child: its parent reaps it
    e.adopted_pidfd = -1;
  }
  const bool was_member = e.info.state == process_state::running || e.info.state == process_state::stopping;
  {
    std::lock_guard lock(mu_);
    e.info.state = process_state::exited;
    e.info.exit_reason = e.child ? describe_wait_status(status) : "exited";
    if (!e.kill_reason.empty()) e.info.exit_reason = e.kill_reason + " (" + e.info.exit_reason + ")";
  }
  exited_cv_.notify_all();
  if (was_member) publish(e.info.group);
  if (e.ready) {
    e.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    if (!e.failure.empty()) {
      fail_start(e, start_error(e));
    } else {
      // Its `$failed` may still be on its way through the control socket.
      on_control_message();
      if (e.ready) e.explain_by = clock::now() + std::chrono::milliseconds(250);
    }
    return;
  }
  log_->info("host {} ({}) {}", e.info.id, e.info.name, e.info.exit_reason);
  if (e.supervised) {
    // OTP: exit 0 and a stop by the manager are normal; a fault kill is not.
    const bool clean = e.child && WIFEXITED(status) && WEXITSTATUS(status) == 0;
    const bool normal = e.intentional_stop || (clean && e.kill_reason.empty());
    supervision_->host_exited(e.info.id, normal, e.intentional_stop, e.info.exit_reason);
  }
}

bool manager_core::kill(std::uint64_t id, int sig) {
  bool sent = false;
  run_on_loop([&] {
    entry* e = find(id);
    if (e == nullptr || !e->alive()) return;
    sent = e->child ? e->child->signal(sig) : ::syscall(SYS_pidfd_send_signal, e->adopted_pidfd, sig, nullptr, 0) == 0;
  });
  return sent;
}

bool manager_core::stop(std::uint64_t id, std::chrono::milliseconds timeout, bool force) {
  bool found = false;
  run_on_loop([&] {
    entry* e = find(id);
    if (e == nullptr || !e->alive()) return;
    found = true;
    e->intentional_stop = true;
    {
      std::lock_guard lock(mu_);
      e->info.state = process_state::stopping;
    }
    publish(e->info.group);  // no new calls reach it
    if (e->child)
      e->child->signal(force ? SIGKILL : SIGTERM);  // SIGTERM: the host drains, then exits
    else
      ::syscall(SYS_pidfd_send_signal, e->adopted_pidfd, force ? SIGKILL : SIGTERM, nullptr, 0);
  });
  if (!found) return false;
  auto exited = [&] {
    auto it = entries_.find(id);  // an exited entry may be pruned meanwhile
    return it == entries_.end() || it->second->info.state == process_state::exited;
  };
  std::unique_lock lock(mu_);
  if (!exited_cv_.wait_for(lock, timeout, exited)) {
    lock.unlock();
    run_on_loop([&] {
      entry* e = find(id);
      if (e && e->child && !e->child->reaped()) e->child->signal_group(SIGKILL);
      else if (e) ::syscall(SYS_pidfd_send_signal, e->adopted_pidfd, SIGKILL, nullptr, 0);
    });
    lock.lock();
    exited_cv_.wait(lock, exited);  // SIGKILL cannot be ignored
  }
  return true;
}

void manager_core::shutdown(const shutdown_options& o) {
  stop_watching();  // before the trees stop: no reload of a rebuilt plugin starts from now on
  // The trees first: each stops its children in reverse order, by their
  // own shutdown specs; then whatever was spawned on its own.
  std::promise<void> trees_done;
  bool first = false;
  run_on_loop([&] {
    if (shut_down_) return;
    shut_down_ = true;
    first = true;
    supervision_->terminate_all(o.force, [&] { trees_done.set_value(); });
  });
  if (!first) return;
  trees_done.get_future().wait();
  std::vector<std::uint64_t> ids;
  run_on_loop([&] {
    for (auto it = entries_.rbegin(); it != entries_.rend(); ++it)
      if (it->second->alive()) ids.push_back(it->first);
  });
  for (auto id : ids) stop(id, o.timeout, o.force);
}

}  // namespace titan::detail
