// Assembles the supervision tree from the entries read: who is whose child,
// the one root, cycles, children listed twice or naming nothing, services
// left out. Notes, for every spec path, the TOML key it came from.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "child_entry.hpp"
#include "topology_context.hpp"

namespace titan::topo {

class tree_builder {
 public:
  explicit tree_builder(topology_context& ctx) : ctx_(ctx) {}

  // Services and pools, then supervisors; any order (file order is restored
  // from their lines). A name already taken is reported and left out.
  void add(child_entry entry);
  // With no supervisor added: `root` (the implicit one) gets every service
  // and pool as children, in file order. Empty when there is no tree to check.
  std::optional<supervisor_spec> build(const child_entry& implicit_root);
  // What build() left out of the tree (services and pools in no supervisor,
  // roots but the first), under a made-up supervisor, so that validate()
  // can still check their values. Call after build().
  std::optional<supervisor_spec> detached();

  // spec path ("root.children[2].backoff.base") -> TOML key.
  const std::map<std::string, std::string>& spec_keys() const { return spec_keys_; }
  // child name -> its table ("services.api").
  std::map<std::string, std::string> tables() const;
  // The TOML key for a spec path: its own, else its nearest parent's.
  std::string key_for(std::string path) const;

 private:
  const child_entry* find(const std::string& name) const;
  void link_children();
  void report_cycles(bool no_root);
  supervisor_spec assemble(const child_entry& supervisor, const std::string& path);
  void note(const child_entry& entry, const std::string& path, bool is_root);

  struct mention {
    std::string parent;  // the supervisor listing it
    std::string key;     // "supervisors.root.children[2]"
  };

  topology_context& ctx_;
  std::vector<child_entry> entries_;                      // in file order
  std::map<std::string, mention> parent_;                 // child name -> where it is listed
  std::map<std::string, std::vector<std::string>> kids_;  // supervisor -> its valid children
  std::map<std::string, std::string> spec_keys_;
  std::vector<std::string> left_out_;  // names, in file order
};

}  // namespace titan::topo
