#include "child.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstdlib>  // mkdtemp
#include <cstring>
#include <filesystem>
#include <stdexcept>
#include <thread>

#include "process/child_spawn.hpp"
#include "process/runtime_base.hpp"
#include "titan/status.hpp"

namespace titan::bench {
namespace {
std::atomic<bool> interrupt_flag{false};
extern "C" void on_interrupt(int) { interrupt_flag.store(true, std::memory_order_relaxed); }
}  // namespace

void install_interrupt_handlers() {
  struct sigaction sa{};
  sa.sa_handler = &on_interrupt;
  sigemptyset(&sa.sa_mask);
  sa.sa_flags = 0;  // no SA_RESTART: a blocked receive returns EINTR
  ::sigaction(SIGINT, &sa, nullptr);
  ::sigaction(SIGTERM, &sa, nullptr);
}

bool interrupt_requested() noexcept { return interrupt_flag.load(std::memory_order_relaxed); }

temp_dir::temp_dir() {
  std::string tmpl = detail::runtime_base().path + "/titan-bench-XXXXXX";
  if (::mkdtemp(tmpl.data()) == nullptr)
    throw std::runtime_error("cannot create a temporary directory: " + std::string(std::strerror(errno)));
  path_ = tmpl;
}

temp_dir::~temp_dir() {
  std::error_code ec;
  std::filesystem::remove_all(path_, ec);
}

self_child::self_child(const std::vector<std::string>& args, std::chrono::milliseconds timeout) {
  std::error_code ec;
  const std::string self = std::filesystem::read_symlink("/proc/self/exe", ec).string();
  if (ec) throw std::runtime_error("cannot find this program: " + ec.message());

  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) throw std::runtime_error("pipe2: " + std::string(std::strerror(errno)));
  out_fd_.reset(fds[0]);
  {
    const detail::unique_fd write_end(fds[1]);
    detail::child_options o;
    o.env = {"TITAN_BENCH_PARENT=" + std::to_string(::getpid())};  // it checks this and dies with us (PR_SET_PDEATHSIG)
    o.stdout_fd = write_end.get();  // its first line: the endpoint; stderr stays ours
    o.own_group = false;            // a ^C reaches it too
    try {
      pid_ = detail::spawn_child(self, args, o);
    } catch (const Error& e) {
      throw std::runtime_error(e.message());
    }
  }  // our copy of the write end: closed, so EOF means it exited

  // From here on, a failure must still stop and reap the child.
  try {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    for (;;) {
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
      if (left.count() <= 0) throw std::runtime_error("the raw echo server did not report its endpoint in time");
      pollfd p{out_fd_.get(), POLLIN, 0};
      int n = ::poll(&p, 1, static_cast<int>(left.count()));
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) continue;
      char buf[512];
      ssize_t got = ::read(out_fd_.get(), buf, sizeof buf);
      if (got < 0 && errno == EINTR) continue;
      if (got <= 0) throw std::runtime_error("the raw echo server exited before reporting its endpoint");
      first_line_.append(buf, static_cast<std::size_t>(got));
      if (auto nl = first_line_.find('\n'); nl != std::string::npos) {
        first_line_.resize(nl);
        return;
      }
    }
  } catch (...) {
    stop();
    throw;
  }
}

self_child::~self_child() { stop(); }

void self_child::stop() noexcept {
  out_fd_.reset();
  if (pid_ <= 0) return;
  ::kill(pid_, SIGTERM);  // safe: our unreaped child's pid cannot be reused
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(1);
  for (;;) {
    pid_t r = ::waitpid(pid_, nullptr, WNOHANG);
    if (r == pid_ || (r < 0 && errno != EINTR)) break;
    if (std::chrono::steady_clock::now() >= deadline) {
      ::kill(pid_, SIGKILL);
      while (::waitpid(pid_, nullptr, 0) < 0 && errno == EINTR) {
      }
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  pid_ = -1;
}

}  // namespace titan::bench
