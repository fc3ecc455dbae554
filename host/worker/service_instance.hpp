// The running service: a plugin library and the one object created from it.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include <msgpack.hpp>

#include "plugin_library.hpp"
#include "titan/descriptor.hpp"

namespace titan {
class Context;
}

namespace titan::host {

class service_instance {
 public:
  // Creates the service object; throws host_error(constructor_threw).
  service_instance(std::unique_ptr<plugin_library> library, Context& ctx);
  // Destroys the object before the library can unload.
  ~service_instance();
  service_instance(const service_instance&) = delete;
  service_instance& operator=(const service_instance&) = delete;

  const plugin_descriptor& descriptor() const { return library_->descriptor(); }

  // Index into the method table, or -1.
  int find(std::string_view method) const;
  const method_entry& method(int index) const { return descriptor().methods[index]; }
  std::string method_list() const;  // "add, echo, ..." for error messages

  // Runs a call (never throws); see titan::invoke_fn.
  status_code invoke(int index, const msgpack::object& args, msgpack::sbuffer& out) {
    return method(index).invoke(instance_, args, out);
  }

  // The `$describe` result: {service, version, sdk_version, abi, name, methods}.
  void pack_describe(msgpack::sbuffer& out, std::string_view name) const;

 private:
  std::unique_ptr<plugin_library> library_;  // declared first: unloads last
  void* instance_ = nullptr;
  std::unordered_map<std::string_view, int> index_;
};

}  // namespace titan::host
