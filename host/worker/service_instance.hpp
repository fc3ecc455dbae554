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
#include "titan/state.hpp"

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
  const std::string& build_id() const { return library_->build_id(); }

  // Index into the method table, or -1.
  int find(std::string_view method) const;
  const method_entry& method(int index) const { return descriptor().methods[index]; }
  std::string method_list() const;  // "add, echo, ..." for error messages

  // Runs a call (never throws); see titan::invoke_fn.
  status_code invoke(int index, const msgpack::object& args, msgpack::sbuffer& out) {
    return method(index).invoke(instance_, args, out);
  }
  // Runs a streaming method (streams_out() or streams_in()) on `io`.
  status_code invoke_stream(int index, detail::stream_io& io, const msgpack::object& args, msgpack::sbuffer& out) {
    stream_call call{instance_, &io};
    return method(index).invoke(&call, args, out);
  }
  bool streams_out(int index) const { return has_flag(method(index).flags, method_flags::streams_out); }
  bool streams_in(int index) const { return has_flag(method(index).flags, method_flags::streams_in); }

  // The state hooks (titan/state.hpp). A plugin built before they existed
  // has none. Each returns false with `error` set when the hook threw.
  bool has_snapshot() const { return hook(&plugin_descriptor::snapshot) != nullptr; }
  bool has_restore() const { return hook(&plugin_descriptor::restore) != nullptr; }
  bool take_snapshot(snapshot& out, std::string& error);
  bool restore(const snapshot& in, std::string& error);
  // True when the service has no health hook or it says healthy.
  bool healthy(std::string& reason);

  // The `$describe` result: {service, version, sdk_version, abi, name, methods}.
  void pack_describe(msgpack::sbuffer& out, std::string_view name) const;

 private:
  // A field appended to the descriptor, or null when the plugin's
  // descriptor is older than it.
  template <class Fn>
  Fn hook(Fn plugin_descriptor::*field) const {
    const plugin_descriptor& d = descriptor();
    const auto end = reinterpret_cast<const char*>(&(d.*field)) + sizeof(Fn) - reinterpret_cast<const char*>(&d);
    return static_cast<std::size_t>(end) <= d.descriptor_size ? d.*field : nullptr;
  }

  std::unique_ptr<plugin_library> library_;  // declared first: unloads last
  void* instance_ = nullptr;
  std::unordered_map<std::string_view, int> index_;
};

}  // namespace titan::host
