#include "titan/client.hpp"

#include "balancer.hpp"
#include "titan/proxy.hpp"

namespace titan {

namespace detail {
msgpack::sbuffer& call_buffer() {
  thread_local msgpack::sbuffer buf(1024);
  return buf;
}
std::uint64_t key_hash(const char* data, std::size_t size) { return stable_hash(data, size); }

msgpack::zone& reply_zone() {
  thread_local msgpack::zone zone(4096);
  return zone;
}
}  // namespace detail

Client Client::connect(const std::string& endpoint, const client_options& options) {
  return Client(detail::make_client_core(endpoint, options), options.timeout);
}

Client Client::discover(const std::string& manager_endpoint, const std::string& name, const client_options& options) {
  return Client(detail::make_discovering_client_core(manager_endpoint, name, options), options.timeout);
}

std::string_view to_string(balance b) {
  switch (b) {
    case balance::round_robin: return "round-robin";
    case balance::least_loaded: return "least-loaded";
    case balance::random: return "random";
    case balance::consistent_hash: return "consistent-hash";
  }
  return "?";
}

std::optional<balance> balance_from_string(std::string_view name) {
  for (balance b : {balance::round_robin, balance::least_loaded, balance::random, balance::consistent_hash})
    if (to_string(b) == name) return b;
  return std::nullopt;
}

}  // namespace titan
