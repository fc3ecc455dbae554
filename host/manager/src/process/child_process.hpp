// One child process: started with posix_spawn (spawn_child), by default as
// the leader of its own process group, watched through a pidfd, reaped exactly once. Signals go
// through the pidfd (never to a reused pid) or to the group while the
// leader is unreaped.
#pragma once

#include <sys/types.h>

#include <optional>
#include <string>
#include <vector>

#include "process/child_spawn.hpp"
#include "titan/detail/unique_fd.hpp"

namespace titan::detail {

class child_process {
 public:
  // Throws titan::Error when the program cannot be started. `output_fd`,
  // when >= 0, becomes the child's stdout and stderr (the caller still owns
  // and closes it); -1: stdout goes to /dev/null and stderr is inherited.
  child_process(const std::string& program, const std::vector<std::string>& args,
                const std::vector<std::string>& extra_env, int output_fd = -1);
  // Where its output goes, its environment and its group as `options` say
  // (child_spawn.hpp); signal_group() reaches only a child that leads its own.
  child_process(const std::string& program, const std::vector<std::string>& args, const child_options& options);
  ~child_process();  // SIGKILLs the group and reaps if still running
  child_process(const child_process&) = delete;
  child_process& operator=(const child_process&) = delete;

  pid_t pid() const { return pid_; }
  // Readable when the process has exited; poll it. -1 once reaped: the
  // pidfd is closed then, so that exited children listed for `ps` hold none.
  int pidfd() const { return pidfd_.get(); }

  bool signal(int sig);        // to the leader
  bool signal_group(int sig);  // to the whole group

  // Reaps without blocking; returns the wait status once exited.
  std::optional<int> try_reap();
  bool reaped() const { return status_.has_value(); }
  std::optional<int> status() const { return status_; }

 private:
  pid_t pid_ = -1;
  bool own_group_ = true;
  unique_fd pidfd_;
  std::optional<int> status_;
};

// "exited with code 3", "killed by SIGKILL".
std::string describe_wait_status(int status);

}  // namespace titan::detail
