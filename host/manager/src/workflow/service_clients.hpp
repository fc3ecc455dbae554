// One discovering titan::Client per service name, made on first use and
// shared by every run of the workflows that use it (a membership feed per
// name, not per call).
#pragma once

#include <map>
#include <mutex>
#include <string>

#include "titan/client.hpp"

namespace titan::detail {

class service_clients {
 public:
  explicit service_clients(std::string manager_endpoint) : endpoint_(std::move(manager_endpoint)) {}

  const std::string& manager_endpoint() const { return endpoint_; }

  // The client of `service` (a service or pool the manager knows).
  Client get(const std::string& service) {
    std::lock_guard lock(mu_);
    auto it = clients_.find(service);
    if (it == clients_.end()) it = clients_.emplace(service, Client::discover(endpoint_, service)).first;
    return it->second;
  }

 private:
  const std::string endpoint_;
  std::mutex mu_;  // guards clients_ (workflow runs on several threads share them)
  std::map<std::string, Client> clients_;
};

}  // namespace titan::detail
