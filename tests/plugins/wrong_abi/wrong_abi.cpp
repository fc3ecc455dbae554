// A plugin built "for another SDK": its descriptor claims ABI 999. titan-host
// must refuse it (abi_mismatch, 6) before it calls anything in it.
#include <boost/dll/alias.hpp>

#include <titan/descriptor.hpp>

namespace wrong_abi_detail {

void* create(titan::Context&, std::string& error) noexcept {
  error = "must never be called";
  return nullptr;
}
void destroy(void*) noexcept {}

constexpr titan::plugin_descriptor descriptor{
    999, sizeof(titan::plugin_descriptor), "99.0.0", "wrong-abi", "1.0.0", nullptr, 0, &create, &destroy,
    nullptr, nullptr, nullptr,
};

}  // namespace wrong_abi_detail

BOOST_DLL_ALIAS(wrong_abi_detail::descriptor, titan_plugin)
