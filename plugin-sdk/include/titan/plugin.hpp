// TITAN_PLUGIN: exports a service's descriptor from its .so. Use it in
// exactly one .cpp of the plugin, after the header with TITAN_SERVICE.
#pragma once

#include <boost/dll/alias.hpp>

#include "titan/service.hpp"

// The descriptor is a constant (no static constructor runs when the plugin
// loads); the host reads it through the `titan_plugin` alias.
#define TITAN_PLUGIN(S, VERSION)                                                                  \
  namespace titan_plugin_detail_ {                                                                \
  constexpr auto method_table_ = ::titan::detail::method_table<S>();                              \
  constexpr ::titan::plugin_descriptor descriptor_ = ::titan::detail::make_descriptor<S>(VERSION, \
                                                                                          method_table_); \
  }                                                                                               \
  BOOST_DLL_ALIAS(titan_plugin_detail_::descriptor_, titan_plugin)
