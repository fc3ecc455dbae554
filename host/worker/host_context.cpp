#include "host_context.hpp"

namespace titan::host {

host_context::host_context(std::string name, const msgpack::object& config, std::shared_ptr<spdlog::logger> logger,
                           std::string manager_endpoint)
    : name_(std::move(name)),
      config_(config, zone_),
      logger_(std::move(logger)),
      manager_endpoint_(std::move(manager_endpoint)) {
  if (config_.type != msgpack::type::MAP) {
    config_.type = msgpack::type::MAP;
    config_.via.map.size = 0;
    config_.via.map.ptr = nullptr;
  }
}

}  // namespace titan::host
