#include "workflow_json.hpp"

#include <titan/workflow_msgpack.hpp>

#include "json_msgpack.hpp"

namespace titan::cli {

workflow_value value_from_json(const nlohmann::json& j) {
  msgpack::sbuffer buf;
  msgpack::packer<msgpack::sbuffer> packer(buf);
  pack_json(packer, j);
  msgpack::object_handle h = msgpack::unpack(buf.data(), buf.size());
  return to_workflow_value(h.get());
}

}  // namespace titan::cli
