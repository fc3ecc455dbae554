// `titan up --detach` of a generated topology, timed from exec to exit, then
// `titan down`; everything under a private XDG_RUNTIME_DIR.
#include <dirent.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <sstream>
#include <stdexcept>
#include <string_view>
#include <thread>

#include "child.hpp"
#include "process/child_spawn.hpp"
#include "supervision.hpp"
#include "titan/detail/unique_fd.hpp"
#include "titan/status.hpp"

extern char** environ;

namespace titan::bench {
namespace {

using namespace std::chrono_literals;

// Every process of ours started by `titan up` (the daemon, its hosts)
// inherits this variable, with the private directory as its value.
constexpr const char* marker_var = "TITAN_BENCH_UP";

std::string read_file(const std::string& path) {
  std::ifstream f(path);
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

std::string toml_string(const std::string& s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out + "\"";
}

struct command_result {
  int exit_code = -1;  // -1: killed (see error)
  double ms = 0;       // exec to exit
  std::string output;  // its stdout and stderr
  std::string error;
};

// Runs `argv` with `env`, stdout and stderr to `log` (a file: the detached
// daemon must not hold a pipe of ours open). Times it from posix_spawn to
// its exit; SIGKILLs it after `timeout`.
command_result run_command(const std::vector<std::string>& argv, const std::vector<std::string>& env,
                           const std::string& log, std::chrono::milliseconds timeout) {
  detail::unique_fd output(::open(log.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600));
  if (!output) throw std::runtime_error("cannot open " + log + ": " + std::strerror(errno));
  detail::child_options o;
  o.env = env;
  o.replace_env = true;
  o.stdout_fd = o.stderr_fd = output.get();
  o.own_group = false;  // a ^C reaches it too
  const std::vector<std::string> args(argv.begin() + 1, argv.end());

  command_result r;
  pid_t pid = -1;
  const auto t0 = clock::now();
  try {
    pid = detail::spawn_child(argv[0], args, o);
  } catch (const Error& e) {
    throw std::runtime_error(e.message());
  }
  output.reset();  // the child has its own copy

  // Wait on a pidfd (no polling delay in the figure), with a deadline.
  detail::unique_fd pidfd(static_cast<int>(::syscall(SYS_pidfd_open, pid, 0)));
  const auto deadline = t0 + timeout;
  int status = 0;
  for (;;) {
    if (pidfd) {
      const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - clock::now());
      pollfd p{pidfd.get(), POLLIN, 0};
      const int n = ::poll(&p, 1, static_cast<int>(std::max<long>(0, left.count())));
      if (n < 0 && errno == EINTR) continue;  // an interrupt: it gets the signal too, or ends anyway
    } else {
      std::this_thread::sleep_for(1ms);
    }
    const pid_t w = ::waitpid(pid, &status, WNOHANG);
    if (w == pid) {
      r.ms = std::chrono::duration<double, std::milli>(clock::now() - t0).count();
      break;
    }
    if (w < 0 && errno != EINTR) {
      r.error = std::string("waitpid: ") + std::strerror(errno);
      break;
    }
    if (clock::now() >= deadline) {
      ::kill(pid, SIGKILL);
      while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
      }
      r.error = "still running after " + std::to_string(timeout.count()) + " ms; killed";
      status = 0;
      break;
    }
  }
  pidfd.reset();  // reaped
  if (r.error.empty()) {
    if (WIFEXITED(status)) r.exit_code = WEXITSTATUS(status);
    else r.error = "killed by signal " + std::to_string(WTERMSIG(status));
  }
  r.output = read_file(log);
  while (!r.output.empty() && r.output.back() == '\n') r.output.pop_back();
  return r;
}

// The processes whose environment holds marker_var=`value`.
std::vector<pid_t> marked_processes(const std::string& value) {
  const std::string entry = std::string(marker_var) + "=" + value;
  std::vector<pid_t> out;
  DIR* proc = ::opendir("/proc");
  if (proc == nullptr) return out;
  while (dirent* d = ::readdir(proc)) {
    char* end = nullptr;
    const long pid = std::strtol(d->d_name, &end, 10);
    if (pid <= 0 || *end != '\0' || pid == ::getpid()) continue;
    const std::string env = read_file("/proc/" + std::to_string(pid) + "/environ");
    for (std::size_t at = 0; at < env.size();) {
      const std::size_t nul = env.find('\0', at);
      const std::size_t len = (nul == std::string::npos ? env.size() : nul) - at;
      if (env.compare(at, len, entry) == 0) {
        out.push_back(static_cast<pid_t>(pid));
        break;
      }
      if (nul == std::string::npos) break;
      at = nul + 1;
    }
  }
  ::closedir(proc);
  return out;
}

// What `titan up` left behind: after `titan down` nothing should be. Gives
// such processes 2 s to end by themselves (a daemon that has released its
// lock may still be exiting), then SIGKILLs the rest; returns how many that
// was.
std::size_t kill_leftovers(const std::string& value) {
  const auto deadline = clock::now() + 2s;
  std::vector<pid_t> left = marked_processes(value);
  while (!left.empty() && clock::now() < deadline) {
    std::this_thread::sleep_for(10ms);
    left = marked_processes(value);
  }
  for (pid_t p : left) ::kill(p, SIGKILL);
  const auto gone_by = clock::now() + 2s;
  while (!left.empty() && !marked_processes(value).empty() && clock::now() < gone_by)
    std::this_thread::sleep_for(10ms);
  return left.size();
}

// Stops an instance that `titan up` may have started, whatever happened.
struct instance_guard {
  std::function<void()> down;
  ~instance_guard() {
    try {
      if (down) down();
    } catch (...) {
    }
  }
};

}  // namespace

tree_start_result measure_titan_up(const settings& s, const std::string& plugin) {
  tree_start_result r;
  r.key = "titan_up";
  r.hosts = s.tree_size;
  r.way = "titan up --detach: TOML of " + std::to_string(s.tree_size) + " services";
  std::vector<double> totals, downs;
  try {
    if (s.titan_binary.empty() || ::access(s.titan_binary.c_str(), X_OK) != 0)
      throw std::runtime_error("no titan CLI at '" + s.titan_binary + "' (build target 'titan', or give --titan)");
    temp_dir dir;
    const std::string xdg = dir.path() + "/run";
    if (::mkdir(xdg.c_str(), 0700) != 0)
      throw std::runtime_error("cannot create " + xdg + ": " + std::strerror(errno));
    // The topology: no [supervisors], so an implicit one_for_one root has
    // every service as a child, started in file order, each READY first.
    const std::string toml = dir.path() + "/tree.toml";
    {
      std::ofstream f(toml);
      f << "# titan-bench: " << s.tree_size << " services of the compute plugin\n"
        << "[defaults]\nlog_level = \"warn\"\n";
      for (std::size_t i = 0; i < s.tree_size; ++i)
        f << "\n[services.bench-up-" << i << "]\nplugin = " << toml_string(plugin) << "\n";
      if (!f) throw std::runtime_error("cannot write " + toml);
    }
    std::vector<std::string> env;
    for (char** e = environ; *e != nullptr; ++e) {
      const std::string_view v(*e);
      if (v.starts_with("XDG_RUNTIME_DIR=") || v.starts_with("TITAN_INSTANCE=") ||
          v.starts_with(std::string(marker_var) + "="))
        continue;
      env.emplace_back(v);
    }
    env.push_back("XDG_RUNTIME_DIR=" + xdg);
    env.push_back(std::string(marker_var) + "=" + dir.path());
    const std::string log = dir.path() + "/command.log";

    for (std::size_t i = 0; i < s.tree_starts; ++i) {
      throw_if_interrupted();
      const std::string instance = "bench-" + std::to_string(::getpid()) + "-" + std::to_string(i);
      bool downed = false;
      instance_guard guard{[&] {
        if (!downed) run_command({s.titan_binary, "down", "--instance", instance, "--wait", "10000"}, env, log, 15s);
        r.leftovers += kill_leftovers(dir.path());
      }};
      try {
        const command_result up =
            run_command({s.titan_binary, "up", toml, "--detach", "--instance", instance}, env, log, 120s);
        if (!up.error.empty() || up.exit_code != 0)
          throw std::runtime_error("titan up --detach: " +
                                   (up.error.empty() ? "exit code " + std::to_string(up.exit_code) : up.error) +
                                   (up.output.empty() ? "" : ": " + up.output));
        totals.push_back(up.ms);
        const command_result down =
            run_command({s.titan_binary, "down", "--instance", instance, "--wait", "30000"}, env, log, 40s);
        downed = true;
        if (!down.error.empty() || down.exit_code != 0)
          throw std::runtime_error("titan down: " +
                                   (down.error.empty() ? "exit code " + std::to_string(down.exit_code) : down.error) +
                                   (down.output.empty() ? "" : ": " + down.output));
        downs.push_back(down.ms);
      } catch (const std::exception& e) {
        if (interrupt_requested()) throw;
        ++r.broken;
        if (r.error.empty()) r.error = e.what();
      }
    }
  } catch (const std::exception& e) {  // nothing could run: every run not measured
    if (interrupt_requested()) throw;
    if (r.error.empty()) r.error = e.what();
    r.broken = s.tree_starts - totals.size();
  }
  r.runs = totals.size();
  r.total = summarize_ms(totals);
  r.down = summarize_ms(downs);
  r.per_host_ms = r.hosts ? r.total.median_ms / static_cast<double>(r.hosts) : 0;
  return r;
}

}  // namespace titan::bench
