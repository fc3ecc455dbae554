// Descriptors that test how titan-host reads the C ABI (loaded_descriptor.cpp).
// One source, three plugins, by ABI_VARIANT:
//   1 (abi_future): as a later SDK might build it: fields appended to the
//     descriptor and to each method entry (struct_size, method_size say so).
//     This host must step over them and serve the plugin.
//   2 (abi_short_descriptor): struct_size below ABI 3's: malformed (exit 5).
//   3 (abi_null_invoke): a method without invoke: malformed (exit 5).
// The methods are the SDK's own trampolines, from TITAN_SERVICE.
#include <array>
#include <cstdint>
#include <string>

#include <titan/titan.hpp>

class Variant {
 public:
  std::int64_t twice(std::int64_t x) { return 2 * x; }
  std::string name() { return "variant"; }
};

TITAN_SERVICE(Variant, "abi-variant", twice, (name, titan::idempotent))

namespace variant_detail {

constexpr auto table = titan::detail::method_table<Variant>();

// What ABI 3's structs could grow into.
struct future_method {
  titan_method abi3;
  std::uint64_t appended;
};
struct future_descriptor {
  titan_plugin_descriptor abi3;
  const void* appended_pointer;
  std::uint64_t appended_number;
};

constexpr std::array<future_method, 2> future_table = [] {
  std::array<future_method, 2> t{{{table[0], 0xdeadbeef}, {table[1], 0xfeedface}}};
  if (ABI_VARIANT == 3) t[1].abi3.invoke = nullptr;
  return t;
}();

constexpr future_descriptor descriptor = [] {
  future_descriptor d{titan::detail::make_descriptor<Variant>("3.1.0", table), nullptr, 7};
  d.abi3.struct_size = ABI_VARIANT == 2 ? 16 : sizeof(future_descriptor);
  d.abi3.methods = &future_table[0].abi3;
  d.abi3.method_size = sizeof(future_method);
  return d;
}();

}  // namespace variant_detail

BOOST_DLL_ALIAS(variant_detail::descriptor, titan_plugin)
