// A private (0700) directory for a manager's sockets, removed with its contents.
#pragma once

#include <string>

namespace titan::detail {

class runtime_dir {
 public:
  // `path` empty: a fresh directory under $XDG_RUNTIME_DIR or /tmp.
  // Otherwise `path` is created if missing and must be owned by us.
  explicit runtime_dir(const std::string& path = {});
  ~runtime_dir();
  runtime_dir(const runtime_dir&) = delete;
  runtime_dir& operator=(const runtime_dir&) = delete;

  const std::string& path() const { return path_; }

 private:
  std::string path_;
  bool owned_;  // created by us: removed on destruction
};

}  // namespace titan::detail
