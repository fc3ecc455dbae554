#include "titan/topology.hpp"

#include <algorithm>
#include <cerrno>
#include <climits>
#include <cstring>
#include <fstream>
#include <set>
#include <sstream>

#include "child_reader.hpp"
#include "table_reader.hpp"
#include "topology_context.hpp"
#include "topology_values.hpp"
#include "tree_builder.hpp"
#include "workflow_reader.hpp"

namespace titan {
namespace {

using topo::table_reader;
using topo::topology_context;

const std::vector<std::string_view> top_keys{"manager", "defaults", "services", "pools", "supervisors", "workflows"};
const std::vector<std::string_view> manager_keys{"control",   "runtime_dir", "log_dir", "log_max_size",
                                                 "log_files", "heartbeat",   "liveness"};

// Errors in file order; those without a position first.
std::vector<topology_error>& in_file_order(std::vector<topology_error>& errors) {
  std::stable_sort(errors.begin(), errors.end(), [](const topology_error& a, const topology_error& b) {
    return a.where.line != b.where.line ? a.where.line < b.where.line : a.where.column < b.where.column;
  });
  return errors;
}

// A bad value in [defaults] is found once per child that inherits it; say it once.
std::vector<topology_error> without_repeats(std::vector<topology_error> errors) {
  std::vector<topology_error> out;
  for (auto& e : errors) {
    bool repeat = std::any_of(out.begin(), out.end(), [&](const topology_error& o) {
      return o.key == e.key && o.where.line == e.where.line && o.where.column == e.where.column &&
             o.message == e.message;
    });
    if (!repeat) out.push_back(std::move(e));
  }
  return out;
}

std::string joined(const std::vector<topology_error>& errors) {
  std::string out;
  for (const auto& e : errors) out += (out.empty() ? "" : "\n") + e.to_string();
  return out;
}

// Where a table begins: its header, else (a table made by a dotted key) its key.
source_position table_position(const toml::key& key, const toml::node& node) {
  source_position where = topo::position_of(node);
  if (where.line == 0)
    where = {static_cast<unsigned>(key.source().begin.line), static_cast<unsigned>(key.source().begin.column)};
  return where;
}

void read_manager(table_reader& r, manager_settings& m) {
  r.check_keys(manager_keys);
  if (auto v = r.expanded("control")) m.control = *v;
  if (auto v = r.path("runtime_dir")) m.runtime_dir = *v;
  if (auto v = r.path("log_dir")) m.log_dir = *v;
  if (auto v = r.size("log_max_size")) {
    if (*v == 0)
      r.error("log_max_size", "log_max_size must be greater than 0 (got 0)");
    else
      m.log_max_size = *v;
  }
  if (auto v = r.integer("log_files", UINT_MAX)) {
    if (*v == 0)
      r.error("log_files", "log_files must be at least 1 (got 0)");
    else
      m.log_files = static_cast<unsigned>(*v);
  }
  if (auto v = r.duration("heartbeat")) {
    if (v->count() <= 0)
      r.error("heartbeat", "heartbeat must be greater than 0 (got " + std::to_string(v->count()) + " ms)");
    else
      m.heartbeat = *v;
  }
  if (auto v = r.integer("liveness", UINT_MAX)) {
    if (*v == 0)
      r.error("liveness", "liveness must be at least 1 (got 0)");
    else
      m.liveness = static_cast<unsigned>(*v);
  }
}

// Each [SECTION.NAME] table of one section, read by `read`.
template <class Read>
void read_section(table_reader& top, topology_context& ctx, std::string_view section, std::string_view what,
                  Read read) {
  const toml::table* tables = top.sub_table(section);
  if (!tables) return;
  table_reader sections(*tables, std::string(section), topo::position_of(*tables), ctx);
  for (auto&& [key, node] : *tables) {
    std::string name(key.str());
    if (auto* t = node.as_table()) {
      read(*t, name, table_position(key, node));
    } else {
      sections.error(name, "expected a table ([" + std::string(section) + "." + name + "], the " + std::string(what) +
                               "), got " + std::string(topo::type_name(node.type())));
    }
  }
}

}  // namespace

std::string topology_error::to_string() const {
  std::string out = file;
  if (where.line > 0) out += ":" + std::to_string(where.line) + ":" + std::to_string(where.column);
  out += ": ";
  if (!key.empty()) out += key + ": ";
  return out + message;
}

topology_errors::topology_errors(std::vector<topology_error> errors)
    : std::runtime_error(joined(in_file_order(errors))), errors_(std::move(errors)) {}

topology parse_topology(std::string_view text, const std::string& file) {
  topology t;
  t.file = file;
  topology_context ctx(file, t.positions);
  toml::table doc;
  try {
    doc = toml::parse(text, std::string_view(file));
  } catch (const toml::parse_error& e) {
    const auto& begin = e.source().begin;
    ctx.error("", {static_cast<unsigned>(begin.line), static_cast<unsigned>(begin.column)},
              "TOML syntax error: " + std::string(e.description()));
    throw topology_errors(std::move(ctx.errors()));
  }

  table_reader top(doc, "", {}, ctx);
  top.check_keys(top_keys);
  if (const toml::table* m = top.sub_table("manager")) {
    table_reader r(*m, "manager", topo::position_of(*m), ctx);
    read_manager(r, t.manager);
  }
  const toml::table* defaults = top.sub_table("defaults");
  topo::child_reader children(ctx, defaults, defaults ? topo::position_of(*defaults) : source_position{});
  topo::tree_builder tree(ctx);
  read_section(top, ctx, "services", "service",
               [&](const toml::table& table, const std::string& name, source_position at) {
                 tree.add(children.service(table, name, at));
               });
  read_section(top, ctx, "pools", "pool", [&](const toml::table& table, const std::string& name, source_position at) {
    tree.add(children.pool(table, name, at));
  });
  read_section(top, ctx, "supervisors", "supervisor",
               [&](const toml::table& table, const std::string& name, source_position at) {
                 tree.add(children.supervisor(table, name, at));
               });

  if (auto root = tree.build(children.implicit_root())) {
    t.root = std::move(*root);
    for (const spec_error& e : validate(t.root)) ctx.error_at(tree.key_for(e.path), e.message);
  }
  if (auto rest = tree.detached())
    for (const spec_error& e : validate(*rest)) ctx.error_at(tree.key_for(e.path), e.message);
  t.tables = tree.tables();
  if (const toml::table* workflows = top.sub_table("workflows")) {
    topo::workflow_reader reader(ctx);
    reader.read(*workflows);
    std::set<std::string> services;  // what a workflow may call
    for (const auto& [name, table] : t.tables)
      if (table.rfind("services.", 0) == 0 || table.rfind("pools.", 0) == 0) services.insert(name);
    t.workflows = reader.check(services);
  }
  if (!ctx.errors().empty()) throw topology_errors(without_repeats(std::move(ctx.errors())));
  return t;
}

topology load_topology(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    throw topology_errors({{path, {}, "", std::string("cannot read the topology: ") + std::strerror(errno)}});
  }
  std::ostringstream text;
  text << in.rdbuf();
  return parse_topology(text.str(), path);
}

}  // namespace titan
