// What the host hands a plugin's service when it creates it: the C struct
// titan_host (plugin_abi.h) over the instance name, the --config table, the
// manager endpoint and this host's logger. The plugin's SDK builds its
// titan::Context from it.
#pragma once

#include <memory>
#include <string>

#include <msgpack.hpp>
#include <spdlog/logger.h>

#include "titan/plugin_abi.h"

namespace titan::host {

class host_context {
 public:
  // `config` must be a msgpack map or nil (nil: an empty map); it is packed
  // into bytes here.
  host_context(std::string name, const msgpack::object& config, std::shared_ptr<spdlog::logger> logger,
               std::string manager_endpoint);
  host_context(const host_context&) = delete;  // abi_ points at this object
  host_context& operator=(const host_context&) = delete;

  // Valid while this lives: outlive the service created from it.
  const titan_host& abi() const { return abi_; }

 private:
  std::string name_;
  std::string config_;  // one MessagePack map
  std::shared_ptr<spdlog::logger> logger_;
  std::string manager_endpoint_;
  titan_host abi_;
};

}  // namespace titan::host
