#include "json_msgpack.hpp"

#include <cctype>
#include <stdexcept>

namespace titan::cli {

nlohmann::json to_json(const msgpack::object& o) {
  using nlohmann::json;
  switch (o.type) {
    case msgpack::type::NIL: return nullptr;
    case msgpack::type::BOOLEAN: return o.via.boolean;
    case msgpack::type::POSITIVE_INTEGER: return o.via.u64;
    case msgpack::type::NEGATIVE_INTEGER: return o.via.i64;
    case msgpack::type::FLOAT32:
    case msgpack::type::FLOAT64: return o.via.f64;
    case msgpack::type::STR: return std::string(o.via.str.ptr, o.via.str.size);
    case msgpack::type::BIN: {
      json a = json::array();
      for (std::uint32_t i = 0; i < o.via.bin.size; ++i) a.push_back(static_cast<unsigned char>(o.via.bin.ptr[i]));
      return a;
    }
    case msgpack::type::ARRAY: {
      json a = json::array();
      for (const auto& e : o.via.array) a.push_back(to_json(e));
      return a;
    }
    case msgpack::type::MAP: {
      json m = json::object();
      for (const auto& kv : o.via.map) {
        std::string key = kv.key.type == msgpack::type::STR ? std::string(kv.key.via.str.ptr, kv.key.via.str.size)
                                                             : to_json(kv.key).dump();
        m[key] = to_json(kv.val);
      }
      return m;
    }
    case msgpack::type::EXT: {
      json data = json::array();
      for (std::uint32_t i = 0; i < o.via.ext.size; ++i) data.push_back(static_cast<unsigned char>(o.via.ext.data()[i]));
      return json{{"$ext", o.via.ext.type()}, {"data", data}};
    }
  }
  return nullptr;
}

void pack_json(msgpack::packer<msgpack::sbuffer>& p, const nlohmann::json& j) {
  switch (j.type()) {
    case nlohmann::json::value_t::null:
    case nlohmann::json::value_t::discarded: p.pack_nil(); break;
    case nlohmann::json::value_t::boolean: j.get<bool>() ? p.pack_true() : p.pack_false(); break;
    case nlohmann::json::value_t::number_integer: p.pack(j.get<std::int64_t>()); break;
    case nlohmann::json::value_t::number_unsigned: p.pack(j.get<std::uint64_t>()); break;
    case nlohmann::json::value_t::number_float: p.pack(j.get<double>()); break;
    case nlohmann::json::value_t::string: p.pack(j.get_ref<const std::string&>()); break;
    case nlohmann::json::value_t::binary: {
      const auto& b = j.get_binary();
      p.pack_bin(static_cast<std::uint32_t>(b.size()));
      p.pack_bin_body(reinterpret_cast<const char*>(b.data()), static_cast<std::uint32_t>(b.size()));
      break;
    }
    case nlohmann::json::value_t::array:
      p.pack_array(static_cast<std::uint32_t>(j.size()));
      for (const auto& e : j) pack_json(p, e);
      break;
    case nlohmann::json::value_t::object:
      p.pack_map(static_cast<std::uint32_t>(j.size()));
      for (const auto& [k, v] : j.items()) {
        p.pack(k);
        pack_json(p, v);
      }
      break;
  }
}

nlohmann::json parse_argument(const std::string& text) {
  auto looks_like_json = [&] {
    if (text.empty()) return true;
    const char c = text[0];
    return c == '{' || c == '[' || c == '"' || c == '-' || std::isdigit(static_cast<unsigned char>(c)) ||
           text == "true" || text == "false" || text == "null";
  };
  if (!looks_like_json()) return text;
  try {
    return nlohmann::json::parse(text);
  } catch (const nlohmann::json::parse_error& e) {
    std::string what = e.what();
    if (auto p = what.find("parse error"); p != std::string::npos) what = what.substr(p);
    throw std::invalid_argument("argument '" + text + "' is not valid JSON: " + what);
  }
}

}  // namespace titan::cli
