// The one posix_spawn in Titan: stdin from /dev/null, an empty signal mask,
// default dispositions, and the choices in child_options (where stdout and
// stderr go, whether the child leads its own process group, whether `env`
// extends or replaces the environment). child_process is this plus a pidfd
// and reaping; titan check's checkers and titan-bench's children use it
// directly.
#pragma once

#include <sys/types.h>

#include <string>
#include <vector>

namespace titan::detail {

struct child_options {
  // Added to this process's environment, replacing what it has of the same
  // names; or with `replace_env` the child's whole environment.
  std::vector<std::string> env;
  bool replace_env = false;
  // The child's stdout and stderr: an fd of ours (dup2'd, so an O_CLOEXEC
  // one works; the caller still owns it, and may pass one fd for both), or:
  static constexpr int dev_null = -1;
  static constexpr int inherit = -2;
  int stdout_fd = dev_null;
  int stderr_fd = inherit;
  // The leader of a new process group, out of reach of our terminal's ^C;
  // false: in ours, so a ^C reaches it too.
  bool own_group = true;
};

// Starts `program` with `args` (argv[0] is `program`) and returns its pid;
// the caller reaps it. Throws titan::Error(FAILED_PRECONDITION) when it
// cannot be started.
pid_t spawn_child(const std::string& program, const std::vector<std::string>& args, const child_options& options);

}  // namespace titan::detail
