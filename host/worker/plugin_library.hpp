// A plugin loaded from a private copy of its file, with its descriptor
// checked. Owns the shared library: it stays loaded while this lives.
#pragma once

#include <memory>
#include <string>

namespace titan {
struct plugin_descriptor;
}

namespace titan::host {

class plugin_library {
 public:
  // Throws host_error with plugin_not_found, plugin_load_failed,
  // not_a_plugin or abi_mismatch.
  static std::unique_ptr<plugin_library> load(const std::string& path);
  ~plugin_library();

  const plugin_descriptor& descriptor() const { return *descriptor_; }
  const std::string& path() const { return path_; }
  const std::string& build_id() const { return build_id_; }  // GNU build id, hex; "" if none

 private:
  struct impl;
  plugin_library(std::unique_ptr<impl> impl, const plugin_descriptor* descriptor, std::string path,
                 std::string build_id);

  std::unique_ptr<impl> impl_;
  const plugin_descriptor* descriptor_;  // points into the library
  std::string path_;
  std::string build_id_;
};

}  // namespace titan::host
