#include "runtime_dir.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <system_error>

#include "process/runtime_base.hpp"
#include "titan/status.hpp"

namespace titan::detail {

runtime_dir::runtime_dir(const std::string& path) : owned_(true) {
  if (path.empty()) {
    std::string tmpl = runtime_base().path + "/titan-XXXXXX";
    if (::mkdtemp(tmpl.data()) == nullptr)
      throw Error(status_code::internal, "cannot create a runtime directory: " + std::string(std::strerror(errno)));
    path_ = tmpl;
    return;
  }
  path_ = path;
  if (::mkdir(path.c_str(), 0700) != 0) {
    if (errno != EEXIST) throw Error(status_code::internal, "cannot create " + path + ": " + std::strerror(errno));
    owned_ = false;
    struct stat st{};
    if (::stat(path.c_str(), &st) != 0 || !S_ISDIR(st.st_mode) || st.st_uid != ::getuid())
      throw Error(status_code::failed_precondition, "runtime directory " + path + " is not a directory we own");
    ::chmod(path.c_str(), 0700);
  }
}

runtime_dir::~runtime_dir() {
  std::error_code ec;
  if (owned_) std::filesystem::remove_all(path_, ec);
}

}  // namespace titan::detail
