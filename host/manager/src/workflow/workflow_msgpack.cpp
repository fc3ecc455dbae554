#include "titan/workflow_msgpack.hpp"

#include <string>

namespace titan {

workflow_value to_workflow_value(const msgpack::object& o) {
  switch (o.type) {
    case msgpack::type::NIL: return {};
    case msgpack::type::BOOLEAN: return o.via.boolean;
    case msgpack::type::POSITIVE_INTEGER: return o.via.u64;
    case msgpack::type::NEGATIVE_INTEGER: return o.via.i64;
    case msgpack::type::FLOAT32:
    case msgpack::type::FLOAT64: return o.via.f64;
    case msgpack::type::STR: return std::string(o.via.str.ptr, o.via.str.size);
    case msgpack::type::BIN: {
      const auto* p = reinterpret_cast<const std::uint8_t*>(o.via.bin.ptr);
      return workflow_value::bytes(p, p + o.via.bin.size);
    }
    case msgpack::type::ARRAY: {
      workflow_value::array a;
      a.reserve(o.via.array.size);
      for (const auto& e : o.via.array) a.push_back(to_workflow_value(e));
      return a;
    }
    case msgpack::type::MAP: {
      workflow_value::object m;
      m.reserve(o.via.map.size);
      for (const auto& kv : o.via.map) {
        // Keys that are not strings keep their JSON text (as titan call prints them).
        std::string key = kv.key.type == msgpack::type::STR ? std::string(kv.key.via.str.ptr, kv.key.via.str.size)
                                                             : to_workflow_value(kv.key).to_json();
        m.emplace_back(std::move(key), to_workflow_value(kv.val));
      }
      return m;
    }
    case msgpack::type::EXT: {
      const auto* p = reinterpret_cast<const std::uint8_t*>(o.via.ext.data());
      return workflow_value::object{{"$ext", static_cast<std::int64_t>(o.via.ext.type())},
                                    {"data", workflow_value::bytes(p, p + o.via.ext.size)}};
    }
  }
  return {};
}

}  // namespace titan
