// Turns the tables of services, pools, supervisors and [defaults] into
// child_entry values: defaults merged key by key, each field's origin noted.
#pragma once

#include <string>

#include "child_entry.hpp"
#include "table_reader.hpp"
#include "topology_context.hpp"

namespace titan::topo {

class child_reader {
 public:
  // `defaults` is the [defaults] table, or nullptr.
  child_reader(topology_context& ctx, const toml::table* defaults, source_position defaults_where);

  child_entry service(const toml::table& table, const std::string& name, source_position where);
  child_entry pool(const toml::table& table, const std::string& name, source_position where);
  child_entry supervisor(const toml::table& table, const std::string& name, source_position where);
  // The flags of the implicit root when there is no [supervisors] table.
  child_entry implicit_root() const;

 private:
  // The keys services, pools and [defaults] share.
  void read_host_keys(table_reader& r, child_entry& e);
  // The keys of a service, which a pool has too.
  void read_service_keys(table_reader& r, child_entry& e);
  void read_backoff(table_reader& r, child_entry& e);
  void read_shutdown(table_reader& r, child_entry& e);
  // intensity and period into `flags`; `field` names them in origins ("pool_flags").
  void read_flags(table_reader& r, supervisor_flags& flags, std::map<std::string, std::string>& origins,
                  const std::string& field);
  child_entry from_defaults(const std::string& table, const std::string& name, source_position where) const;

  topology_context& ctx_;
  child_entry defaults_;
};

}  // namespace titan::topo
