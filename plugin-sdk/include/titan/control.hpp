// The control plane between titan-host, the manager and clients that follow
// a name: every message they exchange on the manager's control socket, as
// one type that both sides include (plugin-sdk/PROTOCOL.md, "The manager"),
// and titan-host's exit codes with what each means.
//
// Each report is the single argument of a CALL: `[{...}]`. Unknown keys are
// ignored and missing ones keep their defaults, so that a host and a manager
// of neighbouring versions still understand each other; a key of the wrong
// type makes the whole message malformed (decode() returns nullopt).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <msgpack.hpp>

#include "titan/detail/msgpack_map.hpp"

namespace titan::control {

// Methods a host or a client calls on the manager's control socket.
inline constexpr std::string_view ready_method = "$ready";
inline constexpr std::string_view failed_method = "$failed";
inline constexpr std::string_view heartbeat_method = "$heartbeat";
inline constexpr std::string_view watch_method = "$watch";

// `$ready`: the host serves. `id` is the token the manager passed with
// --id; empty for a host started by hand, which the manager adopts.
struct ready_report {
  std::string id;
  std::string name;
  std::string service;
  std::string version;
  std::string build_id;   // the plugin's GNU build id in hex; "" when it has none
  bool stateful = false;  // its service hands state over on a reload (snapshot())
  std::int64_t pid = 0;
  std::vector<std::string> endpoints;
  std::vector<std::string> methods;
  TITAN_MSGPACK_MAP(id, name, service, version, build_id, stateful, pid, endpoints, methods);
};

// `$failed`: the host could not start; sent just before it exits with
// `exit_code` (an exit_code value).
struct failed_report {
  std::string id;
  std::int64_t pid = 0;
  int exit_code = 0;
  std::string message;
  TITAN_MSGPACK_MAP(id, pid, exit_code, message);
};

// `$heartbeat`: alive, from the thread that serves the host's socket.
struct heartbeat_report {
  std::string id;
  std::uint64_t calls = 0;  // served so far
  std::uint64_t in_flight = 0;
  TITAN_MSGPACK_MAP(id, calls, in_flight);
};

// One STREAM_ITEM of a `$watch`: the whole member list of a name.
struct member {
  std::uint64_t id = 0;
  std::string key;  // stable for a pool slot across replacements (consistent hashing)
  std::string endpoint;
  TITAN_MSGPACK_MAP(id, key, endpoint);
};
struct membership_update {
  std::string name;
  std::uint64_t version = 0;  // grows with every change
  std::vector<member> members;
  std::optional<std::uint64_t> call_timeout_ms;  // the name's call_timeout, when it has one
  TITAN_MSGPACK_MAP(name, version, members, call_timeout_ms);
};

// A host's `$health` reply.
struct health_report {
  std::string status;  // SERVING, NOT_SERVING, HANDING_OVER, DRAINING
  std::optional<std::string> reason;
  TITAN_MSGPACK_MAP(status, reason);
};

// titan-host's exit codes. titan-host --help and the manager's account of a
// host that died before READY both come from describe().
enum class exit_code : int {
  ok = 0,                  // stopped by SIGTERM/SIGINT after draining
  failure = 1,             // any other runtime error
  usage = 2,               // bad command line
  plugin_not_found = 3,    // --plugin names no file
  plugin_load_failed = 4,  // the file is not a loadable shared library (dlopen failed)
  not_a_plugin = 5,        // a shared library without a Titan descriptor
  abi_mismatch = 6,        // built against another SDK ABI version
  constructor_threw = 7,   // the service's constructor threw
  bind_failed = 8,         // a --bind endpoint could not be bound
  config_error = 9,        // --config could not be read or parsed
};
inline constexpr int exit_code_count = 10;

constexpr int to_int(exit_code c) { return static_cast<int>(c); }

// What exit code `code` means; "" for a number that is none of them.
constexpr std::string_view describe(int code) {
  switch (code) {
    case 0: return "stopped by SIGTERM/SIGINT after finishing the calls in flight";
    case 1: return "runtime error";
    case 2: return "bad command line";
    case 3: return "plugin file not found";
    case 4: return "plugin could not be loaded (not a shared library, missing symbol, ...)";
    case 5: return "not a Titan plugin (no TITAN_PLUGIN descriptor)";
    case 6: return "ABI mismatch (plugin built against another SDK ABI)";
    case 7: return "the service's constructor threw";
    case 8: return "a --bind endpoint could not be bound";
    case 9: return "--config could not be read or parsed";
  }
  return "";
}
constexpr std::string_view describe(exit_code c) { return describe(to_int(c)); }

// The "Exit codes:" block of titan-host --help.
inline std::string exit_codes_help() {
  std::string out = "Exit codes:\n";
  for (int i = 0; i < exit_code_count; ++i) {
    out += "  " + std::to_string(i) + "  ";
    out += describe(i);
    out += '\n';
  }
  return out;
}

// A message as a map; nullopt when it is not a map or a key has the
// wrong type.
template <class Message>
std::optional<Message> decode_map(const msgpack::object& map) {
  if (map.type != msgpack::type::MAP) return std::nullopt;
  try {
    Message m;
    map.convert(m);
    return m;
  } catch (const msgpack::type_error&) {
    return std::nullopt;
  }
}

// The report in a CALL body `[{...}]`; nullopt when it is not one.
template <class Report>
std::optional<Report> decode(const msgpack::object& body) {
  if (body.type != msgpack::type::ARRAY || body.via.array.size != 1) return std::nullopt;
  return decode_map<Report>(body.via.array.ptr[0]);
}

// A report as a CALL body: `[{...}]`.
template <class Report>
void encode(msgpack::sbuffer& out, const Report& r) {
  msgpack::packer<msgpack::sbuffer> p(out);
  p.pack_array(1);
  p.pack(r);
}

}  // namespace titan::control
