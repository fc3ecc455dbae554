// State handover across a hot reload (titan reload): optional hooks a
// service class may define. The host finds them by their signatures.
//
//   titan::snapshot snapshot();                // on the old version, once it has
//                                              // finished every call it received
//   void restore(const titan::snapshot& s);    // on the new one, before its first
//                                              // call; throw to refuse s
//   bool healthy();                            // false (or a throw) fails $health
//
// A snapshot carries a version chosen by the plugin, so that a new version
// can read an older layout or refuse it with a clear message. A service
// without snapshot() starts fresh after a reload.
#pragma once

#include <cstdint>
#include <string>

namespace titan {

struct snapshot {
  std::uint32_t version = 1;  // the layout of `data`, chosen by the plugin
  std::string data;           // any bytes (msgpack, JSON, a binary dump, ...)
};

}  // namespace titan
