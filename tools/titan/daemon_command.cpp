// `titan daemon`: a ProcessManager serving titan.manager for the CLI.
#include <fcntl.h>
#include <signal.h>
#include <sys/eventfd.h>
#include <sys/file.h>
#include <sys/signalfd.h>
#include <poll.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <filesystem>
#include <iostream>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include <titan/process_manager.hpp>

#include "commands.hpp"
#include "instance.hpp"

namespace titan::cli {
namespace {

// Runs the daemon until SIGTERM/SIGINT or `titan shutdown`. `ready_fd`, if
// not -1, gets one line when the daemon serves (or an error) and is closed.
int run_daemon(const daemon_args& a, int ready_fd) {
  auto report = [&](const std::string& line) {
    if (ready_fd < 0) return;
    [[maybe_unused]] auto n = ::write(ready_fd, line.data(), line.size());
    ::close(ready_fd);
    ready_fd = -1;
  };
  const std::string dir = instance_dir(a.instance);
  const std::string lock_path = instances_dir() + "/" + a.instance + ".lock";
  int lock_fd = ::open(lock_path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (lock_fd < 0 || ::flock(lock_fd, LOCK_EX | LOCK_NB) != 0) {
    std::string msg = "error: a titan daemon already runs for instance '" + a.instance + "'\n";
    std::cerr << msg;
    report(msg);
    return exit_call_error_base + static_cast<int>(status_code::failed_precondition);
  }
  std::error_code ec;
  std::filesystem::remove_all(dir, ec);  // left over by a daemon that died; we hold the lock

  sigset_t mask;
  sigemptyset(&mask);
  sigaddset(&mask, SIGTERM);
  sigaddset(&mask, SIGINT);
  pthread_sigmask(SIG_BLOCK, &mask, nullptr);
  int signal_fd = ::signalfd(-1, &mask, SFD_CLOEXEC);
  int shutdown_fd = ::eventfd(0, EFD_CLOEXEC);

  auto log = std::make_shared<spdlog::logger>("titan-daemon", std::make_shared<spdlog::sinks::stderr_color_sink_mt>());
  log->set_level(spdlog::level::from_str(a.log_level));
  try {
    titan::ProcessManager::options o;
    o.runtime_dir = dir;
    o.logger = log;
    titan::ProcessManager pm(o);
    pm.serve_api([shutdown_fd] {
      std::uint64_t one = 1;
      [[maybe_unused]] auto n = ::write(shutdown_fd, &one, sizeof one);
    });
    log->info("titan daemon '{}' serving on {}", a.instance, pm.control_endpoint());
    report("ok " + pm.control_endpoint() + "\n");
    pollfd fds[] = {{signal_fd, POLLIN, 0}, {shutdown_fd, POLLIN, 0}};
    while (::poll(fds, 2, -1) < 0 && errno == EINTR) {
    }
    log->info("stopping every host");
    pm.shutdown();
  } catch (const std::exception& e) {
    std::string msg = std::string("error: ") + e.what() + "\n";
    std::cerr << msg;
    report(msg);
    return 1;
  }
  std::filesystem::remove(lock_path, ec);
  return 0;
}

// Forks; the child becomes the daemon. The parent returns once the child
// serves (0) or failed (its message, 1).
int detach(const daemon_args& a) {
  int pipe_fds[2];
  if (::pipe2(pipe_fds, O_CLOEXEC) != 0) return 1;
  pid_t pid = ::fork();
  if (pid < 0) return 1;
  if (pid == 0) {
    ::close(pipe_fds[0]);
    ::setsid();
    int null_fd = ::open("/dev/null", O_RDWR);
    const std::string log_path = instances_dir() + "/" + a.instance + ".log";
    int log_fd = ::open(log_path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
    ::dup2(null_fd, STDIN_FILENO);
    ::dup2(null_fd, STDOUT_FILENO);
    ::dup2(log_fd >= 0 ? log_fd : null_fd, STDERR_FILENO);
    std::_Exit(run_daemon(a, pipe_fds[1]));
  }
  ::close(pipe_fds[1]);
  std::string line;
  char buf[512];
  for (ssize_t n; (n = ::read(pipe_fds[0], buf, sizeof buf)) > 0;) line.append(buf, static_cast<std::size_t>(n));
  ::close(pipe_fds[0]);
  if (line.rfind("ok ", 0) == 0) {
    std::cout << "titan daemon '" << a.instance << "' started (pid " << pid << "), control endpoint "
              << line.substr(3);
    return 0;
  }
  std::cerr << (line.empty() ? "error: the daemon exited before it was ready\n" : line);
  return 1;
}

}  // namespace

void add_daemon_command(CLI::App& app, common_args& common, int& rc) {
  auto a = std::make_shared<daemon_args>();  // kept alive by the callback
  auto* cmd = app.add_subcommand("daemon", "Run the manager (titan.manager) that the other commands talk to");
  cmd->add_flag("--detach,-d", a->detach, "Run in the background; return once it serves");
  cmd->add_option("--log-level", a->log_level, "trace, debug, info, warn, error")
      ->check(CLI::IsMember({"trace", "debug", "info", "warn", "error", "critical", "off"}));
  cmd->callback([a, &common, &rc] {
    a->instance = common.instance;
    rc = a->detach ? detach(*a) : run_daemon(*a, -1);
  });
}

}  // namespace titan::cli
