// Where a titan daemon of a given instance lives, and how the CLI reaches it.
#pragma once

#include <iostream>
#include <memory>
#include <stdexcept>
#include <string>

#include <titan/manager_api.hpp>

#include "commands.hpp"

namespace titan::cli {

// $XDG_RUNTIME_DIR/titan (or /tmp/titan-UID), created 0700.
std::string instances_dir();
// instances_dir()/NAME: the daemon's runtime directory.
std::string instance_dir(const std::string& instance);
// ipc://instance_dir/control.sock, or what the daemon wrote to
// instance_dir/control.endpoint (a topology's [manager] control).
std::string control_endpoint(const std::string& instance);
void write_control_endpoint(const std::string& instance, const std::string& endpoint);
// Whether a daemon serves `instance` (its socket or endpoint file exists).
bool daemon_running(const std::string& instance);

// A typed client of the running daemon. Throws titan::Error(UNAVAILABLE)
// naming the instance when none runs.
titan::Proxy<titan::manager_api> connect_manager(const std::string& instance, long timeout_ms);

// Runs fn against the daemon; maps errors to exit codes.
template <class F>
inline int with_manager(const common_args& common, F&& fn) {
  try {
    auto manager = connect_manager(common.instance, common.timeout_ms);
    fn(manager);
    return 0;
  } catch (const std::invalid_argument& e) {
    std::cerr << "error: " << e.what() << '\n';
    return exit_usage;
  } catch (const std::exception& e) {
    return report_error(e);
  }
}

}  // namespace titan::cli
