// The caller's side of a method table (plugin_abi.h): the one dispatch path
// of titan-host and of the manager's titan.manager API. A call's body goes
// in as bytes; its result (MessagePack) or its error message (text) comes
// out in a msgpack::sbuffer, packed there by the method itself.
#pragma once

#include <cstddef>
#include <string_view>

#include <msgpack.hpp>

#include "titan/plugin_abi.h"
#include "titan/status.hpp"

namespace titan::detail {

// The entry of `table` (`count` entries) named `name`, or nullptr.
const titan_method* find_method(const titan_method* table, std::size_t count, std::string_view name) noexcept;

// Checks that a CALL body is exactly one well-formed MessagePack array,
// without decoding it. When it is not, `out` gets why ("bad body: ...",
// "arguments must be an array, got map") and the result is false.
bool check_call_body(const char* body, std::size_t size, msgpack::sbuffer& out);

// Runs method `m` of `instance` on a checked CALL body; `stream` is given
// to a streaming method. `out` (cleared first) gets the result on ok, else
// the message. A code the method returned that is no status_code becomes
// UNKNOWN, with its number in the message. Never throws.
status_code run_method(const titan_method& m, void* instance, const char* body, std::size_t size,
                       const titan_stream* stream, msgpack::sbuffer& out) noexcept;

// check_call_body, then run_method (for a method that does not stream).
status_code call_method(const titan_method& m, void* instance, const char* body, std::size_t size,
                        msgpack::sbuffer& out) noexcept;

}  // namespace titan::detail
