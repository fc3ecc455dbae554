#include "manager_support.hpp"

#include <cstdlib>
#include <thread>

#include <spdlog/sinks/null_sink.h>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include "host_process.hpp"

namespace titan::test {

titan::ProcessManager::options manager_options(const std::string& logger_name) {
  titan::ProcessManager::options o;
  o.host_binary = host_binary();
  const char* v = std::getenv("TITAN_TEST_VERBOSE");
  if (v != nullptr && *v != '\0') {
    o.logger = std::make_shared<spdlog::logger>(logger_name, std::make_shared<spdlog::sinks::stderr_color_sink_mt>());
    o.logger->set_level(spdlog::level::debug);
  } else {
    o.logger = std::make_shared<spdlog::logger>(logger_name, std::make_shared<spdlog::sinks::null_sink_mt>());
  }
  return o;
}

bool poll_until(const std::function<bool()>& done, std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    if (done()) return true;
    if (std::chrono::steady_clock::now() >= deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
}

// Escapes a path for a TOML basic string.
std::string toml_string(const std::string& s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out + "\"";
}

}  // namespace titan::test
