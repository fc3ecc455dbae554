// JSON <-> MessagePack for the CLI: arguments come in as JSON, results go out as JSON.
#pragma once

#include <string>

#include <msgpack.hpp>
#include <nlohmann/json.hpp>

namespace titan::cli {

// nil -> null, bytes -> array of numbers, ext -> {"$ext": type, "data": [...]},
// map keys that are not strings -> their JSON text.
nlohmann::json to_json(const msgpack::object& o);

void pack_json(msgpack::packer<msgpack::sbuffer>& packer, const nlohmann::json& j);

// A command-line argument: JSON when it parses as JSON; a bare word (not
// starting like a JSON value) is taken as a string. Throws std::invalid_argument
// with the JSON parser's message otherwise.
nlohmann::json parse_argument(const std::string& text);

}  // namespace titan::cli
