// A connection to one host, calling methods by name (no service header needed).
#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <string_view>
#include <utility>

#include <msgpack.hpp>

#include "titan/client_options.hpp"
#include "titan/detail/client_core.hpp"
#include "titan/future.hpp"

namespace titan {

namespace detail {
msgpack::sbuffer& call_buffer();
}

// Cheap to copy; copies share the connection. Safe to use from several
// threads at once.
class Client {
 public:
  // Connects in the background; never blocks. A host that is not there
  // shows up as UNAVAILABLE on the first call, after its deadline.
  static Client connect(const std::string& endpoint, const client_options& options = {});

  // A client of whatever the manager at `manager_endpoint` has registered
  // under `name` (one host or a pool); it follows the membership as the
  // manager pushes changes (restarts, scaling), with no action of yours.
  static Client discover(const std::string& manager_endpoint, const std::string& name,
                         const client_options& options = {});

  // call<int>("add", 2, 3).get() == 5. With no R the result is a dynamic
  // msgpack::object_handle.
  template <class R = msgpack::object_handle, class... A>
  Future<R> call(std::string_view method, const A&... args) const {
    msgpack::sbuffer& buf = detail::call_buffer();
    buf.clear();
    msgpack::packer<msgpack::sbuffer> packer(buf);
    packer.pack_array(sizeof...(A));
    (packer.pack(args), ...);
    return Future<R>(core_, core_->send(method, buf.data(), buf.size(), timeout_, {}));
  }

  // `body` must be a packed msgpack array of arguments.
  template <class R = msgpack::object_handle>
  Future<R> call_packed(std::string_view method, const char* body, std::size_t size,
                        const detail::call_flags& flags = {}) const {
    return Future<R>(core_, core_->send(method, body, size, timeout_, flags));
  }

  // A client on the same connection whose calls use another deadline.
  Client with_timeout(std::chrono::milliseconds timeout) const { return Client(core_, timeout); }

  // The deadline its calls get now (see client_options::timeout).
  std::chrono::milliseconds timeout() const { return timeout_ ? *timeout_ : core_->default_timeout(); }
  const std::string& endpoint() const { return core_->endpoint(); }
  // Endpoints of the hosts calls may go to now.
  std::vector<std::string> members() const { return core_->members(); }

 private:
  Client(std::shared_ptr<detail::client_core> core, std::optional<std::chrono::milliseconds> timeout)
      : core_(std::move(core)), timeout_(timeout) {}

  std::shared_ptr<detail::client_core> core_;
  std::optional<std::chrono::milliseconds> timeout_;  // unset: the core's default
};

}  // namespace titan
