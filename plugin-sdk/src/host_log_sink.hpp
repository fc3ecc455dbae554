// A spdlog sink that hands each line to the host's log callback
// (titan_host.log): the plugin formats the message, the host its line.
#pragma once

#include <spdlog/sinks/sink.h>

#include "titan/plugin_abi.h"

namespace titan::detail {

class host_log_sink final : public spdlog::sinks::sink {
 public:
  explicit host_log_sink(const titan_host& host) noexcept;

  void log(const spdlog::details::log_msg& msg) override;
  void flush() override {}
  // The host's pattern decides how a line looks; a plugin's is ignored.
  void set_pattern(const std::string&) override {}
  void set_formatter(std::unique_ptr<spdlog::formatter>) override {}

 private:
  void* handle_;
  void (*log_)(void* handle, std::int32_t level, const char* text, std::size_t size);
};

}  // namespace titan::detail
