// For tests that run a titan::ProcessManager: its options (the titan-host
// under test; a logger that is silent unless TITAN_TEST_VERBOSE is set in
// the environment), and polling for a condition with a deadline instead of
// sleeping for a fixed time.
#pragma once

#include <chrono>
#include <functional>
#include <string>

#include <titan/process_manager.hpp>

namespace titan::test {

titan::ProcessManager::options manager_options(const std::string& logger_name);

// Polls `done` every 2 ms until it returns true (true) or `timeout` passes (false).
bool poll_until(const std::function<bool()>& done, std::chrono::milliseconds timeout);

// `s` as a TOML basic string, quoted and escaped (paths in generated topologies).
std::string toml_string(const std::string& s);

}  // namespace titan::test
