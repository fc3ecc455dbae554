// titan::workflow_value <-> MessagePack: to build call bodies, read replies,
// and carry workflow specs over the titan.manager API (MSGPACK_DEFINE_MAP
// structs may hold a workflow_value through the adaptors below).
#pragma once

#include <msgpack.hpp>

#include "titan/workflow_value.hpp"

namespace titan {

// A deep copy: the result does not point into `o`'s zone. Ext values become
// {"$ext": type, "data": bytes}.
workflow_value to_workflow_value(const msgpack::object& o);

template <class Stream>
void pack_value(msgpack::packer<Stream>& p, const workflow_value& v) {
  switch (v.type()) {
    case workflow_value::kind::nil: p.pack_nil(); return;
    case workflow_value::kind::boolean: *v.if_bool() ? p.pack_true() : p.pack_false(); return;
    case workflow_value::kind::integer:
      if (const auto* n = v.if_negative())
        p.pack(*n);
      else
        p.pack(*v.if_unsigned());
      return;
    case workflow_value::kind::floating: p.pack(*v.if_double()); return;
    case workflow_value::kind::string: p.pack(*v.if_string()); return;
    case workflow_value::kind::bytes: {
      const auto& b = *v.if_bytes();
      p.pack_bin(static_cast<std::uint32_t>(b.size()));
      p.pack_bin_body(reinterpret_cast<const char*>(b.data()), static_cast<std::uint32_t>(b.size()));
      return;
    }
    case workflow_value::kind::array:
      p.pack_array(static_cast<std::uint32_t>(v.if_array()->size()));
      for (const auto& e : *v.if_array()) pack_value(p, e);
      return;
    case workflow_value::kind::object:
      p.pack_map(static_cast<std::uint32_t>(v.if_object()->size()));
      for (const auto& [k, e] : *v.if_object()) {
        p.pack(k);
        pack_value(p, e);
      }
      return;
  }
}

}  // namespace titan

namespace msgpack {
MSGPACK_API_VERSION_NAMESPACE(MSGPACK_DEFAULT_API_NS) {
  namespace adaptor {

  template <>
  struct convert<titan::workflow_value> {
    const msgpack::object& operator()(const msgpack::object& o, titan::workflow_value& v) const {
      v = titan::to_workflow_value(o);
      return o;
    }
  };

  template <>
  struct pack<titan::workflow_value> {
    template <class Stream>
    msgpack::packer<Stream>& operator()(msgpack::packer<Stream>& p, const titan::workflow_value& v) const {
      titan::pack_value(p, v);
      return p;
    }
  };

  }  // namespace adaptor
}  // MSGPACK_API_VERSION_NAMESPACE(MSGPACK_DEFAULT_API_NS)
}  // namespace msgpack
