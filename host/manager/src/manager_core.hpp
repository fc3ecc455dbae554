// The machinery behind titan::ProcessManager. One thread (the loop) owns the
// control socket and every child: it spawns them (so PR_SET_PDEATHSIG in a
// host is tied to this long-lived thread, not to a caller's), reads READY and
// FAILED reports, reaps children as their pidfds fire, restarts pool members
// and pushes membership changes to watching clients. API calls hand work to
// the loop and wait for its outcome.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <future>
#include <map>
#include <memory>
#include <mutex>
#include <thread>

#include <zmq.hpp>
#include <zmq_addon.hpp>

#include "child_process.hpp"
#include "log_collector.hpp"
#include "plugin_watcher.hpp"
#include "runtime_dir.hpp"
#include "supervision/host_runner.hpp"
#include "supervision/supervision.hpp"
#include "titan/process_manager.hpp"
#include "titan/wire.hpp"

namespace titan::detail {

class manager_core : private host_runner {
 public:
  explicit manager_core(ProcessManager::options opts);
  ~manager_core();

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

  const std::string& control_endpoint() const { return control_endpoint_; }
  const std::string& runtime_path() const { return runtime_->path(); }

  // Runs `fn` on the loop thread and waits for it (exceptions propagate).
  void run_on_loop(std::function<void()> fn);

  // Calls to methods that do not start with '$' on the control socket go to
  // this handler, on a thread of its own; it returns the REPLY body or
  // throws titan::Error. Set before the first such call arrives.
  using service_handler = std::function<std::string(std::string_view method, const char* body, std::size_t size)>;
  void set_service_handler(service_handler handler);

 private:
  using clock = std::chrono::steady_clock;

  struct entry {
    process_info info;
    std::unique_ptr<child_process> child;  // null for an adopted host
    int adopted_pidfd = -1;
    std::optional<std::promise<process_info>> ready;  // set until READY or failure
    std::string failure;                               // the host's own `$failed` message
    int exit_code = -1;                                // once it exited before READY
    std::optional<clock::time_point> explain_by;       // until then its `$failed` may still come
    int slot = -1;                 // pool slot, -1 when not in a pool
    bool supervised = false;
    bool abandoned = false;        // given up on before READY (killed): a late READY is ignored       // started by the supervision engine, which hears of its READY and exit
    bool intentional_stop = false; // stopped by the manager: a normal exit
    bool unlisted = false;         // alive but out of its membership (a reload's new host
                                   // before the switch, or the old one after it)
    bool stateful = false;         // its plugin hands state over on a reload (snapshot())
    std::string kill_reason;       // killed by the manager for a fault (hung, memory): an abnormal exit
    std::uint64_t max_memory = 0;
    clock::time_point up_since;
    clock::time_point last_heartbeat;
    std::uint64_t cpu_ticks = 0;   // last sample, for cpu_percent
    clock::time_point cpu_sampled;
    bool alive() const;
    int exit_fd() const { return child ? child->pidfd() : adopted_pidfd; }
  };
  struct watcher {
    std::string routing_id;
    std::uint64_t call_id;
    std::string group;
  };

  void loop();
  entry& start_host(const std::string& plugin, const spawn_options& opts, const std::string& group, int slot);
  void on_control_message();
  void on_ready(entry& e, const msgpack::object& report);
  void on_failed(entry& e, const msgpack::object& report);
  void on_heartbeat(const msgpack::object& report);
  void adopt(const msgpack::object& report);
  void on_exit(entry& e);
  void on_watch(const zmq::message_t& routing_id, std::uint64_t call_id, const msgpack::object& args);
  void on_service_call(const zmq::message_t& routing_id, std::uint64_t call_id, std::string_view method,
                       zmq::message_t body);
  void reply(const std::string& routing_id, wire::kind k, std::uint64_t id, const char* body, std::size_t size);
  void publish(const std::string& group);
  std::string membership_body(const std::string& group);
  void fail_start(entry& e, Error error);
  Error start_error(const entry& e) const;
  void fail_unexplained_exits();
  void prune_exited();
  void monitor(clock::time_point now);  // heartbeats and memory limits
  void fault_kill(entry& e, std::string reason);
  entry* find(std::uint64_t id);
  process_info snapshot(entry& e);  // info with fresh cpu and rss; mu_ held
  // Runs `start` on the loop (it gets a callback) and waits for the callback.
  void await_engine(const std::function<void(supervision::start_callback)>& start);

  // Hot reload (manager_reload.cpp).
  struct reload_step;
  spawn_options options_for(const host_request& r);
  std::uint64_t start_spare(const reload_target& t, const std::string& plugin, std::future<process_info>& ready);
  void replace_one(reload_step& step, const std::string& plugin, const reload_options& opts);
  void switch_membership(reload_step& step);
  void await_probation(const std::vector<reload_step>& steps, const reload_options& opts);
  std::vector<std::uint64_t> commit(const std::vector<reload_step>& steps, const std::string& plugin,
                                    const std::string& name, bool plugin_changed);  // the hosts it stopped
  void await_exit(const std::vector<std::uint64_t>& ids, std::chrono::milliseconds grace = std::chrono::seconds(5));
  void roll_back(const std::vector<reload_step>& steps);
  std::string exit_of(std::uint64_t id);  // "" while it lives

  // Reload on rebuild, host_spec::watch (manager_watch.cpp).
  void watch_plugins(const supervisor_spec& spec);  // after supervise() started it
  void stop_watching();  // first in shutdown(): no reload starts after it
  void on_plugin_changed(const std::string& name, const std::string& path);  // the watcher's thread

  // host_runner, for the supervision engine (loop thread).
  std::uint64_t start_host(const host_request& request) override;
  void stop_host(std::uint64_t id, bool brutal) override;
  void kill_host(std::uint64_t id) override;
  void abandon_start(std::uint64_t id, const std::string& reason) override;

  ProcessManager::options opts_;
  std::shared_ptr<spdlog::logger> log_;
  std::unique_ptr<runtime_dir> runtime_;
  std::unique_ptr<log_collector> logs_;  // null when hosts' output is not captured
  std::string control_endpoint_;
  zmq::context_t ctx_{1};
  zmq::socket_t control_;
  int wake_fd_ = -1;

  mutable std::mutex mu_;
  std::condition_variable exited_cv_;  // a child changed to exited
  std::map<std::uint64_t, std::unique_ptr<entry>> entries_;  // id order = start order
  std::map<std::string, std::uint64_t> versions_;  // membership version per registered name
  std::map<std::string, std::chrono::milliseconds> call_timeouts_;  // announced with the membership
  std::unique_ptr<supervision> supervision_;
  clock::time_point next_monitor_{};
  std::vector<watcher> watchers_;
  std::uint64_t next_id_ = 1;
  std::deque<std::function<void()>> commands_;
  bool stopping_ = false;          // the loop thread ends
  bool service_stopping_ = false;  // the service thread ends
  bool shut_down_ = false;

  service_handler handler_;
  std::deque<std::function<void()>> service_jobs_;
  std::condition_variable service_cv_;
  std::thread service_thread_;
  std::deque<std::function<void()>> slow_jobs_;  // reloads, on a thread of their own
  std::thread slow_thread_;
  std::vector<std::thread> callback_threads_;  // on_tree_exit callbacks, joined at destruction
  std::mutex watch_mu_;                      // watcher_, watch_closed_
  std::unique_ptr<plugin_watcher> watcher_;  // created by the first watched child
  bool watch_closed_ = false;                // shutdown began

  std::thread thread_;  // last: starts after everything above exists
};

}  // namespace titan::detail
