#include "loaded_descriptor.hpp"

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstring>

#include "host_error.hpp"

namespace titan::host {
namespace {

// The sizes ABI 3 began with. Later SDKs may append fields; a plugin must
// have at least these.
constexpr std::size_t descriptor_size_v3 = offsetof(plugin_descriptor, health) + sizeof(plugin_descriptor::health);
constexpr std::size_t method_size_v3 = offsetof(titan_method, describe) + sizeof(titan_method::describe);

// ABI 1 and 2 were SDK 0.1's C++ descriptor (std::string, msgpack-c
// objects across the boundary): nothing in them can be called from here.
std::string abi_name(std::uint32_t abi) {
  std::string s = "ABI " + std::to_string(abi);
  if (abi == 1 || abi == 2) s += " (the C++ descriptor of Titan SDK 0.1)";
  return s;
}

}  // namespace

loaded_descriptor::loaded_descriptor(const void* exported, const std::string& path) {
  auto malformed = [&](const std::string& why) {
    return host_error(exit_code::not_a_plugin, "not a Titan plugin: " + path + " has a malformed descriptor (" + why + ")");
  };
  if (exported == nullptr) throw malformed("its titan_plugin symbol is a null pointer");
  // abi_version comes first in every descriptor there ever was: read it
  // alone before trusting anything else about the layout.
  std::uint32_t abi = 0;
  std::memcpy(&abi, exported, sizeof abi);
  if (abi != TITAN_ABI_VERSION) {
    throw host_error(exit_code::abi_mismatch, "ABI mismatch: " + path + " was built for Titan SDK " + abi_name(abi) +
                                                  ", this host speaks ABI " + std::to_string(TITAN_ABI_VERSION) +
                                                  " (the C plugin ABI); rebuild the plugin");
  }
  const auto* d = static_cast<const plugin_descriptor*>(exported);
  if (d->struct_size < descriptor_size_v3)
    throw malformed("struct_size " + std::to_string(d->struct_size) + " is below ABI 3's " +
                    std::to_string(descriptor_size_v3));
  std::memcpy(&descriptor_, d, std::min<std::size_t>(d->struct_size, sizeof descriptor_));
  descriptor_.struct_size = sizeof descriptor_;
  if (descriptor_.service_name == nullptr || descriptor_.service_version == nullptr) throw malformed("no service name or version");
  if (descriptor_.sdk_version == nullptr) descriptor_.sdk_version = "";
  if (descriptor_.create == nullptr || descriptor_.destroy == nullptr) throw malformed("no create or destroy");
  if (descriptor_.method_count > 0 && descriptor_.methods == nullptr) throw malformed("no method table");
  if (descriptor_.method_count > 0 && descriptor_.method_size < method_size_v3)
    throw malformed("method_size " + std::to_string(descriptor_.method_size) + " is below ABI 3's " +
                    std::to_string(method_size_v3));

  methods_.resize(descriptor_.method_count);
  const auto* table = reinterpret_cast<const unsigned char*>(descriptor_.methods);
  for (std::size_t i = 0; i < methods_.size(); ++i) {
    std::memcpy(&methods_[i], table + i * descriptor_.method_size,
                std::min<std::size_t>(descriptor_.method_size, sizeof(titan_method)));
    const titan_method& m = methods_[i];
    if (m.name == nullptr || m.invoke == nullptr || m.describe == nullptr)
      throw malformed("method " + std::to_string(i) + " has no name, invoke or describe");
  }
  descriptor_.methods = methods_.data();
  descriptor_.method_size = sizeof(titan_method);
}

}  // namespace titan::host
