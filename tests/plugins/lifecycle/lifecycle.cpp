#include "lifecycle.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <stdexcept>
#include <thread>

#include "titan/detail/unique_fd.hpp"

LifecycleService::LifecycleService(titan::Context& ctx)
    : name_(ctx.name()),
      journal_(ctx.config_value<std::string>("journal", "")),
      started_at_(std::chrono::duration_cast<std::chrono::nanoseconds>(
                      std::chrono::steady_clock::now().time_since_epoch())
                      .count()) {
  const auto fail_file = ctx.config_value<std::string>("fail_start_if_exists", "");
  if (!fail_file.empty() && std::filesystem::exists(fail_file))
    throw std::runtime_error("fail_start_if_exists: " + fail_file + " exists");
  // A host that takes its time to come up (the manager waits for READY).
  if (const auto delay = ctx.config_value<std::int64_t>("start_delay_ms", 0); delay > 0)
    std::this_thread::sleep_for(std::chrono::milliseconds(delay));
  journal("start");
}

LifecycleService::~LifecycleService() { journal("stop"); }

// One write(2) per line on an O_APPEND file: lines of different hosts never
// interleave. The file must exist already (the test creates it): a wrong
// path never creates a file anywhere.
void LifecycleService::journal(const std::string& what) const {
  if (journal_.empty()) return;
  const std::string line = what + " " + name_ + " " + std::to_string(::getpid()) + "\n";
  const titan::detail::unique_fd fd(::open(journal_.c_str(), O_WRONLY | O_APPEND | O_CLOEXEC));
  if (!fd) return;
  [[maybe_unused]] const auto n = ::write(fd.get(), line.data(), line.size());
}

std::int64_t LifecycleService::pid() { return ::getpid(); }

std::string LifecycleService::name() { return name_; }

void LifecycleService::exit_now(std::int64_t code) { std::_Exit(static_cast<int>(code)); }

std::int64_t LifecycleService::started_at() { return started_at_; }

std::int64_t LifecycleService::allocate(std::int64_t mb) {
  if (mb < 0 || mb > 4096) throw titan::Error(titan::status_code::invalid_argument, "allocate: 0 to 4096 MB");
  const long page = ::sysconf(_SC_PAGESIZE);
  std::vector<char> block(static_cast<std::size_t>(mb) << 20);
  for (std::size_t i = 0; i < block.size(); i += static_cast<std::size_t>(page)) block[i] = 1;
  held_.push_back(std::move(block));
  std::int64_t total = 0;
  for (const auto& b : held_) total += static_cast<std::int64_t>(b.size() >> 20);
  return total;
}

std::int64_t LifecycleService::block(std::int64_t ms) {
  journal("block");
  std::this_thread::sleep_for(std::chrono::milliseconds(ms));
  return ms;
}

TITAN_PLUGIN(LifecycleService, "1.0.0")
