// What a service sees of the host that runs it.
#pragma once

#include <string>
#include <string_view>

#include <msgpack.hpp>

#include "titan/detail/msgpack_fields.hpp"
#include "titan/proxy.hpp"
#include "titan/status.hpp"

namespace spdlog {
class logger;
}

namespace titan {

// A service receives it in its constructor and may keep the reference for
// its whole life. In a plugin it is the SDK's own (detail/plugin_context.hpp),
// over what the host handed over the C ABI (plugin_abi.h's titan_host); a
// test may implement it.
class Context {
 public:
  virtual ~Context() = default;

  // The instance name (`titan-host --name`), e.g. "users-1".
  virtual std::string_view name() const = 0;

  // The `--config` table as a msgpack map (empty map when there is none).
  virtual const msgpack::object& config() const = 0;

  // A logger whose lines go to the host's log; include <spdlog/spdlog.h>
  // (and link spdlog) to use it.
  virtual spdlog::logger& logger() const = 0;

  // The control endpoint of the manager this host reports to; empty when
  // the host runs without one.
  virtual std::string_view manager_endpoint() const = 0;

  // A typed proxy to the service registered as `name` with this host's
  // manager (one host or a pool; it follows restarts and scaling). Calls go
  // from this host straight to the other one, never through the manager.
  // Keep the proxy (e.g. as a member): making one subscribes to the manager.
  template <class S>
  Proxy<S> connect(const std::string& name, const client_options& options = {}) const {
    if (manager_endpoint().empty())
      throw Error(status_code::failed_precondition,
                  "ctx.connect(\"" + name + "\") needs a manager: run this host under one (titan-host --manager)");
    return discover<S>(std::string(manager_endpoint()), name, options);
  }

  // A config value, or `fallback` when the key is absent. Throws
  // std::runtime_error naming the key when it has the wrong type.
  template <class T>
  T config_value(std::string_view key, T fallback) const {
    const msgpack::object* v = find_config(key);
    if (v == nullptr) return fallback;
    try {
      return v->as<T>();
    } catch (const std::exception&) {
      throw std::runtime_error("config key '" + std::string(key) + "' has the wrong type");
    }
  }

 private:
  const msgpack::object* find_config(std::string_view key) const { return detail::map_field(config(), key); }
};

}  // namespace titan
