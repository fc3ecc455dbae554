#include "call_words.hpp"

#include <iostream>
#include <stdexcept>

#include "instance.hpp"
#include "json_msgpack.hpp"

namespace titan::cli {

std::optional<call_words> read_call_words(const char* command, const std::string& endpoint,
                                          const std::vector<std::string>& rest) {
  const std::size_t need = endpoint.empty() ? 2 : 1;
  if (rest.size() < need) {
    std::cerr << "error: usage: titan " << command << " NAME METHOD [ARGS...]  or  titan " << command
              << " --endpoint EP METHOD [ARGS...]\n";
    return std::nullopt;
  }
  call_words w;
  w.name = endpoint.empty() ? rest[0] : "";
  w.method = rest[need - 1];
  msgpack::packer<msgpack::sbuffer> packer(w.body);
  packer.pack_array(static_cast<std::uint32_t>(rest.size() - need));
  for (std::size_t i = need; i < rest.size(); ++i) {
    try {
      pack_json(packer, parse_argument(rest[i]));
    } catch (const std::invalid_argument& e) {
      std::cerr << "error: " << e.what() << '\n';
      return std::nullopt;
    }
  }
  return w;
}

Client call_target(const common_args& common, const std::string& endpoint, const std::string& name,
                   client_options options) {
  options.timeout = std::chrono::milliseconds(common.timeout_ms);
  if (!endpoint.empty()) return Client::connect(endpoint, options);
  if (!common.timeout_given) options.timeout.reset();  // the call_timeout its topology gives it, if any
  connect_manager(common.instance, common.timeout_ms).resolve(name).get();
  return Client::discover(control_endpoint(common.instance), name, options);
}

}  // namespace titan::cli
