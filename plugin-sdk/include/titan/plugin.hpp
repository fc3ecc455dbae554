// TITAN_PLUGIN: exports a service's descriptor from its .so. Use it in
// exactly one .cpp of the plugin, after the header with TITAN_SERVICE.
#pragma once

#include <boost/dll/alias.hpp>

#include "titan/service.hpp"

// The descriptor (a titan_plugin_descriptor, plugin_abi.h) and its method
// table are constants: no static constructor runs when the plugin loads.
// The host reads them through the `titan_plugin` alias, a pointer to the
// descriptor.
#define TITAN_PLUGIN(S, VERSION)                                                                        \
  namespace titan_plugin_detail_ {                                                                      \
  constexpr auto method_table_ = ::titan::detail::method_table<S>();                                    \
  constexpr ::titan_plugin_descriptor descriptor_ = ::titan::detail::make_descriptor<S>(VERSION,        \
                                                                                        method_table_); \
  }                                                                                                     \
  BOOST_DLL_ALIAS(titan_plugin_detail_::descriptor_, titan_plugin)
