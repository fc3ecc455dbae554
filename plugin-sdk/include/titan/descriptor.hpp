// The plugin ABI: what a plugin exports and what titan-host reads. This is
// the only thing that crosses the .so boundary; bump sdk_abi_version when
// any type below changes shape.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include <msgpack.hpp>

#include "titan/status.hpp"

namespace titan {

class Context;

// Checked by the host before it calls anything in a plugin. ABI 2 is ABI 1
// plus streaming methods (method_flags::streams_*, stream_call); a
// plugin without any keeps ABI 1, so that hosts older than streams load it.
inline constexpr std::uint32_t sdk_abi_version = 2;
inline constexpr std::uint32_t oldest_abi_version = 1;  // the oldest this host loads

// The exported alias (BOOST_DLL_ALIAS) that points at the descriptor.
inline constexpr const char* plugin_symbol = "titan_plugin";

enum class method_flags : std::uint32_t {
  none = 0,
  idempotent = 1u << 0,  // safe to retry on another host
  // ABI 2: the method streams its results (a titan::Stream<T>& parameter)
  // or its input (titan::Source<T>&); its `invoke` takes a stream_call.
  streams_out = 1u << 1,
  streams_in = 1u << 2,
};
constexpr method_flags operator|(method_flags a, method_flags b) {
  return static_cast<method_flags>(static_cast<std::uint32_t>(a) | static_cast<std::uint32_t>(b));
}
constexpr bool has_flag(method_flags set, method_flags f) {
  return (static_cast<std::uint32_t>(set) & static_cast<std::uint32_t>(f)) != 0;
}

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

struct method_schema {
  std::vector<std::string> args;  // type names, see type_name<T>()
  std::string result;
};

// Runs one call: converts `args` (a msgpack array), calls the method and
// packs its result into `out`. On failure packs a message string into `out`
// and returns its code. Never throws.
using invoke_fn = status_code (*)(void* instance, const msgpack::object& args, msgpack::sbuffer& out) noexcept;
using describe_fn = void (*)(method_schema& out);

namespace detail {
class stream_io;  // titan/stream.hpp
}
// A streaming method's invoke (flags streams_out/streams_in) takes a
// stream_call where other methods take the instance.
struct stream_call {
  void* instance;
  detail::stream_io* io;
};

struct method_entry {
  const char* name;
  invoke_fn invoke;
  describe_fn describe;
  method_flags flags;
};

// Returns a new instance, or nullptr with `error` set when the constructor threw.
using create_fn = void* (*)(Context& ctx, std::string& error) noexcept;
using destroy_fn = void (*)(void* instance) noexcept;
// The optional state hooks (titan/state.hpp); null when the service has
// none. On failure they set `error` and return false. Never throw.
using snapshot_fn = bool (*)(void* instance, std::uint32_t& version, std::string& data, std::string& error) noexcept;
using restore_fn = bool (*)(void* instance, std::uint32_t version, const std::string& data,
                            std::string& error) noexcept;
using health_fn = bool (*)(void* instance, std::string& reason) noexcept;

struct plugin_descriptor {
  std::uint32_t abi_version;  // first member, forever
  std::uint32_t descriptor_size;
  const char* sdk_version;
  const char* service_name;
  const char* service_version;
  const method_entry* methods;
  std::size_t method_count;
  create_fn create;
  destroy_fn destroy;
  // Appended after ABI 1 shipped: read only when descriptor_size covers
  // them (a plugin built by an older SDK 0.1 has none of them).
  snapshot_fn snapshot;
  restore_fn restore;
  health_fn health;
};

// The descriptor size of SDK 0.1.0, before the state hooks.
inline constexpr std::uint32_t descriptor_size_v1 = static_cast<std::uint32_t>(offsetof(plugin_descriptor, snapshot));

}  // namespace titan
