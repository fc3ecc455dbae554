// manager_core: the machinery behind titan::ProcessManager, as the owner of
// its parts and the thread that runs them.
//
// One thread, the loop, owns every part below and is the only one that
// changes them: it spawns hosts (so PR_SET_PDEATHSIG in a host is tied to
// this long-lived thread, not to a caller's), reads the control socket,
// reaps hosts as their pidfds fire, runs the supervision engine and the
// health monitor, and pushes membership changes. The public methods run on
// the caller's thread: they hand work to the loop (event_loop::run) and
// wait for it; list(), members() and get() read the host table under its
// own lock, and /proc with no lock at all.
//
//   control_server ──reports──▶ manager_core ──▶ host_table (spawn, reap, signals)
//   api_workers (titan.manager calls) ──▶ ProcessManager ──▶ manager_core
//   supervision (OTP engine) ──host_runner──▶ host_table
//   host_table ──host_events──▶ registry (membership), supervision, health_monitor
//   reload_transaction, rebuild_watcher: on their callers' threads, through the loop
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include <zmq.hpp>

#include "control/api_workers.hpp"
#include "control/control_server.hpp"
#include "health/health_monitor.hpp"
#include "loop/event_loop.hpp"
#include "process/host_table.hpp"
#include "process/process_stats.hpp"
#include "supervision/supervision.hpp"
#include "titan/process_manager.hpp"
#include "watch/rebuild_watcher.hpp"

namespace titan::detail {

class log_collector;
class registry;
class runtime_dir;

class manager_core : private host_events, private control_handler {
 public:
  explicit manager_core(ProcessManager::options opts);
  ~manager_core() override;

  process_info spawn(const std::string& plugin, const spawn_options& opts, std::string_view expected_service);
  std::vector<process_info> start_pool(const std::string& plugin, const pool_options& opts,
                                       std::string_view expected_service);
  std::vector<process_info> scale(const std::string& name, std::size_t size);
  std::vector<process_info> list();
  std::vector<process_info> members(const std::string& name);
  std::optional<process_info> get(std::uint64_t id);
  bool kill(std::uint64_t id, int sig);
  bool stop(std::uint64_t id, std::chrono::milliseconds timeout, bool force);
  void shutdown(const shutdown_options& opts);
  void supervise(const supervisor_spec& spec);
  void set_tree_exit(supervision::exit_callback fn);
  std::vector<supervision_row> tree();
  reload_report reload(const std::string& name, const reload_options& opts);

  const std::string& control_endpoint() const { return control_->endpoint(); }
  const std::string& runtime_path() const;

  // Calls to methods that do not start with '$' on the control socket go to
  // this handler (api_workers); it returns the REPLY body or throws
  // titan::Error. Set before the first such call arrives.
  void set_service_handler(api_workers::handler handler) { api_.serve(std::move(handler)); }

 private:
  using clock = std::chrono::steady_clock;

  void loop();
  // Runs `start` on the loop (it gets a callback) and waits for the callback.
  void await_engine(const std::function<void(supervision::start_callback)>& start);
  process_info with_figures(const host_table::listing& l);  // cpu and rss from /proc; no lock held

  // host_events (the loop thread).
  void membership_changed(const std::string& group) override;
  void call_timeout_announced(const std::string& group, std::chrono::milliseconds timeout) override;
  void supervised_start_failed(std::uint64_t id, const std::string& reason) override;
  void supervised_exited(std::uint64_t id, bool normal, bool by_manager, const std::string& reason) override;
  void host_ended(std::uint64_t id) override;
  void read_reports() override;

  // control_handler (the loop thread).
  void on_ready(const control::ready_report& r) override;
  void on_failed(const control::failed_report& r) override;
  void on_heartbeat(const control::heartbeat_report& r) override;
  void on_watch(const std::string& routing_id, std::uint64_t call_id, const std::string& name) override;
  void on_unwatch(const std::string& routing_id, std::uint64_t call_id) override;
  void on_api_call(std::string routing_id, std::uint64_t call_id, std::string method, std::string body) override;

  ProcessManager::options opts_;
  std::shared_ptr<spdlog::logger> log_;
  std::unique_ptr<runtime_dir> runtime_;
  std::unique_ptr<log_collector> logs_;  // null when hosts' output is not captured
  zmq::context_t ctx_{1};
  event_loop loop_;
  std::unique_ptr<control_server> control_;
  std::unique_ptr<host_table> hosts_;
  std::unique_ptr<registry> names_;
  std::unique_ptr<supervision> engine_;  // after hosts_: it acts through them
  health_monitor health_;
  process_stats stats_;
  api_workers api_;
  rebuild_watcher rebuilds_;

  std::mutex callbacks_mu_;                     // guards callback_threads_
  std::vector<std::thread> callback_threads_;   // on_tree_exit callbacks, joined at destruction

  std::thread thread_;  // last: starts after everything above exists
};

}  // namespace titan::detail
