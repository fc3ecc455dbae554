#include "plugin_context.hpp"

#include <algorithm>

#include "host_log_sink.hpp"
#include "titan/detail/plugin_context.hpp"
#include "titan/wire.hpp"

namespace titan::detail {
namespace {

std::string copy_of(const char* data, std::size_t size) { return data == nullptr ? std::string() : std::string(data, size); }

}  // namespace

plugin_context::plugin_context(const titan_host& host)
    : name_(copy_of(host.name, host.name_size)),
      config_bytes_(copy_of(host.config, host.config_size)),
      manager_endpoint_(copy_of(host.manager_endpoint, host.manager_endpoint_size)),
      logger_(std::make_shared<spdlog::logger>(name_, std::make_shared<host_log_sink>(host))) {
  // A config that is missing, unreadable or not a map has no keys.
  if (wire::decode_body(config_bytes_.data(), config_bytes_.size(), zone_, config_) ||
      config_.type != msgpack::type::MAP) {
    config_.type = msgpack::type::MAP;
    config_.via.map = {0, nullptr};
  }
  // Lines below the host's level are not even formatted.
  logger_->set_level(static_cast<spdlog::level::level_enum>(
      std::clamp<std::int32_t>(host.log_level, TITAN_LOG_TRACE, TITAN_LOG_OFF)));
}

std::unique_ptr<Context> make_plugin_context(const titan_host& host) { return std::make_unique<plugin_context>(host); }

}  // namespace titan::detail
