#include "workflow_reader.hpp"

#include <algorithm>
#include <climits>

#include "topology_values.hpp"

namespace titan::topo {
namespace {

const std::vector<std::string_view> workflow_keys{"stages", "output"};
const std::vector<std::string_view> stage_keys{"call",    "args",    "depends_on", "for_each",
                                               "timeout", "retries", "backoff",    "compensate"};
const std::vector<std::string_view> compensate_keys{"call", "args"};
const std::vector<std::string_view> stage_backoff_keys{"base", "factor", "max"};

bool before(source_position a, source_position b) {
  return a.line != b.line ? a.line < b.line : a.column < b.column;
}

// Where a table begins: its header, else (a table made by a dotted key) its key.
source_position table_position(const toml::key& key, const toml::node& node) {
  source_position where = position_of(node);
  if (where.line == 0)
    where = {static_cast<unsigned>(key.source().begin.line), static_cast<unsigned>(key.source().begin.column)};
  return where;
}

// `key` is `bad` or lies below it.
bool under(const std::string& key, const std::string& bad) {
  return key.compare(0, bad.size(), bad) == 0 &&
         (key.size() == bad.size() || key[bad.size()] == '.' || key[bad.size()] == '[');
}

}  // namespace

workflow_value workflow_reader::value_of(const toml::node& node, const std::string& key) {
  ctx_.record(key, position_of(node));
  if (auto* s = node.as_string()) return s->get();
  if (auto* i = node.as_integer()) return i->get();
  if (auto* f = node.as_floating_point()) return f->get();
  if (auto* b = node.as_boolean()) return b->get();
  if (auto* a = node.as_array()) {
    workflow_value::array out;
    for (std::size_t i = 0; i < a->size(); ++i)
      out.push_back(value_of(*a->get(i), key + "[" + std::to_string(i) + "]"));
    return out;
  }
  if (auto* t = node.as_table()) {
    // File order, as a reader of the file expects (toml++ keeps keys sorted).
    std::vector<std::pair<source_position, std::pair<std::string, const toml::node*>>> members;
    for (auto&& [k, v] : *t) members.push_back({table_position(k, v), {std::string(k.str()), &v}});
    std::stable_sort(members.begin(), members.end(),
                     [](const auto& a, const auto& b) { return before(a.first, b.first); });
    workflow_value::object out;
    for (auto& [at, kv] : members) out.emplace_back(kv.first, value_of(*kv.second, key + "." + kv.first));
    return out;
  }
  ctx_.error(key, position_of(node),
             "expected a string, number, boolean, array or table, got " + std::string(type_name(node.type())) +
                 " (write dates and times as strings)");
  bad_keys_.push_back(key);
  return {};
}

std::optional<workflow_call> workflow_reader::read_call(table_reader& r, bool required) {
  workflow_call c;
  if (auto v = r.string("call")) c.call = *v;
  else if (r.has("call")) bad_keys_.push_back(r.key_of("call"));
  else if (!required) return std::nullopt;
  if (const toml::node* args = r.get("args")) {
    if (args->is_array())
      c.args = value_of(*args, r.key_of("args"));
    else
      r.wrong_type("args", "an array (the method's positional arguments)"), bad_keys_.push_back(r.key_of("args"));
  }
  return c;
}

workflow_stage workflow_reader::read_stage(const toml::table& table, const std::string& key, const std::string& name,
                                           source_position where) {
  workflow_stage s;
  s.name = name;
  table_reader r(table, key, where, ctx_);
  r.check_keys(stage_keys);
  s.call = *read_call(r, true);
  if (const toml::node* deps = r.get("depends_on")) {
    if (auto* list = deps->as_array()) {
      for (std::size_t i = 0; i < list->size(); ++i) {
        const toml::node& item = *list->get(i);
        const std::string item_key = r.key_of("depends_on") + "[" + std::to_string(i) + "]";
        ctx_.record(item_key, position_of(item));
        if (auto* text = item.as_string()) {
          s.depends_on.push_back(text->get());
        } else {
          ctx_.error(item_key, position_of(item),
                     "expected a string (the name of a stage), got " + std::string(type_name(item.type())));
          bad_keys_.push_back(item_key);
        }
      }
    } else {
      r.wrong_type("depends_on", "an array of stage names");
      bad_keys_.push_back(r.key_of("depends_on"));
    }
  }
  if (auto v = r.string("for_each")) s.for_each = *v;
  else if (r.has("for_each")) s.for_each = "$input", bad_keys_.push_back(r.key_of("for_each"));
  if (auto v = r.duration("timeout")) s.timeout = *v;
  else if (r.has("timeout")) bad_keys_.push_back(r.key_of("timeout"));
  if (auto v = r.integer("retries", UINT_MAX)) s.retries = static_cast<unsigned>(*v);
  if (const toml::table* b = r.sub_table("backoff")) {
    table_reader br(*b, r.key_of("backoff"), position_of(*b), ctx_);
    br.check_keys(stage_backoff_keys);
    if (auto v = br.duration("base")) s.backoff.base = *v;
    if (auto v = br.number("factor")) s.backoff.factor = *v;
    if (auto v = br.duration("max")) s.backoff.max = *v;
  }
  if (const toml::table* c = r.sub_table("compensate")) {
    table_reader cr(*c, r.key_of("compensate"), position_of(*c), ctx_);
    cr.check_keys(compensate_keys);
    s.compensate = read_call(cr, true);
  }
  return s;
}

void workflow_reader::read_one(const toml::table& table, const std::string& name, source_position where) {
  read_workflow w;
  w.spec.name = name;
  w.where = where;
  bad_keys_.clear();
  table_reader r(table, "workflows." + name, where, ctx_);
  r.check_keys(workflow_keys);
  if (const toml::node* output = r.get("output")) w.spec.output = value_of(*output, r.key_of("output"));
  if (const toml::table* stages = r.sub_table("stages")) {
    table_reader sr(*stages, r.key_of("stages"), position_of(*stages), ctx_);
    std::vector<std::pair<source_position, workflow_stage>> read;
    for (auto&& [key, node] : *stages) {
      const std::string stage(key.str());
      const source_position at = table_position(key, node);
      if (auto* t = node.as_table()) {
        read.emplace_back(at, read_stage(*t, sr.key_of(stage), stage, at));
      } else {
        sr.error(stage, "expected a table ([workflows." + name + ".stages." + stage + "], the stage), got " +
                            std::string(type_name(node.type())));
        bad_keys_.push_back(sr.key_of(stage));
        w.had_bad_stage = true;  // "no stages" would only repeat it
      }
    }
    // File order (toml++ keeps keys sorted): the order `titan check` and reports show.
    std::stable_sort(read.begin(), read.end(), [](const auto& a, const auto& b) { return before(a.first, b.first); });
    for (auto& [at, s] : read) w.spec.stages.push_back(std::move(s));
  } else if (!r.has("stages")) {
    ctx_.error(r.key(), where,
               "workflow '" + name + "' has no stages: add [workflows." + name + ".stages.NAME] tables");
    bad_keys_.push_back(r.key_of("stages"));
  } else {
    bad_keys_.push_back(r.key_of("stages"));
  }
  w.bad_keys = std::move(bad_keys_);
  workflows_.push_back(std::move(w));
}

void workflow_reader::read(const toml::table& section) {
  table_reader sections(section, "workflows", position_of(section), ctx_);
  for (auto&& [key, node] : section) {
    const std::string name(key.str());
    if (auto* t = node.as_table())
      read_one(*t, name, table_position(key, node));
    else
      sections.error(name, "expected a table ([workflows." + name + "], the workflow), got " +
                               std::string(type_name(node.type())));
  }
  std::stable_sort(workflows_.begin(), workflows_.end(),
                   [](const read_workflow& a, const read_workflow& b) { return before(a.where, b.where); });
}

std::string workflow_reader::known_key(std::string key) const {
  while (!key.empty()) {
    if (ctx_.position(key).line != 0) return key;
    auto cut = key.find_last_of(".[");
    if (cut == std::string::npos) break;
    key.resize(cut);
  }
  return key;
}

std::vector<workflow_spec> workflow_reader::check(const std::set<std::string>& services) {
  std::vector<workflow_spec> out;
  for (auto& w : workflows_) {
    for (const workflow_spec_error& e : validate(w.spec, services)) {
      const std::string key = "workflows." + e.path;
      const bool repeat = std::any_of(w.bad_keys.begin(), w.bad_keys.end(),
                                      [&](const std::string& bad) { return under(key, bad); });
      if (repeat || (w.had_bad_stage && key == "workflows." + w.spec.name + ".stages")) continue;
      const std::string at = known_key(key);
      source_position where = ctx_.position(at);
      if (where.line == 0) where = w.where;
      ctx_.error(key, where, e.message);
    }
    out.push_back(std::move(w.spec));
  }
  return out;
}

}  // namespace titan::topo
