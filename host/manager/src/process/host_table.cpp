#include "process/host_table.hpp"

#include <signal.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <spdlog/spdlog.h>

#include "logs/log_collector.hpp"
#include "process/runtime_dir.hpp"

namespace titan::detail {
namespace {

int pidfd_signal(const unique_fd& fd, int sig) {
  return static_cast<int>(::syscall(SYS_pidfd_send_signal, fd.get(), sig, nullptr, 0));
}

// Exited hosts stay listed for `ps` (with their exit reason), but only the
// latest few: a child that keeps crashing must not pile up records in a
// daemon that runs for months.
constexpr std::size_t exited_kept = 32;

// A `$failed` sent just before the exit may arrive after the pidfd fires.
constexpr auto explain_grace = std::chrono::milliseconds(250);

}  // namespace

host_table::host_table(options opts, const runtime_dir& runtime, log_collector* logs, host_events& events,
                       spdlog::logger& log)
    : opts_(std::move(opts)), runtime_(runtime), logs_(logs), events_(events), log_(log) {}

host_table::~host_table() = default;

host_record* host_table::find(std::uint64_t id) {
  auto it = records_.find(id);
  return it == records_.end() ? nullptr : it->second.get();
}

host_record& host_table::start(const std::string& plugin, const spawn_options& o, const std::string& group,
                               int slot) {
  if (closed_) throw Error(status_code::failed_precondition, "the process manager has been shut down");
  const std::uint64_t id = next_id_++;
  auto r = std::make_unique<host_record>();
  r->info.id = id;
  r->info.plugin = plugin;
  r->info.group = group;
  r->info.name = o.name;
  r->info.started = std::chrono::system_clock::now();
  r->slot = slot;
  const std::string bind = o.transport == "tcp" ? "tcp://127.0.0.1:*"
                                                : "ipc://" + runtime_.path() + "/host-" + std::to_string(id) + ".sock";
  std::vector<std::string> args{"--plugin",    plugin,      "--bind",        bind,
                                "--manager",   opts_.control_endpoint, "--id", std::to_string(id),
                                "--log-level", o.log_level, "--concurrency", std::to_string(o.concurrency),
                                "--heartbeat", std::to_string(opts_.heartbeat.count())};
  if (!o.name.empty()) args.insert(args.end(), {"--name", o.name});
  if (!o.config_file.empty()) args.insert(args.end(), {"--config", o.config_file});
  // Its stdout and stderr (its log) go to LOG_DIR/NAME.log when captured.
  const std::string log_name = !o.name.empty() ? o.name : std::filesystem::path(plugin).stem().string();
  unique_fd output = logs_ ? logs_->open_pipe(log_name) : unique_fd();
  r->child = std::make_unique<child_process>(
      opts_.host_binary, args, std::vector<std::string>{"TITAN_PARENT_PID=" + std::to_string(::getpid())},
      output.get());
  if (output) {
    output.reset();  // the child holds the only write end now
    r->info.log_file = logs_->path_for(log_name);
  }
  r->info.pid = r->child->pid();
  r->up_since = clock::now();
  std::lock_guard lock(mu_);
  return *records_.emplace(id, std::move(r)).first->second;
}

void host_table::check(const spawn_options& o) {
  if (o.transport != "ipc" && o.transport != "tcp")
    throw Error(status_code::invalid_argument, "transport must be \"ipc\" or \"tcp\", not \"" + o.transport + "\"");
  if (o.concurrency == 0) throw Error(status_code::invalid_argument, "concurrency must be at least 1");
}

spawn_options host_table::options_for(const host_request& r) const {
  spawn_options o;
  o.name = r.name;
  o.config_file = r.host.config_file;
  if (!r.host.config.empty()) {
    // An inline config table: handed over as a file in the runtime dir.
    o.config_file = runtime_.path() + "/" + r.name + ".config.toml";
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

host_record* host_table::find_reported(const std::string& id_text) {
  if (id_text.empty()) return nullptr;
  try {
    return find(std::stoull(id_text));
  } catch (const std::exception&) {
    return nullptr;  // not a token of ours
  }
}

host_record* host_table::on_ready(const control::ready_report& report) {
  host_record* r = find_reported(report.id);
  if (r == nullptr) return adopt(report);  // started by hand: titan-host --manager
  if (r->abandoned || !r->alive()) return nullptr;
  {
    std::lock_guard lock(mu_);
    r->info.name = report.name;
    r->info.service = report.service;
    r->info.version = report.version;
    r->info.build_id = report.build_id;
    r->info.endpoint = report.endpoints.empty() ? std::string() : report.endpoints.front();
    if (r->info.group.empty()) r->info.group = r->info.name;
    r->info.state = r->intentional_stop ? process_state::stopping : process_state::running;
  }
  r->stateful = report.stateful;
  r->up_since = clock::now();
  log_.info("host {} ({} {}) ready on {} as pid {}", r->info.id, r->info.service, r->info.version, r->info.endpoint,
            r->info.pid);
  events_.membership_changed(r->info.group);
  if (r->ready) {
    r->ready->set_value(r->info);
    r->ready.reset();
  }
  return r;
}

host_record* host_table::adopt(const control::ready_report& report) {
  if (report.pid <= 0) return nullptr;
  unique_fd fd(static_cast<int>(::syscall(SYS_pidfd_open, static_cast<pid_t>(report.pid), 0)));
  if (!fd) {
    log_.warn("a host (pid {}) reported READY but is not visible from here; ignored", report.pid);
    return nullptr;
  }
  auto r = std::make_unique<host_record>();
  r->adopted_pidfd = std::move(fd);
  r->info.id = next_id_++;
  r->info.adopted = true;
  r->info.pid = static_cast<pid_t>(report.pid);
  r->info.name = report.name;
  r->info.group = report.name;
  r->info.service = report.service;
  r->info.version = report.version;
  r->info.build_id = report.build_id;
  r->info.endpoint = report.endpoints.empty() ? std::string() : report.endpoints.front();
  r->info.started = std::chrono::system_clock::now();
  r->info.state = process_state::running;
  r->up_since = clock::now();
  log_.info("adopted host pid {} ({}) on {}", r->info.pid, r->info.name, r->info.endpoint);
  host_record* added;
  {
    std::lock_guard lock(mu_);
    added = records_.emplace(r->info.id, std::move(r)).first->second.get();
  }
  events_.membership_changed(added->info.group);
  return added;
}

// spawn() throws this reason once the host has exited and been reaped
// (on_exit), so that no failed host is still around when it returns.
void host_table::on_failed(const control::failed_report& report) {
  if (host_record* r = find_reported(report.id)) r->failure = report.message;
}

host_record* host_table::on_heartbeat(const control::heartbeat_report& report) {
  host_record* r = find_reported(report.id);
  if (r == nullptr) return nullptr;
  std::lock_guard lock(mu_);
  r->info.calls = report.calls;
  return r;
}

void host_table::on_exit(host_record& r) {
  int status = 0;
  if (r.child) {
    auto st = r.child->try_reap();  // closes its pidfd
    if (!st) return;
    status = *st;
    r.child->signal_group(SIGKILL);  // leave no grandchildren behind
    // A socket a killed host could not remove (one per restart otherwise).
    ::unlink((runtime_.path() + "/host-" + std::to_string(r.info.id) + ".sock").c_str());
  } else {
    r.adopted_pidfd.reset();  // an adopted host is not our child: its parent reaps it
  }
  const bool was_member = r.info.state == process_state::running || r.info.state == process_state::stopping;
  {
    std::lock_guard lock(mu_);
    r.info.state = process_state::exited;
    r.info.exit_reason = r.child ? describe_wait_status(status) : "exited";
    if (!r.kill_reason.empty()) r.info.exit_reason = r.kill_reason + " (" + r.info.exit_reason + ")";
  }
  exited_cv_.notify_all();
  events_.host_ended(r.info.id);
  if (was_member) events_.membership_changed(r.info.group);
  if (r.ready) {
    r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    if (r.failure.empty()) events_.read_reports();
    if (!r.failure.empty()) fail_start(r, start_error(r));
    else if (r.ready) r.explain_by = clock::now() + explain_grace;
    return;
  }
  log_.info("host {} ({}) {}", r.info.id, r.info.name, r.info.exit_reason);
  if (r.supervised) {
    // OTP: exit 0 and a stop by the manager are normal; a fault kill is not.
    const bool clean = r.child && WIFEXITED(status) && WEXITSTATUS(status) == 0;
    const bool normal = r.intentional_stop || (clean && r.kill_reason.empty());
    events_.supervised_exited(r.info.id, normal, r.intentional_stop, r.info.exit_reason);
  }
}

// What a host that exited before READY died of: its own report, or what
// its exit code means.
Error host_table::start_error(const host_record& r) const {
  const status_code code = r.exit_code == control::to_int(control::exit_code::plugin_not_found)
                               ? status_code::not_found
                               : status_code::failed_precondition;
  if (!r.failure.empty()) return Error(code, r.failure);
  std::string why = "titan-host for " + r.info.plugin + " " + r.info.exit_reason + " before it was ready";
  if (r.exit_code > 0)
    if (auto meaning = control::describe(r.exit_code); !meaning.empty()) why += " (" + std::string(meaning) + ")";
  return Error(code, why);
}

void host_table::fail_start(host_record& r, Error error) {
  if (!r.ready) return;
  // Stopped by the manager before READY (a stop, a scale down): not a failure.
  if (r.supervised && r.intentional_stop)
    events_.supervised_exited(r.info.id, true, true, "stopped before it was ready");
  else if (r.supervised)
    events_.supervised_start_failed(r.info.id, error.message());
  r.ready->set_exception(std::make_exception_ptr(std::move(error)));
  r.ready.reset();
}

void host_table::fail_unexplained_exits(clock::time_point now) {
  for (auto& [id, r] : records_)
    if (r->ready && r->explain_by && (*r->explain_by <= now || !r->failure.empty())) fail_start(*r, start_error(*r));
}

void host_table::abandon(host_record& r, Error why) {
  if (!r.ready) return;
  if (r.child && !r.child->reaped()) r.child->signal_group(SIGKILL);
  r.abandoned = true;  // a READY still on its way is ignored
  fail_start(r, std::move(why));
}

bool host_table::stop(std::uint64_t id, bool force) {
  host_record* r = find(id);
  if (r == nullptr || !r->alive()) return false;
  r->intentional_stop = true;
  if (r->info.state != process_state::starting) set_state(*r, process_state::stopping);
  events_.membership_changed(r->info.group);  // no new calls reach it
  signal(id, force ? SIGKILL : SIGTERM);      // SIGTERM: the host drains, then exits
  return true;
}

void host_table::fault_kill(host_record& r, std::string reason) {
  log_.error("host {} ({}): {}", r.info.id, r.info.name, reason);
  r.kill_reason = std::move(reason);
  set_state(r, process_state::stopping);
  events_.membership_changed(r.info.group);
  kill_group(r.info.id);
}

bool host_table::signal(std::uint64_t id, int sig) {
  host_record* r = find(id);
  if (r == nullptr || !r->alive()) return false;
  return r->child ? r->child->signal(sig) : pidfd_signal(r->adopted_pidfd, sig) == 0;
}

void host_table::kill_group(std::uint64_t id) {
  host_record* r = find(id);
  if (r == nullptr || !r->alive()) return;
  if (r->child) {
    if (!r->child->reaped()) r->child->signal_group(SIGKILL);
  } else {
    pidfd_signal(r->adopted_pidfd, SIGKILL);  // not ours: no group to reach
  }
}

void host_table::set_state(host_record& r, process_state s) {
  std::lock_guard lock(mu_);
  r.info.state = s;
}

void host_table::set_restarts(host_record& r, unsigned restarts, const std::string& supervisor) {
  std::lock_guard lock(mu_);
  r.info.restarts = restarts;
  r.info.supervisor = supervisor;
}

void host_table::prune_exited() {
  std::size_t exited = 0;
  for (const auto& [id, r] : records_) exited += !r->alive() && !r->ready ? 1 : 0;
  if (exited <= exited_kept) return;
  std::lock_guard lock(mu_);
  for (auto it = records_.begin(); it != records_.end() && exited > exited_kept;) {
    if (!it->second->alive() && !it->second->ready) {
      it = records_.erase(it);
      --exited;
    } else {
      ++it;
    }
  }
}

void host_table::exit_fds(std::vector<int>& fds, std::vector<host_record*>& records) {
  for (auto& [id, r] : records_) {
    if (!r->alive() || r->exit_fd() < 0) continue;
    fds.push_back(r->exit_fd());
    records.push_back(r.get());
  }
}

std::optional<host_table::clock::time_point> host_table::next_deadline() const {
  std::optional<clock::time_point> at;
  for (const auto& [id, r] : records_)  // rare: a host that died before READY, not yet explained
    if (r->ready && r->explain_by && (!at || *r->explain_by < *at)) at = r->explain_by;
  return at;
}

std::vector<std::uint64_t> host_table::live_ids() const {
  std::vector<std::uint64_t> ids;
  for (auto it = records_.rbegin(); it != records_.rend(); ++it)
    if (it->second->alive()) ids.push_back(it->first);
  return ids;
}

std::vector<const host_record*> host_table::listed(const std::string& group) const {
  std::vector<const host_record*> out;
  for (const auto& [id, r] : records_)
    if (r->info.group == group && r->listed()) out.push_back(r.get());
  return out;
}

std::uint64_t host_table::start_host(const host_request& req) {
  if (closed_) throw Error(status_code::failed_precondition, "the process manager is shutting down");
  const spawn_options o = options_for(req);
  if (req.host.call_timeout.count() > 0) events_.call_timeout_announced(req.group, req.host.call_timeout);
  host_record& r = start(req.host.plugin, o, req.group, req.slot);
  r.supervised = true;
  r.max_memory = req.host.max_memory;
  r.ready.emplace();  // never waited on; it drives the report-or-exit bookkeeping
  set_restarts(r, req.restarts, req.supervisor);
  return r.info.id;
}

void host_table::stop_host(std::uint64_t id, bool brutal) { stop(id, brutal); }

void host_table::kill_host(std::uint64_t id) { kill_group(id); }

void host_table::abandon_start(std::uint64_t id, const std::string& reason) {
  if (host_record* r = find(id)) abandon(*r, Error(status_code::deadline_exceeded, reason));
}

}  // namespace titan::detail
