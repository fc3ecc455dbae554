// The host's side of titan::Context.
#pragma once

#include <memory>
#include <string>

#include <msgpack.hpp>
#include <spdlog/logger.h>

#include "titan/context.hpp"

namespace titan::host {

class host_context final : public Context {
 public:
  // `config` must be a msgpack map or nil; it is copied.
  host_context(std::string name, const msgpack::object& config, std::shared_ptr<spdlog::logger> logger,
               std::string manager_endpoint);

  std::string_view name() const override { return name_; }
  const msgpack::object& config() const override { return config_; }
  spdlog::logger& logger() const override { return *logger_; }
  std::string_view manager_endpoint() const override { return manager_endpoint_; }

 private:
  std::string name_;
  msgpack::zone zone_;
  msgpack::object config_;
  std::shared_ptr<spdlog::logger> logger_;
  std::string manager_endpoint_;
};

}  // namespace titan::host
