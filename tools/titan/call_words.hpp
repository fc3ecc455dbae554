// What `titan call` and `titan stream` share: reading NAME METHOD ARGS...
// (METHOD ARGS... with --endpoint) into a method and its packed arguments,
// and the client that reaches NAME or the endpoint.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include <msgpack.hpp>
#include <titan/client.hpp>

#include "commands.hpp"

namespace titan::cli {

struct call_words {
  std::string name;       // "" with --endpoint
  std::string method;
  msgpack::sbuffer body;  // the arguments, one MessagePack array
};

// The call `rest` names; nullopt after printing the problem (a usage
// error: too few words, or an argument that is not JSON).
std::optional<call_words> read_call_words(const char* command, const std::string& endpoint,
                                          const std::vector<std::string>& rest);

// A client of `endpoint`, or else of the service `name` registered with the
// daemon (NOT_FOUND now if there is none, not at the deadline). Without
// --timeout, a discovered service's own call_timeout applies.
Client call_target(const common_args& common, const std::string& endpoint, const std::string& name,
                   client_options options);

}  // namespace titan::cli
