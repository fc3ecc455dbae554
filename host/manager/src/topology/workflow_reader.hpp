// Reads the [workflows.NAME] tables of a topology into workflow specs:
// types and keys first (each problem at its value), then validate() with
// the topology's services and pools, each of its problems reported at the
// TOML key its path names (workflows.NAME.stages.STAGE.depends_on[1], ...).
//
//   [workflows.pipeline]
//   output = "$load"                           # optional
//   [workflows.pipeline.stages.extract]
//   call = "extract.run"
//   args = ["$input.source"]
//   compensate = { call = "extract.release", args = ["$self.batch"] }
#pragma once

#include <set>
#include <string>
#include <vector>

#include "table_reader.hpp"
#include "titan/workflow_spec.hpp"
#include "topology_context.hpp"

namespace titan::topo {

class workflow_reader {
 public:
  explicit workflow_reader(topology_context& ctx) : ctx_(ctx) {}

  // Each table of the [workflows] section (`section`: the document's
  // "workflows" value).
  void read(const toml::table& section);
  // The workflows read, in file order, once each passed validate() with
  // `services` as the known services; their problems go to the context.
  std::vector<workflow_spec> check(const std::set<std::string>& services);

 private:
  struct read_workflow {
    workflow_spec spec;
    source_position where;
    std::vector<std::string> bad_keys;  // keys whose value was already reported
    bool had_bad_stage = false;         // a stage that is not a table
  };

  void read_one(const toml::table& table, const std::string& name, source_position where);
  workflow_stage read_stage(const toml::table& table, const std::string& key, const std::string& name,
                            source_position where);
  std::optional<workflow_call> read_call(table_reader& r, bool required);
  // A TOML value as a workflow value, recording the position of every element.
  workflow_value value_of(const toml::node& node, const std::string& key);
  // The TOML key closest to `key` that was read (its parents, else the workflow).
  std::string known_key(std::string key) const;

  topology_context& ctx_;
  std::vector<read_workflow> workflows_;
  std::vector<std::string> bad_keys_;  // of the workflow being read
};

}  // namespace titan::topo
