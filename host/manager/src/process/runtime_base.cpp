#include "runtime_base.hpp"

#include <unistd.h>

#include <cstdlib>

namespace titan::detail {

runtime_base_dir runtime_base() {
  const char* xdg = std::getenv("XDG_RUNTIME_DIR");
  if (xdg && *xdg && ::access(xdg, W_OK) == 0) return {xdg, false};
  return {"/tmp", true};
}

}  // namespace titan::detail
