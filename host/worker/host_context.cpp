#include "host_context.hpp"

#include <algorithm>

namespace titan::host {
namespace {

// titan_host.log: any thread of the plugin may call it (spdlog loggers are
// thread-safe); nothing thrown may reach the plugin.
void log_line(void* handle, std::int32_t level, const char* text, std::size_t size) noexcept {
  try {
    const auto lvl = static_cast<spdlog::level::level_enum>(std::clamp<std::int32_t>(level, TITAN_LOG_TRACE, TITAN_LOG_CRITICAL));
    static_cast<spdlog::logger*>(handle)->log(lvl, spdlog::string_view_t(text, size));
  } catch (...) {
  }
}

std::string pack_config(const msgpack::object& config) {
  msgpack::sbuffer buf;
  msgpack::packer<msgpack::sbuffer> p(buf);
  if (config.type == msgpack::type::MAP)
    p.pack(config);
  else
    p.pack_map(0);
  return std::string(buf.data(), buf.size());
}

}  // namespace

host_context::host_context(std::string name, const msgpack::object& config, std::shared_ptr<spdlog::logger> logger,
                           std::string manager_endpoint)
    : name_(std::move(name)),
      config_(pack_config(config)),
      logger_(std::move(logger)),
      manager_endpoint_(std::move(manager_endpoint)),
      abi_{sizeof(titan_host),
           logger_.get(),
           name_.data(),
           name_.size(),
           config_.data(),
           config_.size(),
           manager_endpoint_.data(),
           manager_endpoint_.size(),
           static_cast<std::int32_t>(logger_->level()),
           &log_line} {}

}  // namespace titan::host
