#include "host_log_sink.hpp"

namespace titan::detail {

static_assert(spdlog::level::trace == TITAN_LOG_TRACE && spdlog::level::info == TITAN_LOG_INFO &&
                  spdlog::level::critical == TITAN_LOG_CRITICAL && spdlog::level::off == TITAN_LOG_OFF,
              "TITAN_LOG_* are spdlog's level numbers");

host_log_sink::host_log_sink(const titan_host& host) noexcept : handle_(host.handle), log_(host.log) {}

void host_log_sink::log(const spdlog::details::log_msg& msg) {
  // The callback is thread-safe (PLUGIN_ABI.md), so no lock here: calls on
  // several service threads log at once.
  if (log_ != nullptr) log_(handle_, static_cast<std::int32_t>(msg.level), msg.payload.data(), msg.payload.size());
}

}  // namespace titan::detail
