// The titan::Context a service gets in its constructor: the SDK's own,
// made from the host's titan_host (plugin_abi.h) by the create trampoline.
#pragma once

#include <memory>

#include "titan/context.hpp"
#include "titan/plugin_abi.h"

namespace titan::detail {

// Copies the name, config and manager endpoint; logger() is a spdlog logger
// whose sink hands each line to host.log (at host.log_level and above).
std::unique_ptr<Context> make_plugin_context(const titan_host& host);

}  // namespace titan::detail
