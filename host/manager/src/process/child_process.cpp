#include "child_process.hpp"

#include <signal.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "process/child_spawn.hpp"
#include "titan/status.hpp"

namespace titan::detail {
namespace {

int pidfd_open(pid_t pid) { return static_cast<int>(::syscall(SYS_pidfd_open, pid, 0)); }
int pidfd_send_signal(int fd, int sig) { return static_cast<int>(::syscall(SYS_pidfd_send_signal, fd, sig, nullptr, 0)); }

}  // namespace

child_process::child_process(const std::string& program, const std::vector<std::string>& args,
                             const std::vector<std::string>& extra_env, int output_fd)
    : child_process(program, args,
                    child_options{.env = extra_env,
                                  .stdout_fd = output_fd >= 0 ? output_fd : child_options::dev_null,
                                  .stderr_fd = output_fd >= 0 ? output_fd : child_options::inherit}) {}

child_process::child_process(const std::string& program, const std::vector<std::string>& args,
                             const child_options& options)
    : pid_(spawn_child(program, args, options)), own_group_(options.own_group) {
  pidfd_.reset(pidfd_open(pid_));  // safe: an unreaped child's pid cannot be reused
  if (!pidfd_) {
    int e = errno;
    ::kill(pid_, SIGKILL);
    ::waitpid(pid_, nullptr, 0);
    throw Error(status_code::internal, std::string("pidfd_open failed: ") + std::strerror(e));
  }
}

child_process::~child_process() {
  if (!reaped()) {
    if (!own_group_ || !signal_group(SIGKILL)) signal(SIGKILL);
    int st = 0;
    while (::waitpid(pid_, &st, 0) < 0 && errno == EINTR) {
    }
  }
}

bool child_process::signal(int sig) { return !reaped() && pidfd_send_signal(pidfd_.get(), sig) == 0; }

bool child_process::signal_group(int sig) {
  // A group id stays allocated while any member lives, so after the leader
  // is reaped this can only reach leftovers of this very group.
  return own_group_ && ::kill(-pid_, sig) == 0;
}

std::optional<int> child_process::try_reap() {
  if (status_) return status_;
  int st = 0;
  pid_t r = ::waitpid(pid_, &st, WNOHANG);
  if (r == pid_) {
    status_ = st;
    pidfd_.reset();
  }
  return status_;
}

std::string describe_wait_status(int status) {
  if (WIFEXITED(status)) return "exited with code " + std::to_string(WEXITSTATUS(status));
  if (WIFSIGNALED(status)) {
    const char* name = sigabbrev_np(WTERMSIG(status));
    return std::string("killed by ") + (name ? std::string("SIG") + name : "signal " + std::to_string(WTERMSIG(status)));
  }
  return "ended with status " + std::to_string(status);
}

}  // namespace titan::detail
