// The workflows a ProcessManager knows (add_workflow), by name, and the
// clients their runs share.
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "service_clients.hpp"
#include "titan/workflow_spec.hpp"

namespace titan::detail {

class workflow_registry {
 public:
  explicit workflow_registry(const std::string& manager_endpoint)
      : clients_(std::make_shared<service_clients>(manager_endpoint)) {}

  // Adds `spec` (already checked), or replaces the one of the same name.
  void add(workflow_spec spec) {
    auto shared = std::make_shared<const workflow_spec>(std::move(spec));
    std::lock_guard lock(mu_);
    specs_[shared->name] = std::move(shared);
  }

  // nullptr when there is none of that name.
  std::shared_ptr<const workflow_spec> find(const std::string& name) const {
    std::lock_guard lock(mu_);
    auto it = specs_.find(name);
    return it == specs_.end() ? nullptr : it->second;
  }

  std::vector<std::string> names() const {
    std::lock_guard lock(mu_);
    std::vector<std::string> out;
    for (const auto& [name, spec] : specs_) out.push_back(name);
    return out;
  }

  const std::shared_ptr<service_clients>& clients() const { return clients_; }

 private:
  const std::shared_ptr<service_clients> clients_;
  mutable std::mutex mu_;  // guards specs_ (add_workflow vs. API threads reading)
  std::map<std::string, std::shared_ptr<const workflow_spec>> specs_;
};

}  // namespace titan::detail
