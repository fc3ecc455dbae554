// The SDK's titan::Context over a titan_host (see detail/plugin_context.hpp).
#pragma once

#include <memory>
#include <string>

#include <msgpack.hpp>
#include <spdlog/logger.h>

#include "titan/context.hpp"
#include "titan/plugin_abi.h"

namespace titan::detail {

class plugin_context final : public Context {
 public:
  explicit plugin_context(const titan_host& host);

  std::string_view name() const override { return name_; }
  const msgpack::object& config() const override { return config_; }
  spdlog::logger& logger() const override { return *logger_; }
  std::string_view manager_endpoint() const override { return manager_endpoint_; }

 private:
  std::string name_;
  std::string config_bytes_;  // config_ points into them
  msgpack::zone zone_;
  msgpack::object config_;
  std::string manager_endpoint_;
  std::shared_ptr<spdlog::logger> logger_;
};

}  // namespace titan::detail
