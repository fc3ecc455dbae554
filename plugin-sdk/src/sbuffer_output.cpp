#include "titan/detail/sbuffer_output.hpp"

namespace titan::detail {
namespace {

// No exception may reach the plugin: a buffer that cannot grow says so.
std::int32_t append(void* handle, const char* data, std::size_t size) noexcept {
  try {
    static_cast<msgpack::sbuffer*>(handle)->write(data, size);
    return TITAN_OK;
  } catch (...) {
    return TITAN_RESOURCE_EXHAUSTED;
  }
}

void clear(void* handle) noexcept { static_cast<msgpack::sbuffer*>(handle)->clear(); }

}  // namespace

sbuffer_output::sbuffer_output(msgpack::sbuffer& buffer) noexcept
    : out_{sizeof(titan_output), &buffer, &append, &clear} {}

}  // namespace titan::detail
