// Reads `titan-host --config FILE` (a TOML table) into msgpack for the plugin.
#pragma once

#include <string>

#include <msgpack.hpp>

namespace titan::host {

// Throws host_error(config_error) naming file, line and column.
msgpack::object load_toml_config(const std::string& path, msgpack::zone& zone);

}  // namespace titan::host
