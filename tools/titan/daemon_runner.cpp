// The daemon behind `titan daemon` and `titan up`: a ProcessManager serving
// titan.manager for the CLI, optionally running a topology.
#include <fcntl.h>
#include <signal.h>
#include <sys/eventfd.h>
#include <sys/file.h>
#include <sys/signalfd.h>
#include <sys/wait.h>
#include <poll.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <filesystem>
#include <iostream>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include <mutex>
#include <optional>
#include <thread>

#include <titan/detail/unique_fd.hpp>
#include <titan/process_manager.hpp>
#include <titan/topology.hpp>

#include "daemon_runner.hpp"
#include "instance.hpp"

namespace titan::cli {

// Runs the daemon until SIGTERM/SIGINT or `titan shutdown`. `ready_fd`, if
// not -1, gets one line when the daemon serves (or an error) and is closed.
int run_daemon(const daemon_args& a, int ready_fd) {
  detail::unique_fd ready(ready_fd);  // ours to close
  auto report = [&](const std::string& line) {
    if (!ready) return;
    [[maybe_unused]] auto n = ::write(ready.get(), line.data(), line.size());
    ready.reset();
  };
  const std::string dir = instance_dir(a.instance);
  const std::string lock_path = instances_dir() + "/" + a.instance + ".lock";
  detail::unique_fd lock_file(::open(lock_path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600));
  if (!lock_file || ::flock(lock_file.get(), LOCK_EX | LOCK_NB) != 0) {
    std::string msg = "error: a titan daemon already runs for instance '" + a.instance + "'\n";
    std::cerr << msg;
    report(msg);
    return exit_call_error_base + static_cast<int>(status_code::failed_precondition);
  }
  // Held until this process exits, not just until we return: the flock is
  // how `titan down` knows that the daemon has gone.
  static_cast<void>(lock_file.release());
  std::error_code ec;
  std::filesystem::remove_all(dir, ec);  // left over by a daemon that died; we hold the lock

  sigset_t mask;
  sigemptyset(&mask);
  sigaddset(&mask, SIGTERM);
  sigaddset(&mask, SIGINT);
  pthread_sigmask(SIG_BLOCK, &mask, nullptr);
  const detail::unique_fd signal_fd(::signalfd(-1, &mask, SFD_CLOEXEC));
  const detail::unique_fd shutdown_fd(::eventfd(0, EFD_CLOEXEC));  // outlives pm, whose threads write it

  auto log = std::make_shared<spdlog::logger>("titan-daemon", std::make_shared<spdlog::sinks::stderr_color_sink_mt>());
  log->set_level(spdlog::level::from_str(a.log_level));
  std::mutex tree_mu;  // guards tree_failure: set by the tree-exit callback's thread
  std::optional<std::string> tree_failure;  // the topology's tree gave up
  try {
    std::optional<titan::topology> topo;
    if (!a.topology_file.empty()) topo = titan::load_topology(a.topology_file);
    titan::ProcessManager::options o;
    o.runtime_dir = dir;
    o.logger = log;
    if (!a.log_dir.empty()) o.log_dir = std::filesystem::absolute(a.log_dir).lexically_normal().string();
    o.log_max_size = a.log_max_size;
    o.log_files = a.log_files;
    if (topo) {
      const titan::manager_settings& m = topo->manager;
      if (!m.runtime_dir.empty()) o.runtime_dir = m.runtime_dir;
      o.control_endpoint = m.control;
      if (!m.log_dir.empty()) o.log_dir = m.log_dir;
      o.log_max_size = m.log_max_size;
      o.log_files = m.log_files;
      o.heartbeat = m.heartbeat;
      o.liveness = m.liveness;
    }
    titan::ProcessManager pm(o);
    // A control endpoint elsewhere than the instance's socket: the CLI
    // finds it through this file.
    if (pm.control_endpoint() != "ipc://" + dir + "/control.sock") {
      std::filesystem::create_directories(dir);
      std::filesystem::permissions(dir, std::filesystem::perms::owner_all);
      write_control_endpoint(a.instance, pm.control_endpoint());
    }
    pm.serve_api([shutdown = shutdown_fd.get()] {
      std::uint64_t one = 1;
      [[maybe_unused]] auto n = ::write(shutdown, &one, sizeof one);
    });
    if (topo) {
      pm.on_tree_exit([&, shutdown = shutdown_fd.get()](const std::string& name, bool escalated,
                                                         const std::string& reason) {
        if (escalated) {
          std::lock_guard lock(tree_mu);
          tree_failure = "supervisor '" + name + "' " + reason;
        } else {
          log->info("supervisor '{}' shut down: {}", name, reason);
        }
        std::uint64_t one = 1;
        [[maybe_unused]] auto n = ::write(shutdown, &one, sizeof one);
      });
      log->info("starting {} from {}", topo->root.name, topo->file);
      // A signal while the tree starts stops what has started (supervise()
      // then fails): the start can take as long as the children's ready_timeouts.
      detail::unique_fd started_fd(::eventfd(0, EFD_CLOEXEC));
      int interrupted_by = 0;
      std::thread watcher([&] {
        pollfd fds[] = {{signal_fd.get(), POLLIN, 0}, {started_fd.get(), POLLIN, 0}};
        while (::poll(fds, 2, -1) < 0 && errno == EINTR) {
        }
        if (!(fds[0].revents & POLLIN)) return;
        signalfd_siginfo info{};
        if (::read(signal_fd.get(), &info, sizeof info) == sizeof info)
          interrupted_by = static_cast<int>(info.ssi_signo);
        log->warn("interrupted while starting: stopping what has started");
        pm.shutdown();
      });
      auto end_watch = [&] {
        std::uint64_t one = 1;
        [[maybe_unused]] auto n = ::write(started_fd.get(), &one, sizeof one);
        watcher.join();
        started_fd.reset();
      };
      try {
        pm.supervise(topo->root);
      } catch (const std::exception&) {
        end_watch();
        if (interrupted_by == 0) throw;
      }
      if (interrupted_by == 0) end_watch();
      if (interrupted_by != 0) {
        const std::string msg = "error: interrupted (signal " + std::to_string(interrupted_by) +
                                ") while starting; every host was stopped\n";
        std::cerr << msg;
        report(msg);
        pm.shutdown();
        std::filesystem::remove(lock_path, ec);
        return 128 + interrupted_by;
      }
      // Its workflows, now that the services they call are known (titan run fetches them).
      for (const auto& w : topo->workflows) pm.add_workflow(w);
      std::size_t hosts = 0;
      for (const auto& p : pm.list()) hosts += p.state == titan::process_state::running ? 1 : 0;
      log->info("{}: {} host(s) ready", topo->file, hosts);
      report("ok " + pm.control_endpoint() + ", " + std::to_string(hosts) + " host(s) ready\n");
    } else {
      report("ok " + pm.control_endpoint() + "\n");
    }
    log->info("titan daemon '{}' serving on {}", a.instance, pm.control_endpoint());
    pollfd fds[] = {{signal_fd.get(), POLLIN, 0}, {shutdown_fd.get(), POLLIN, 0}};
    while (::poll(fds, 2, -1) < 0 && errno == EINTR) {
    }
    log->info("stopping every host, in reverse start order");
    pm.shutdown();
  } catch (const titan::topology_errors& e) {
    std::string msg;
    for (const auto& err : e.errors()) msg += "error: " + err.to_string() + "\n";
    std::cerr << msg;
    report(msg);
    return exit_invalid_topology;
  } catch (const std::exception& e) {
    std::string msg = std::string("error: ") + e.what() + "\n";
    std::cerr << msg;
    report(msg);
    std::filesystem::remove(lock_path, ec);
    return 1;
  }
  std::filesystem::remove(lock_path, ec);
  std::lock_guard lock(tree_mu);
  if (tree_failure) {
    std::cerr << "error: " << *tree_failure << "; every host was stopped\n";
    return 1;
  }
  return 0;
}

// Forks; the child becomes the daemon. The parent returns once the child
// serves (0) or failed (its message, 1).
int detach(const daemon_args& a) {
  int pipe_fds[2];
  if (::pipe2(pipe_fds, O_CLOEXEC) != 0) return 1;
  detail::unique_fd read_end(pipe_fds[0]), write_end(pipe_fds[1]);
  pid_t pid = ::fork();
  if (pid < 0) return 1;
  if (pid == 0) {
    read_end.reset();
    ::setsid();
    // Both CLOEXEC and closed once copied: the hosts the daemon starts must
    // not inherit a spare /dev/null or log fd.
    detail::unique_fd null_fd(::open("/dev/null", O_RDWR | O_CLOEXEC));
    const std::string log_path = instances_dir() + "/" + a.instance + ".log";
    detail::unique_fd log_fd(::open(log_path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600));
    ::dup2(null_fd.get(), STDIN_FILENO);
    ::dup2(null_fd.get(), STDOUT_FILENO);
    ::dup2(log_fd ? log_fd.get() : null_fd.get(), STDERR_FILENO);
    for (detail::unique_fd* fd : {&null_fd, &log_fd})  // one that is 0-2 (closed stdio) is now in use
      if (fd->get() <= STDERR_FILENO) static_cast<void>(fd->release());
    std::_Exit(run_daemon(a, write_end.release()));  // run_daemon closes it
  }
  write_end.reset();
  std::string line;
  char buf[512];
  for (ssize_t n; (n = ::read(read_end.get(), buf, sizeof buf)) > 0;) line.append(buf, static_cast<std::size_t>(n));
  read_end.reset();
  if (line.rfind("ok ", 0) == 0) {
    std::cout << (a.topology_file.empty() ? "titan daemon '" : "titan up '") << a.instance << "' started (pid "
              << pid << "), control endpoint " << line.substr(3);
    return 0;
  }
  std::cerr << (line.empty() ? "error: the daemon exited before it was ready\n" : line);
  int status = 0;
  ::waitpid(pid, &status, 0);  // it exits right after reporting; not left a zombie of ours
  return WIFEXITED(status) && WEXITSTATUS(status) == exit_invalid_topology ? exit_invalid_topology : 1;
}

}  // namespace titan::cli
