// A plugin of the old ABI: the C++ descriptor of Titan SDK 0.1, as it was
// before the C ABI (abi_version 1, or 2 with streams), with std::string,
// msgpack-c objects and a titan::Context& in its function types. Its layout
// is copied here because the SDK no longer has it. titan-host must refuse
// it (abi_mismatch, 6) without calling anything in it: every function here
// aborts. OLD_ABI_VERSION is 1 or 2.
#include <boost/dll/alias.hpp>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include <msgpack.hpp>

namespace titan {
class Context;
}

namespace old_abi_detail {

// SDK 0.1's titan/descriptor.hpp, field for field.
struct method_schema;
using invoke_fn = std::uint8_t (*)(void* instance, const msgpack::object& args, msgpack::sbuffer& out) noexcept;
using describe_fn = void (*)(method_schema& out);
struct method_entry {
  const char* name;
  invoke_fn invoke;
  describe_fn describe;
  std::uint32_t flags;
};
using create_fn = void* (*)(titan::Context& ctx, std::string& error) noexcept;
using destroy_fn = void (*)(void* instance) noexcept;
using snapshot_fn = bool (*)(void*, std::uint32_t&, std::string&, std::string&) noexcept;
using restore_fn = bool (*)(void*, std::uint32_t, const std::string&, std::string&) noexcept;
using health_fn = bool (*)(void*, std::string&) noexcept;
struct plugin_descriptor {
  std::uint32_t abi_version;
  std::uint32_t descriptor_size;
  const char* sdk_version;
  const char* service_name;
  const char* service_version;
  const method_entry* methods;
  std::size_t method_count;
  create_fn create;
  destroy_fn destroy;
  snapshot_fn snapshot;
  restore_fn restore;
  health_fn health;
};

std::uint8_t invoke(void*, const msgpack::object&, msgpack::sbuffer&) noexcept { std::abort(); }
void describe(method_schema&) { std::abort(); }
void* create(titan::Context&, std::string&) noexcept { std::abort(); }
void destroy(void*) noexcept { std::abort(); }

constexpr method_entry methods[] = {{"ping", &invoke, &describe, 0}};
constexpr plugin_descriptor descriptor{
    OLD_ABI_VERSION, sizeof(plugin_descriptor), "0.1.0", "old-abi", "1.0.0", methods, 1, &create, &destroy,
    nullptr,         nullptr,                   nullptr,
};

}  // namespace old_abi_detail

BOOST_DLL_ALIAS(old_abi_detail::descriptor, titan_plugin)
