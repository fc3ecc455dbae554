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
#include "titan/reader.hpp"

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

  // A streaming call by name: iterate what `method` writes, as T (or as
  // dynamic msgpack values). A method that does not stream gives its
  // result as the one item. No deadline unless with_timeout() set one.
  template <class T = msgpack::object_handle, class... A>
  Reader<T> stream(std::string_view method, const A&... args) const {
    msgpack::sbuffer& buf = detail::call_buffer();
    buf.clear();
    msgpack::packer<msgpack::sbuffer> packer(buf);
    packer.pack_array(sizeof...(A));
    (packer.pack(args), ...);
    return stream_packed<T>(method, buf.data(), buf.size());
  }

  // `body`: the packed arguments. With `input`, its items are sent as the
  // method reads them (a method that takes a titan::Source<T>&).
  template <class T = msgpack::object_handle>
  Reader<T> stream_packed(std::string_view method, const char* body, std::size_t size,
                          const detail::call_flags& flags = {},
                          std::shared_ptr<detail::input_source> input = nullptr) const {
    const std::uint64_t id =
        core_->open_stream(method, body, size, timeout_, flags, {.output = true, .input = input != nullptr});
    return Reader<T>(core_, id, std::move(input));
  }

  // A call to a method that reads an input stream and returns one result:
  // sends all of `input` (as the host takes it), then returns the Future.
  template <class R = msgpack::object_handle>
  Future<R> call_with_input(std::string_view method, const char* body, std::size_t size,
                            const detail::call_flags& flags, std::shared_ptr<detail::input_source> input) const {
    const std::uint64_t id = core_->open_stream(method, body, size, timeout_ ? timeout_ : core_->default_timeout(),
                                                flags, {.output = false, .input = true});
    Future<R> result(core_, id);
    detail::feed_all(*core_, id, *input);
    return result;
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
