#include "child_reader.hpp"

#include <climits>
#include <sstream>

#include "topology_values.hpp"

namespace titan::topo {
namespace {

const std::vector<std::string_view> defaults_keys{"restart",       "shutdown",   "backoff",     "call_timeout",
                                                  "ready_timeout", "max_memory", "concurrency", "transport",
                                                  "log_level",     "intensity",  "period",      "watch"};
const std::vector<std::string_view> service_keys{
    "plugin",        "config",       "config_file", "concurrency", "transport",   "max_memory", "log_level",
    "ready_timeout", "call_timeout", "restart",     "shutdown",    "significant", "backoff",    "watch"};
const std::vector<std::string_view> pool_only_keys{"size", "strategy", "intensity", "period"};
const std::vector<std::string_view> supervisor_keys{"strategy", "intensity", "period",     "auto_shutdown",
                                                    "children", "restart",   "significant"};
const std::vector<std::string_view> backoff_keys{"base", "factor", "max", "reset_after"};

// The service's config table as TOML text, which titan-host reads back.
std::string to_toml_text(const toml::table& table) {
  toml::table copy = table;
  copy.is_inline(false);  // a document, not `{ ... }`
  std::ostringstream out;
  out << copy << '\n';
  return out.str();
}

}  // namespace

child_reader::child_reader(topology_context& ctx, const toml::table* defaults, source_position defaults_where)
    : ctx_(ctx) {
  defaults_.table = "defaults";
  if (!defaults) return;
  table_reader r(*defaults, "defaults", defaults_where, ctx_);
  r.check_keys(defaults_keys);
  read_host_keys(r, defaults_);
  read_flags(r, defaults_.spec.pool_flags, defaults_.origins, "pool_flags");
}

child_entry child_reader::from_defaults(const std::string& table, const std::string& name,
                                        source_position where) const {
  child_entry e = defaults_;
  e.table = table;
  e.where = where;
  e.spec.name = name;
  return e;
}

void child_reader::read_shutdown(table_reader& r, child_entry& e) {
  const toml::node* node = r.get("shutdown");
  if (!node) return;
  shutdown_spec shutdown;
  if (auto* s = node->as_string(); s && s->get() == "brutal_kill") {
    shutdown.brutal_kill = true;
  } else if (auto* text = node->as_string()) {
    auto timeout = parse_duration(text->get());
    if (!timeout.value)
      return r.error("shutdown",
                     "invalid shutdown '" + text->get() + "': use \"brutal_kill\" or a duration, " + duration_forms);
    shutdown.timeout = *timeout.value;
  } else if (node->is_integer()) {
    shutdown.timeout = *r.duration("shutdown");
  } else {
    r.error("shutdown", "expected a duration or \"brutal_kill\", got " + std::string(type_name(node->type())));
    return;
  }
  e.spec.shutdown = shutdown;
  e.origins["shutdown"] = e.origins["shutdown.timeout"] = r.key_of("shutdown");
}

// `backoff = "none"`: OTP's immediate restarts. A table: merged key by key
// with what [defaults] said, or with the built-in values when [defaults]
// said "none" (its zeros would make a table's lone `base` above `max`).
void child_reader::read_backoff(table_reader& r, child_entry& e) {
  const toml::node* node = r.get("backoff");
  if (!node) return;
  if (auto* text = node->as_string()) {
    if (text->get() != "none")
      return r.error("backoff", "unknown backoff '" + text->get() +
                                    "': use \"none\" (restart at once, as OTP does) or a table of base, factor, "
                                    "max and reset_after");
    e.spec.backoff = backoff_spec::none();
    e.backoff_none = true;
    for (const char* key : {"backoff", "backoff.base", "backoff.factor", "backoff.max", "backoff.reset_after"})
      e.origins[key] = r.key_of("backoff");
    return;
  }
  const toml::table* table = node->as_table();
  if (!table) return r.wrong_type("backoff", "a table (base, factor, max, reset_after) or \"none\"");
  if (e.backoff_none) {
    e.spec.backoff = backoff_spec{};
    e.backoff_none = false;
    for (const char* key : {"backoff.base", "backoff.factor", "backoff.max", "backoff.reset_after"})
      e.origins.erase(key);
  }
  table_reader b(*table, r.key_of("backoff"), position_of(*table), ctx_);
  b.check_keys(backoff_keys);
  e.origins["backoff"] = b.key();
  auto note = [&](std::string_view key) { e.origins["backoff." + std::string(key)] = b.key_of(key); };
  if (auto v = b.duration("base")) e.spec.backoff.base = *v, note("base");
  if (auto v = b.number("factor")) e.spec.backoff.factor = *v, note("factor");
  if (auto v = b.duration("max")) e.spec.backoff.max = *v, note("max");
  if (auto v = b.duration("reset_after")) e.spec.backoff.reset_after = *v, note("reset_after");
}

void child_reader::read_flags(table_reader& r, supervisor_flags& flags, std::map<std::string, std::string>& origins,
                              const std::string& field) {
  if (auto v = r.integer("intensity", UINT_MAX))
    flags.intensity = static_cast<unsigned>(*v), origins[field + ".intensity"] = r.key_of("intensity");
  if (auto v = r.duration("period")) flags.period = *v, origins[field + ".period"] = r.key_of("period");
}

void child_reader::read_host_keys(table_reader& r, child_entry& e) {
  host_spec& h = e.spec.host;
  auto note = [&](const std::string& field, std::string_view key) { e.origins[field] = r.key_of(key); };
  if (auto v = r.choice<restart_type>("restart", restart_type_from_string, "restart type",
                                      "permanent, transient or temporary"))
    e.spec.restart = *v, note("restart", "restart");
  read_shutdown(r, e);
  read_backoff(r, e);
  if (auto v = r.duration("call_timeout")) h.call_timeout = *v, note("host.call_timeout", "call_timeout");
  if (auto v = r.duration("ready_timeout")) h.ready_timeout = *v, note("host.ready_timeout", "ready_timeout");
  if (auto v = r.size("max_memory")) h.max_memory = *v, note("host.max_memory", "max_memory");
  if (auto v = r.integer("concurrency", UINT_MAX))
    h.concurrency = static_cast<unsigned>(*v), note("host.concurrency", "concurrency");
  if (auto v = r.string("transport")) h.transport = *v, note("host.transport", "transport");
  if (auto v = r.string("log_level")) h.log_level = *v, note("host.log_level", "log_level");
  if (auto v = r.boolean("watch")) h.watch = *v, note("host.watch", "watch");
}

void child_reader::read_service_keys(table_reader& r, child_entry& e) {
  read_host_keys(r, e);
  host_spec& h = e.spec.host;
  if (auto v = r.path("plugin"))
    h.plugin = *v, e.origins["host.plugin"] = r.key_of("plugin");
  else if (r.has("plugin"))
    h.plugin = "(invalid)";  // reported already; not "missing" as well
  if (auto v = r.path("config_file")) h.config_file = *v, e.origins["host.config_file"] = r.key_of("config_file");
  if (const toml::node* config = r.get("config")) {
    if (auto* t = config->as_table())
      h.config = to_toml_text(*t), e.origins["host.config"] = r.key_of("config");
    else
      r.wrong_type("config", "a table (or use config_file)");
  }
  if (auto v = r.boolean("significant")) e.spec.significant = *v, e.origins["significant"] = r.key_of("significant");
}

child_entry child_reader::service(const toml::table& table, const std::string& name, source_position where) {
  child_entry e = from_defaults("services." + name, name, where);
  table_reader r(table, e.table, where, ctx_);
  r.check_keys(service_keys);
  e.spec.kind = child_kind::service;
  read_service_keys(r, e);
  return e;
}

child_entry child_reader::pool(const toml::table& table, const std::string& name, source_position where) {
  child_entry e = from_defaults("pools." + name, name, where);
  table_reader r(table, e.table, where, ctx_);
  std::vector<std::string_view> keys = service_keys;
  keys.insert(keys.end(), pool_only_keys.begin(), pool_only_keys.end());
  r.check_keys(keys);
  e.spec.kind = child_kind::pool;
  read_service_keys(r, e);
  if (const toml::node* size = r.get("size")) {
    if (auto* s = size->as_string(); s && s->get() == "auto") {
      e.spec.size = 0, e.origins["size"] = r.key_of("size");
    } else if (size->is_integer()) {
      if (auto v = r.integer("size", 1u << 16)) e.spec.size = *v, e.origins["size"] = r.key_of("size");
    } else {
      std::string got = s ? "'" + s->get() + "'" : std::string(type_name(size->type()));
      r.error("size", "expected an integer of hosts or \"auto\" (one per core), got " + got);
    }
  }
  if (auto v = r.choice<balance>("strategy", balance_from_string, "strategy",
                                 "round-robin, least-loaded, random or consistent-hash"))
    e.spec.strategy = *v, e.origins["strategy"] = r.key_of("strategy");
  read_flags(r, e.spec.pool_flags, e.origins, "pool_flags");
  return e;
}

child_entry child_reader::implicit_root() const {
  child_entry e = from_defaults("", "root", {});
  e.spec.kind = child_kind::supervisor;
  e.spec.host = {};
  supervisor_spec s;
  s.name = "root";
  s.flags.intensity = defaults_.spec.pool_flags.intensity;
  s.flags.period = defaults_.spec.pool_flags.period;
  e.spec.supervisor = std::move(s);
  for (const char* f : {"intensity", "period"})
    if (auto it = defaults_.origins.find(std::string("pool_flags.") + f); it != defaults_.origins.end())
      e.origins[std::string("supervisor.flags.") + f] = it->second;
  return e;
}

child_entry child_reader::supervisor(const toml::table& table, const std::string& name, source_position where) {
  child_entry e = implicit_root();
  e.spec.name = name;
  e.spec.supervisor->name = name;
  e.table = "supervisors." + name;
  e.where = where;
  table_reader r(table, e.table, where, ctx_);
  r.check_keys(supervisor_keys);
  supervisor_flags& flags = e.spec.supervisor->flags;
  if (auto v = r.choice<supervisor_strategy>("strategy", supervisor_strategy_from_string, "strategy",
                                             "one_for_one, one_for_all or rest_for_one"))
    flags.strategy = *v, e.origins["supervisor.flags.strategy"] = r.key_of("strategy");
  read_flags(r, flags, e.origins, "supervisor.flags");
  if (auto v = r.choice<auto_shutdown_policy>("auto_shutdown", auto_shutdown_from_string, "auto_shutdown",
                                              "never, any_significant or all_significant"))
    flags.auto_shutdown = *v, e.origins["supervisor.flags.auto_shutdown"] = r.key_of("auto_shutdown");
  if (auto v = r.choice<restart_type>("restart", restart_type_from_string, "restart type",
                                      "permanent, transient or temporary"))
    e.spec.restart = *v, e.origins["restart"] = r.key_of("restart");
  if (auto v = r.boolean("significant")) e.spec.significant = *v, e.origins["significant"] = r.key_of("significant");
  if (const toml::node* children = r.get("children")) {
    e.origins["supervisor.children"] = r.key_of("children");
    if (auto* list = children->as_array()) {
      for (std::size_t i = 0; i < list->size(); ++i) {
        const toml::node& item = *list->get(i);
        std::string key = r.key_of("children") + "[" + std::to_string(i) + "]";
        ctx_.record(key, position_of(item));
        if (auto* s = item.as_string()) {
          e.children.push_back(s->get());
        } else {
          ctx_.error(key, position_of(item),
                     "expected a string (the name of a service, pool or supervisor), got " +
                         std::string(type_name(item.type())));
          e.children.emplace_back();
        }
        e.child_keys.push_back(std::move(key));
      }
    } else {
      r.wrong_type("children", "an array of names of services, pools or supervisors");
    }
  }
  return e;
}

}  // namespace titan::topo
