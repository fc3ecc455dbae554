#include "host_binary.hpp"

#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <sstream>

#include "titan/status.hpp"

namespace titan::detail {

std::string find_host_binary(const std::string& configured) {
  namespace fs = std::filesystem;
  auto executable = [](const fs::path& p) { return !p.empty() && ::access(p.c_str(), X_OK) == 0; };
  if (!configured.empty()) {
    if (executable(configured)) return configured;
    throw Error(status_code::failed_precondition, "host binary " + configured + " is not an executable file");
  }
  if (const char* env = std::getenv("TITAN_HOST"); env && *env) {
    if (executable(env)) return env;
    throw Error(status_code::failed_precondition, std::string("$TITAN_HOST=") + env + " is not an executable file");
  }
  std::error_code ec;
  fs::path self = fs::read_symlink("/proc/self/exe", ec);
  if (!ec && executable(self.parent_path() / "titan-host")) return (self.parent_path() / "titan-host").string();
  if (const char* path = std::getenv("PATH")) {
    std::istringstream dirs(path);
    for (std::string dir; std::getline(dirs, dir, ':');)
      if (executable(fs::path(dir) / "titan-host")) return (fs::path(dir) / "titan-host").string();
  }
  throw Error(status_code::failed_precondition,
              "cannot find titan-host: set ProcessManager::options::host_binary or $TITAN_HOST, or put it on PATH");
}

}  // namespace titan::detail
