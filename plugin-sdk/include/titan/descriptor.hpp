// The plugin ABI, the C++ side of it. What crosses the .so boundary is the
// plain C of titan/plugin_abi.h (plugin-sdk/PLUGIN_ABI.md); TITAN_PLUGIN
// fills it in from TITAN_SERVICE, and this header gives the C++ names of its
// constants and the per-method options of TITAN_SERVICE.
#pragma once

#include <cstdint>

#include "titan/plugin_abi.h"

namespace titan {

// Checked by the host before it calls anything in a plugin. ABI 3 is the
// plain C descriptor; ABI 1 and 2 (the C++ descriptor of SDK 0.1) are refused.
inline constexpr std::uint32_t sdk_abi_version = TITAN_ABI_VERSION;
inline constexpr std::uint32_t oldest_abi_version = TITAN_ABI_VERSION;  // the oldest this host loads

// The exported alias (BOOST_DLL_ALIAS) that points at the descriptor.
inline constexpr const char* plugin_symbol = TITAN_PLUGIN_SYMBOL;

enum class method_flags : std::uint32_t {
  none = 0,
  idempotent = TITAN_METHOD_IDEMPOTENT,  // safe to retry on another host
  // The method streams its results (a titan::Stream<T>& parameter) or its
  // input (titan::Source<T>&); the host passes it a titan_stream.
  streams_out = TITAN_METHOD_STREAMS_OUT,
  streams_in = TITAN_METHOD_STREAMS_IN,
};
constexpr method_flags operator|(method_flags a, method_flags b) {
  return static_cast<method_flags>(static_cast<std::uint32_t>(a) | static_cast<std::uint32_t>(b));
}
constexpr bool has_flag(method_flags set, method_flags f) {
  return (static_cast<std::uint32_t>(set) & static_cast<std::uint32_t>(f)) != 0;
}
constexpr bool has_flag(std::uint32_t set, method_flags f) { return has_flag(static_cast<method_flags>(set), f); }

// Per-method options, written next to the method in TITAN_SERVICE:
//   TITAN_SERVICE(S, "s", put, (get, titan::idempotent))
struct method_options {
  method_flags flags = method_flags::none;
  int key_arg = -1;  // the argument that balance::consistent_hash routes by; -1: none
};
constexpr method_options operator|(method_options a, method_options b) {
  return {a.flags | b.flags, b.key_arg >= 0 ? b.key_arg : a.key_arg};
}
inline constexpr method_options idempotent{method_flags::idempotent};
// Routes calls by argument `index` (0-based) in a consistent-hash pool:
//   TITAN_SERVICE(S, "s", (get, titan::idempotent | titan::key(0)))
constexpr method_options key(int index) { return {method_flags::none, index}; }

}  // namespace titan
