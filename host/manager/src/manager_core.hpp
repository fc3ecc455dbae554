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
#include "runtime_dir.hpp"
#include "titan/process_manager.hpp"
#include "titan/wire.hpp"

namespace titan::detail {

class manager_core {
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
    bool intentional_stop = false; // stopped by us: not restarted
    clock::time_point up_since;
    std::uint64_t cpu_ticks = 0;   // last sample, for cpu_percent
    clock::time_point cpu_sampled;
    bool alive() const;
    int exit_fd() const { return child ? child->pidfd() : adopted_pidfd; }
  };
  struct pool_slot {
    std::uint64_t host = 0;  // the entry serving this slot now
    unsigned restarts = 0;
    std::optional<clock::time_point> restart_at;
    bool retired = false;    // scaled away or stopped: never restarted
  };
  struct group {
    std::string name;
    std::string plugin;
    spawn_options opts;
    bool pool = false;
    std::vector<pool_slot> slots;
    std::uint64_t version = 0;
  };
  struct watcher {
    std::string routing_id;
    std::uint64_t call_id;
    std::string group;
  };

  void loop();
  entry& start_host(const std::string& plugin, const spawn_options& opts, const std::string& group, int slot);
  void start_slot(group& g, std::size_t slot, bool with_promise);
  void on_control_message();
  void on_ready(entry& e, const msgpack::object& report);
  void on_failed(entry& e, const msgpack::object& report);
  void adopt(const msgpack::object& report);
  void on_exit(entry& e);
  void on_watch(const zmq::message_t& routing_id, std::uint64_t call_id, const msgpack::object& args);
  void on_service_call(const zmq::message_t& routing_id, std::uint64_t call_id, std::string_view method,
                       zmq::message_t body);
  void reply(const std::string& routing_id, wire::kind k, std::uint64_t id, const char* body, std::size_t size);
  void publish(const std::string& group);
  std::string membership_body(const std::string& group);
  void schedule_restart(group& g, const entry& e, bool was_member);
  void run_due_restarts();
  std::optional<clock::time_point> next_restart() const;
  void fail_start(entry& e, Error error);
  Error start_error(const entry& e) const;
  void fail_unexplained_exits();
  entry* find(std::uint64_t id);
  process_info snapshot(entry& e);  // info with fresh cpu and rss; mu_ held

  ProcessManager::options opts_;
  std::shared_ptr<spdlog::logger> log_;
  std::unique_ptr<runtime_dir> runtime_;
  std::string control_endpoint_;
  zmq::context_t ctx_{1};
  zmq::socket_t control_;
  int wake_fd_ = -1;

  mutable std::mutex mu_;
  std::condition_variable exited_cv_;  // a child changed to exited
  std::map<std::uint64_t, std::unique_ptr<entry>> entries_;  // id order = start order
  std::map<std::string, group> groups_;
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

  std::thread thread_;  // last: starts after everything above exists
};

}  // namespace titan::detail
