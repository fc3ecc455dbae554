#pragma once

#include <string>

namespace titan::detail {

// `configured`, else $TITAN_HOST, else titan-host beside the running
// program, else titan-host on PATH. Throws titan::Error when none exists.
std::string find_host_binary(const std::string& configured);

}  // namespace titan::detail
