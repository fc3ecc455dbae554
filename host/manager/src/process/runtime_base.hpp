// Where Titan makes its sockets and private directories: one answer for the
// manager's runtime directory, the CLI's instances and the benchmark.
#pragma once

#include <string>

namespace titan::detail {

struct runtime_base_dir {
  std::string path;
  // /tmp, which every user shares: a fixed name made in it must say whose it
  // is (the uid); a mkdtemp name need not.
  bool shared = false;
};

// $XDG_RUNTIME_DIR if it is set and writable by us, else /tmp.
runtime_base_dir runtime_base();

}  // namespace titan::detail
