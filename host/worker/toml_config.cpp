#include "toml_config.hpp"

#include <toml++/toml.h>

#include <cstring>
#include <sstream>

#include "host_error.hpp"

namespace titan::host {
namespace {

// A string copied into the zone. (msgpack's object for std::string_view only
// points at the text, even "with zone", and the TOML table is gone once the
// config is loaded.)
msgpack::object zone_string(std::string_view text, msgpack::zone& zone) {
  char* copy = static_cast<char*>(zone.allocate_align(text.size() == 0 ? 1 : text.size()));
  std::memcpy(copy, text.data(), text.size());
  return msgpack::object(std::string_view(copy, text.size()));
}

msgpack::object to_msgpack(const toml::node& node, msgpack::zone& zone) {
  if (auto* t = node.as_table()) {
    msgpack::object o;
    o.type = msgpack::type::MAP;
    o.via.map.size = static_cast<std::uint32_t>(t->size());
    o.via.map.ptr = static_cast<msgpack::object_kv*>(zone.allocate_align(sizeof(msgpack::object_kv) * t->size()));
    std::size_t i = 0;
    for (auto&& [k, v] : *t) {
      o.via.map.ptr[i].key = zone_string(k.str(), zone);
      o.via.map.ptr[i].val = to_msgpack(v, zone);
      ++i;
    }
    return o;
  }
  if (auto* a = node.as_array()) {
    msgpack::object o;
    o.type = msgpack::type::ARRAY;
    o.via.array.size = static_cast<std::uint32_t>(a->size());
    o.via.array.ptr = static_cast<msgpack::object*>(zone.allocate_align(sizeof(msgpack::object) * a->size()));
    for (std::size_t i = 0; i < a->size(); ++i) o.via.array.ptr[i] = to_msgpack(*a->get(i), zone);
    return o;
  }
  if (auto* s = node.as_string()) return zone_string(s->get(), zone);
  if (auto* i = node.as_integer()) return msgpack::object(i->get(), zone);
  if (auto* f = node.as_floating_point()) return msgpack::object(f->get(), zone);
  if (auto* b = node.as_boolean()) return msgpack::object(b->get(), zone);
  // Dates and times travel as their TOML text.
  std::ostringstream text;
  if (auto* d = node.as_date()) text << d->get();
  else if (auto* t = node.as_time()) text << t->get();
  else if (auto* dt = node.as_date_time()) text << dt->get();
  return msgpack::object(text.str(), zone);
}

}  // namespace

msgpack::object load_toml_config(const std::string& path, msgpack::zone& zone) {
  try {
    toml::table table = toml::parse_file(path);
    return to_msgpack(table, zone);
  } catch (const toml::parse_error& e) {
    const auto& where = e.source();
    std::string file = where.path ? *where.path : path;
    throw host_error(exit_code::config_error, file + ":" + std::to_string(where.begin.line) + ":" +
                                                  std::to_string(where.begin.column) + ": " +
                                                  std::string(e.description()));
  }
}

}  // namespace titan::host
