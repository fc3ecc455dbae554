#include "host_process.hpp"

#include <signal.h>
#include <spawn.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <stdexcept>
#include <thread>

extern char** environ;

namespace titan::test {
namespace {

using clock = std::chrono::steady_clock;
constexpr auto poll_interval = 2ms;

}  // namespace

std::string host_binary() { return TITAN_HOST_BIN; }
std::string plugin_path(const std::string& name) { return std::string(TITAN_PLUGIN_DIR) + "/" + name + ".so"; }
std::string test_plugin_path(const std::string& name) {
  return std::string(TITAN_TEST_PLUGIN_DIR) + "/" + name + ".so";
}

std::vector<std::string> host_process::args_for(const std::string& plugin, const temp_dir& dir,
                                                 std::vector<std::string> extra) {
  std::vector<std::string> args{"--plugin", plugin, "--bind", dir.ipc_endpoint()};
  args.insert(args.end(), extra.begin(), extra.end());
  return args;
}

host_process::host_process(std::vector<std::string> args) : args_(std::move(args)) {
  args_.push_back("--endpoint-file");
  args_.push_back((dir_ / "endpoints").string());

  std::vector<std::string> argv_store;
  argv_store.push_back(host_binary());
  argv_store.insert(argv_store.end(), args_.begin(), args_.end());
  std::vector<char*> argv;
  for (auto& a : argv_store) argv.push_back(a.data());
  argv.push_back(nullptr);

  const std::string out = (dir_ / "stdout.log").string(), err = (dir_ / "stderr.log").string();
  const std::string cwd = dir_.path().string();
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&fa, 1, out.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  posix_spawn_file_actions_addopen(&fa, 2, err.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  // Runs in its own directory: a core dump from a crash test lands there and is removed.
  posix_spawn_file_actions_addchdir_np(&fa, cwd.c_str());

  // A clean signal state: no blocked signals, default actions for the ones
  // the test runner may have touched.
  posix_spawnattr_t attr;
  posix_spawnattr_init(&attr);
  sigset_t none, defaults;
  sigemptyset(&none);
  sigemptyset(&defaults);
  for (int s : {SIGTERM, SIGINT, SIGPIPE, SIGABRT, SIGSEGV, SIGCHLD}) sigaddset(&defaults, s);
  posix_spawnattr_setsigmask(&attr, &none);
  posix_spawnattr_setsigdefault(&attr, &defaults);
  posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);

  int rc = ::posix_spawn(&pid_, argv[0], &fa, &attr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&fa);
  posix_spawnattr_destroy(&attr);
  if (rc != 0) {
    pid_ = -1;
    throw std::runtime_error("posix_spawn(" + argv_store[0] + "): " + std::strerror(rc));
  }
  // No core files from the crash tests.
  struct rlimit no_core{0, 0};
  ::prlimit(pid_, RLIMIT_CORE, &no_core, nullptr);
}

host_process::~host_process() {
  if (pid_ > 0 && !status_) {
    ::kill(pid_, SIGKILL);
    reap(true);
  }
}

bool host_process::reap(bool block) {
  if (status_) return true;
  int st = 0;
  pid_t r;
  do {
    r = ::waitpid(pid_, &st, block ? 0 : WNOHANG);
  } while (r < 0 && errno == EINTR);
  if (r != pid_) return false;
  if (WIFEXITED(st))
    status_ = exit_status{WEXITSTATUS(st), 0};
  else if (WIFSIGNALED(st))
    status_ = exit_status{-1, WTERMSIG(st)};
  else
    return false;
  return true;
}

bool host_process::running() { return !reap(false); }

bool host_process::wait_ready(std::chrono::milliseconds timeout) {
  const auto deadline = clock::now() + timeout;
  const auto file = dir_ / "endpoints";
  for (;;) {
    // The host writes the file whole and renames it into place.
    if (std::filesystem::exists(file)) {
      endpoints_.clear();
      std::ifstream f(file);
      for (std::string line; std::getline(f, line);)
        if (!line.empty()) endpoints_.push_back(line);
      if (!endpoints_.empty()) return true;
    }
    if (!running() || clock::now() >= deadline) return false;
    std::this_thread::sleep_for(poll_interval);
  }
}

const std::string& host_process::endpoint() const {
  if (endpoints_.empty()) throw std::logic_error("host_process::endpoint() before a successful wait_ready()");
  return endpoints_.front();
}

std::optional<exit_status> host_process::wait_exit(std::chrono::milliseconds timeout) {
  const auto deadline = clock::now() + timeout;
  while (!reap(false)) {
    if (clock::now() >= deadline) return std::nullopt;
    std::this_thread::sleep_for(poll_interval);
  }
  return status_;
}

void host_process::send_signal(int sig) {
  if (pid_ > 0 && !status_) ::kill(pid_, sig);  // not reaped yet, so the pid is still ours
}

std::string host_process::stdout_text() const { return read_file(dir_ / "stdout.log"); }
std::string host_process::stderr_text() const { return read_file(dir_ / "stderr.log"); }

std::string host_process::describe() const {
  std::string s = "titan-host";
  for (const auto& a : args_) s += " " + a;
  return s + "\n--- stderr ---\n" + stderr_text();
}

}  // namespace titan::test
