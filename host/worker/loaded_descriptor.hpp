// A plugin's descriptor (plugin_abi.h) as this host read it: checked, and
// normalized so that the rest of the host reads every field of ABI 3
// directly. A field past the plugin's struct_size reads 0/NULL, and the
// methods are copied into an array of this host's stride (method_size may
// be larger in a newer plugin).
#pragma once

#include <string>
#include <vector>

#include "titan/plugin_abi.h"

namespace titan::host {

using plugin_descriptor = ::titan_plugin_descriptor;

class loaded_descriptor {
 public:
  // `exported` is what the plugin's titan_plugin symbol points at. Throws
  // host_error: abi_mismatch for another ABI version, not_a_plugin for a
  // malformed descriptor.
  loaded_descriptor(const void* exported, const std::string& path);
  loaded_descriptor(const loaded_descriptor&) = delete;  // descriptor_ points into methods_
  loaded_descriptor& operator=(const loaded_descriptor&) = delete;

  const plugin_descriptor& get() const { return descriptor_; }

 private:
  plugin_descriptor descriptor_{};
  std::vector<titan_method> methods_;
};

}  // namespace titan::host
