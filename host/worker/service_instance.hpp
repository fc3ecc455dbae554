// The running service: a plugin library and the one object created from it,
// called through the C ABI (plugin_abi.h).
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>

#include <msgpack.hpp>

#include "host_context.hpp"
#include "plugin_library.hpp"
#include "titan/descriptor.hpp"
#include "titan/state.hpp"
#include "titan/status.hpp"

namespace titan::host {

class service_instance {
 public:
  // Creates the service object; throws host_error(constructor_threw).
  // `ctx` must outlive this.
  service_instance(std::unique_ptr<plugin_library> library, const host_context& ctx);
  // Destroys the object before the library can unload.
  ~service_instance();
  service_instance(const service_instance&) = delete;
  service_instance& operator=(const service_instance&) = delete;

  const plugin_descriptor& descriptor() const { return library_->descriptor(); }
  const std::string& build_id() const { return library_->build_id(); }

  // Index into the method table, or -1.
  int find(std::string_view method) const;
  const titan_method& method(int index) const { return descriptor().methods[index]; }
  std::string method_list() const;  // "add, echo, ..." for error messages

  // Runs a call on a checked body (detail::run_method: `out` gets the result
  // or the message). Never throws. `stream` only for a streaming method.
  status_code invoke(int index, const char* body, std::size_t size, msgpack::sbuffer& out,
                     const titan_stream* stream = nullptr) noexcept;
  bool streams_out(int index) const { return has_flag(method(index).flags, method_flags::streams_out); }
  bool streams_in(int index) const { return has_flag(method(index).flags, method_flags::streams_in); }

  // The state hooks (titan/state.hpp), when the plugin has them. Each
  // returns false with `error` set when the hook failed.
  bool has_snapshot() const { return descriptor().snapshot != nullptr; }
  bool has_restore() const { return descriptor().restore != nullptr; }
  bool take_snapshot(snapshot& out, std::string& error);
  bool restore(const snapshot& in, std::string& error);
  // True when the service has no health hook or it says healthy.
  bool healthy(std::string& reason);

  // The `$describe` result: {service, version, sdk_version, abi, name, methods}.
  void pack_describe(msgpack::sbuffer& out, std::string_view name) const;

 private:
  std::unique_ptr<plugin_library> library_;  // declared first: unloads last
  void* instance_ = nullptr;
  std::unordered_map<std::string_view, int> index_;
};

}  // namespace titan::host
