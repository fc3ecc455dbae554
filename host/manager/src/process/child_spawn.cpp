#include "child_spawn.hpp"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <unistd.h>

#include <cstring>
#include <string_view>

#include "titan/status.hpp"

extern char** environ;

namespace titan::detail {
namespace {

void set_output(posix_spawn_file_actions_t& actions, int fd, int target) {
  if (fd >= 0) {
    posix_spawn_file_actions_adddup2(&actions, fd, target);  // dup2 clears FD_CLOEXEC on the copy
  } else if (fd == child_options::dev_null) {
    posix_spawn_file_actions_addopen(&actions, target, "/dev/null", O_WRONLY, 0);
  }
}

}  // namespace

pid_t spawn_child(const std::string& program, const std::vector<std::string>& args, const child_options& options) {
  std::vector<char*> argv;
  argv.push_back(const_cast<char*>(program.c_str()));
  for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);

  std::vector<std::string> env_store(options.env);
  std::vector<char*> envp;
  for (auto& e : env_store) envp.push_back(e.data());
  if (!options.replace_env) {
    // Without the names set above: with a name twice, glibc's getenv finds
    // the first but a shell keeps the last.
    auto overridden = [&](std::string_view entry) {
      const std::string_view name = entry.substr(0, entry.find('='));
      for (const auto& e : options.env)
        if (e.size() > name.size() && e.compare(0, name.size(), name) == 0 && e[name.size()] == '=') return true;
      return false;
    };
    for (char** e = environ; *e != nullptr; ++e)
      if (!overridden(*e)) envp.push_back(*e);
  }
  envp.push_back(nullptr);

  posix_spawnattr_t attr;
  posix_spawnattr_init(&attr);
  // Default signal handling and an empty mask (whatever this thread blocks
  // or ignores, the child must not inherit).
  sigset_t none, all;
  sigemptyset(&none);
  sigfillset(&all);
  posix_spawnattr_setsigmask(&attr, &none);
  posix_spawnattr_setsigdefault(&attr, &all);
  short flags = POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF;
  if (options.own_group) {
    posix_spawnattr_setpgroup(&attr, 0);
    flags |= POSIX_SPAWN_SETPGROUP;
  }
  posix_spawnattr_setflags(&attr, flags);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
  set_output(actions, options.stdout_fd, STDOUT_FILENO);
  set_output(actions, options.stderr_fd, STDERR_FILENO);

  pid_t pid = -1;
  const int rc = ::posix_spawn(&pid, program.c_str(), &actions, &attr, argv.data(), envp.data());
  posix_spawn_file_actions_destroy(&actions);
  posix_spawnattr_destroy(&attr);
  if (rc != 0) throw Error(status_code::failed_precondition, "cannot start " + program + ": " + std::strerror(rc));
  return pid;
}

}  // namespace titan::detail
