// A host's `$describe` reply, as tests read it (plugin-sdk/PROTOCOL.md).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <msgpack.hpp>

namespace titan::test {

struct method_info {
  std::string name;
  std::vector<std::string> args;
  std::string result;
  bool idempotent = false;
  MSGPACK_DEFINE_MAP(name, args, result, idempotent);
};

struct describe_info {
  std::string service;
  std::string version;
  std::string sdk_version;
  std::uint32_t abi = 0;
  std::string name;
  std::vector<method_info> methods;
  MSGPACK_DEFINE_MAP(service, version, sdk_version, abi, name, methods);
};

}  // namespace titan::test
