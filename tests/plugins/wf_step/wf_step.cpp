#include "wf_step.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <thread>

#include "titan/detail/unique_fd.hpp"

namespace {

std::int64_t now_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

}  // namespace

WfStepService::WfStepService(titan::Context& ctx)
    : name_(ctx.name()), journal_(ctx.config_value<std::string>("journal", "")) {}

// One write(2) per line on an O_APPEND file: lines of different hosts never
// interleave. The file must exist already (the test creates it).
void WfStepService::journal(const std::string& event, const std::string& tag) const {
  if (journal_.empty()) return;
  const std::string line =
      event + " " + tag + " " + name_ + " " + std::to_string(::getpid()) + " " + std::to_string(now_ns()) + "\n";
  const titan::detail::unique_fd fd(::open(journal_.c_str(), O_WRONLY | O_APPEND | O_CLOEXEC));
  if (!fd) return;
  [[maybe_unused]] const auto n = ::write(fd.get(), line.data(), line.size());
}

any_value WfStepService::run(std::string tag, any_value value) {
  journal("start", tag);
  journal("end", tag);
  return value;
}

any_value WfStepService::undo(std::string tag, any_value value) {
  journal("undo", tag);
  return value;
}

any_value WfStepService::fail(std::string tag, std::string code) {
  journal("fail", tag);
  const auto c = titan::status_code_from_string(code);
  throw titan::Error(c.value_or(titan::status_code::internal), "failed on purpose (" + tag + ")");
}

any_value WfStepService::flaky(std::string key, std::int64_t failures, any_value value) {
  journal("try", key);
  std::int64_t n = 0;
  {
    std::lock_guard lock(mu_);
    n = ++tries_[key];
  }
  if (n <= failures)
    throw titan::Error(titan::status_code::unavailable,
                       "flaky " + key + ": failure " + std::to_string(n) + " of " + std::to_string(failures));
  return value;
}

any_value WfStepService::sleep(std::string tag, std::int64_t ms, any_value value) {
  journal("start", tag);
  std::this_thread::sleep_for(std::chrono::milliseconds(ms));
  journal("end", tag);
  return value;
}

bool WfStepService::meet(std::string tag, std::string group, std::int64_t n, std::int64_t timeout_ms) {
  if (journal_.empty()) throw titan::Error(titan::status_code::failed_precondition, "meet needs a journal");
  journal("start", tag);
  const auto dir = std::filesystem::path(journal_).parent_path();
  const std::string prefix = "meet-" + group + "-";
  std::ofstream(dir / (prefix + tag));
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  for (;;) {
    std::int64_t arrived = 0;
    for (const auto& e : std::filesystem::directory_iterator(dir))
      arrived += e.path().filename().string().rfind(prefix, 0) == 0 ? 1 : 0;
    if (arrived >= n) break;
    if (std::chrono::steady_clock::now() > deadline)
      throw titan::Error(titan::status_code::deadline_exceeded,
                         "meet " + group + ": " + std::to_string(arrived) + " of " + std::to_string(n) + " arrived");
    std::this_thread::sleep_for(std::chrono::milliseconds(2));  // polling, with a deadline
  }
  journal("end", tag);
  return true;
}

bool WfStepService::await(std::string tag, std::string name, std::int64_t timeout_ms) {
  if (journal_.empty()) throw titan::Error(titan::status_code::failed_precondition, "await needs a journal");
  journal("start", tag);
  const auto file = std::filesystem::path(journal_).parent_path() / name;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  while (!std::filesystem::exists(file)) {
    if (std::chrono::steady_clock::now() > deadline)
      throw titan::Error(titan::status_code::deadline_exceeded, "await: no " + name);
    std::this_thread::sleep_for(std::chrono::milliseconds(2));  // polling, with a deadline
  }
  journal("end", tag);
  return true;
}

Square WfStepService::square(std::int64_t x) {
  journal("start", "sq-" + std::to_string(x));
  return {x, x * x, name_, ::getpid()};
}

TITAN_PLUGIN(WfStepService, "1.0.0")
