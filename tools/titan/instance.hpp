// Where a titan daemon of a given instance lives, and how the CLI reaches it.
#pragma once

#include <memory>
#include <string>

#include <titan/manager_api.hpp>

namespace titan::cli {

// $XDG_RUNTIME_DIR/titan (or /tmp/titan-UID), created 0700.
std::string instances_dir();
// instances_dir()/NAME: the daemon's runtime directory.
std::string instance_dir(const std::string& instance);
std::string control_endpoint(const std::string& instance);

// A typed client of the running daemon. Throws titan::Error(UNAVAILABLE)
// naming the instance when none runs.
titan::Proxy<titan::manager_api> connect_manager(const std::string& instance, long timeout_ms);

}  // namespace titan::cli
