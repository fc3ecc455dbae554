#include "titan/client.hpp"

namespace titan {

namespace detail {
msgpack::sbuffer& call_buffer() {
  thread_local msgpack::sbuffer buf(1024);
  return buf;
}
msgpack::zone& reply_zone() {
  thread_local msgpack::zone zone(4096);
  return zone;
}
}  // namespace detail

Client Client::connect(const std::string& endpoint, const client_options& options) {
  return Client(detail::make_client_core(endpoint, options), options.timeout);
}

}  // namespace titan
