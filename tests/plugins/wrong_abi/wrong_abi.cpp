// A plugin built "for another SDK": its descriptor claims ABI 999. titan-host
// must refuse it (abi_mismatch, 6) before it calls anything in it.
#include <cstdint>

#include <titan/plugin_abi.h>

namespace wrong_abi_detail {

std::int32_t create(const titan_host*, void**, const titan_output* error) noexcept {
  static const char why[] = "must never be called";
  error->write(error->handle, why, sizeof why - 1);
  return TITAN_INTERNAL;
}
void destroy(void*) noexcept {}

constexpr titan_plugin_descriptor descriptor{
    999, sizeof(titan_plugin_descriptor), "99.0.0", "wrong-abi", "1.0.0", nullptr, 0, sizeof(titan_method),
    &create, &destroy, nullptr, nullptr, nullptr,
};

}  // namespace wrong_abi_detail

TITAN_EXPORT_DESCRIPTOR(wrong_abi_detail::descriptor)
