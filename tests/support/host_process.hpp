// A titan-host child process for one test. Spawned with posix_spawn, its
// stdout and stderr go to files in its own temp_dir so that tests can read
// what it printed. The destructor SIGKILLs and reaps it if it still runs, so
// a failed REQUIRE never leaves a host behind.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "temp_dir.hpp"

namespace titan::test {

using namespace std::chrono_literals;

// Absolute paths of the binaries under test (from CMake).
std::string host_binary();
std::string plugin_path(const std::string& name);       // build/plugins/NAME.so
std::string test_plugin_path(const std::string& name);  // build/test-plugins/NAME.so

// How a process ended: `code` after a normal exit, `signal` when killed.
struct exit_status {
  int code = -1;
  int signal = 0;
  bool exited() const { return signal == 0; }
};

class host_process {
 public:
  // Runs `titan-host ARGS... --endpoint-file DIR/endpoints`. Does not wait.
  explicit host_process(std::vector<std::string> args);
  // The usual start: --plugin PLUGIN --bind ipc://DIR/host.sock EXTRA...
  static std::vector<std::string> args_for(const std::string& plugin, const temp_dir& dir,
                                           std::vector<std::string> extra = {});
  ~host_process();
  host_process(const host_process&) = delete;
  host_process& operator=(const host_process&) = delete;

  // Polls until the endpoint file appears (true), or the process exits or
  // `timeout` passes (false).
  bool wait_ready(std::chrono::milliseconds timeout = 20s);
  // The first bound endpoint (after wait_ready), and all of them.
  const std::string& endpoint() const;
  const std::vector<std::string>& endpoints() const { return endpoints_; }

  pid_t pid() const { return pid_; }
  bool running();
  // Waits for the process to end; nullopt if it still runs after `timeout`.
  std::optional<exit_status> wait_exit(std::chrono::milliseconds timeout = 20s);
  void send_signal(int sig);

  std::string stdout_text() const;
  std::string stderr_text() const;
  // The host's own directory (logs, endpoint file, its cwd).
  const temp_dir& dir() const { return dir_; }
  // "titan-host ARGS..." and its stderr, for failure messages.
  std::string describe() const;

 private:
  bool reap(bool block);

  temp_dir dir_;
  std::vector<std::string> args_;
  pid_t pid_ = -1;
  std::optional<exit_status> status_;
  std::vector<std::string> endpoints_;
};

}  // namespace titan::test
