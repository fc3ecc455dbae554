// A header frame [version, kind, id, method, {}] with fields of any type,
// for tests that feed a decoder or a host headers it must refuse.
#pragma once

#include <string>

#include <msgpack.hpp>

namespace titan::test {

template <class V, class K, class I, class M>
std::string raw_header(const V& version, const K& kind, const I& id, const M& method) {
  msgpack::sbuffer buf;
  msgpack::packer<msgpack::sbuffer> p(buf);
  p.pack_array(5);
  p.pack(version);
  p.pack(kind);
  p.pack(id);
  p.pack(method);
  p.pack_map(0);
  return std::string(buf.data(), buf.size());
}

}  // namespace titan::test
