// The user-service from Titan's first sketch. Shared by plugin and clients.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>

#include <titan/titan.hpp>

struct User {
  std::string id;
  std::string name;
  MSGPACK_DEFINE_MAP(id, name);
};

class UserService {
 public:
  explicit UserService(titan::Context& ctx);
  User create_user(std::string name);
  std::optional<User> get_user(const std::string& id);
  std::uint64_t count() { return users_.size(); }

 private:
  std::string prefix_;
  std::uint64_t next_ = 1;
  std::map<std::string, User> users_;
};

TITAN_SERVICE(UserService, "user-service", create_user, (get_user, titan::idempotent), (count, titan::idempotent))
