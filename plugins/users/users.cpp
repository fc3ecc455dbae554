#include "users.hpp"

// `id_prefix` comes from the host's --config table (default "u").
UserService::UserService(titan::Context& ctx) : prefix_(ctx.config_value<std::string>("id_prefix", "u")) {}

User UserService::create_user(std::string name) {
  if (name.empty()) throw titan::Error(titan::status_code::invalid_argument, "name must not be empty");
  User u{prefix_ + std::to_string(next_++), std::move(name)};
  users_[u.id] = u;
  return u;
}

std::optional<User> UserService::get_user(const std::string& id) {
  auto it = users_.find(id);
  if (it == users_.end()) return std::nullopt;
  return it->second;
}

TITAN_PLUGIN(UserService, "1.0.0")
