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

// `v` as the JSON of its MessagePack form: a record (titan/manager_msgpack.hpp)
// prints with its wire keys and values, so `--json` says what the wire says.
template <class T>
nlohmann::json wire_json(const T& v) {
  msgpack::sbuffer buf;
  msgpack::pack(buf, v);
  const msgpack::object_handle h = msgpack::unpack(buf.data(), buf.size());
  return to_json(h.get());
}

// A command-line argument: JSON when it parses as JSON; a bare word (not
// starting like a JSON value) is taken as a string. Throws std::invalid_argument
// with the JSON parser's message otherwise.
nlohmann::json parse_argument(const std::string& text);

}  // namespace titan::cli
