// A plugin loaded from a private copy of its file, with its descriptor
// checked. Owns the shared library: it stays loaded while this lives.
#pragma once

#include <memory>
#include <string>

#include "loaded_descriptor.hpp"

namespace titan::host {

class plugin_library {
 public:
  // Throws host_error with plugin_not_found, plugin_load_failed,
  // not_a_plugin or abi_mismatch.
  static std::unique_ptr<plugin_library> load(const std::string& path);
  ~plugin_library();

  // Normalized (loaded_descriptor.hpp); its pointers point into the library.
  const plugin_descriptor& descriptor() const { return descriptor_.get(); }
  const std::string& path() const { return path_; }
  const std::string& build_id() const { return build_id_; }  // GNU build id, hex; "" if none

 private:
  struct impl;
  plugin_library(std::unique_ptr<impl> impl, const void* exported, std::string path, std::string build_id);

  std::unique_ptr<impl> impl_;  // declared first: unloads last
  loaded_descriptor descriptor_;
  std::string path_;
  std::string build_id_;
};

}  // namespace titan::host
