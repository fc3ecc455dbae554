// The machinery behind titan::ProcessManager. One thread (the loop) owns the
// control socket and every child: it spawns them (so PR_SET_PDEATHSIG in a
// host is tied to this long-lived thread, not to a caller's), reads READY and
// FAILED reports, and reaps children as their pidfds fire. API calls hand
// work to the loop and wait for its outcome.
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

namespace titan::detail {

class manager_core {
 public:
  explicit manager_core(ProcessManager::options opts);
  ~manager_core();

  process_info spawn(const std::string& plugin, const spawn_options& opts, std::string_view expected_service);
  std::vector<process_info> list() const;
  std::optional<process_info> get(std::uint64_t id) const;
  bool kill(std::uint64_t id, int sig);
  bool stop(std::uint64_t id, std::chrono::milliseconds timeout, bool force);
  void shutdown(const shutdown_options& opts);

  const std::string& control_endpoint() const { return control_endpoint_; }
  const std::string& runtime_path() const { return runtime_->path(); }

 private:
  struct entry {
    process_info info;
    std::unique_ptr<child_process> child;
    std::optional<std::promise<process_info>> ready;  // set until READY or failure
    std::string failure;                               // the host's own `$failed` message
    int failure_exit_code = 0;
  };

  void loop();
  void run_on_loop(std::function<void()> fn);  // runs fn on the loop thread and waits
  void on_control_message();
  void on_ready(entry& e, const msgpack::object& report);
  void on_failed(entry& e, const msgpack::object& report);
  void on_exit(entry& e);
  void fail_start(entry& e, Error error);
  entry* find(std::uint64_t id);  // mu_ held or on the loop

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
  std::uint64_t next_id_ = 1;
  std::deque<std::function<void()>> commands_;
  bool stopping_ = false;
  bool shut_down_ = false;

  std::thread thread_;  // last: starts after everything above exists
};

}  // namespace titan::detail
