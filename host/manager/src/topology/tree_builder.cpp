#include "tree_builder.hpp"

#include <algorithm>
#include <set>

#include "topology_values.hpp"

namespace titan::topo {
namespace {

bool before(const source_position& a, const source_position& b) {
  return a.line != b.line ? a.line < b.line : a.column < b.column;
}

std::string quoted_list(const std::vector<std::string>& names) {
  std::vector<std::string> quoted;
  for (const auto& n : names) quoted.push_back("'" + n + "'");
  std::vector<std::string_view> views(quoted.begin(), quoted.end());
  return one_of(views, " and ");
}

}  // namespace

void tree_builder::add(child_entry entry) { entries_.push_back(std::move(entry)); }

const child_entry* tree_builder::find(const std::string& name) const {
  for (const auto& e : entries_)
    if (e.spec.name == name) return &e;
  return nullptr;
}

std::map<std::string, std::string> tree_builder::tables() const {
  std::map<std::string, std::string> out;
  for (const auto& e : entries_) out.emplace(e.spec.name, e.table);
  return out;
}

std::string tree_builder::key_for(std::string path) const {
  while (!path.empty()) {
    if (auto it = spec_keys_.find(path); it != spec_keys_.end()) return it->second;
    auto cut = path.find_last_of(".[");
    if (cut == std::string::npos) break;
    path.resize(cut);
  }
  return {};
}

void tree_builder::link_children() {
  for (const auto& s : entries_) {
    if (s.spec.kind != child_kind::supervisor) continue;
    auto& kids = kids_[s.spec.name];
    for (std::size_t i = 0; i < s.children.size(); ++i) {
      const std::string& name = s.children[i];
      const std::string& key = s.child_keys[i];
      if (name.empty() && !find(name)) continue;  // not a string: reported when read
      if (!find(name)) {
        std::vector<std::string_view> names;
        for (const auto& e : entries_) names.push_back(e.spec.name);
        std::string message = "unknown child '" + name + "': no service, pool or supervisor has that name";
        if (auto guess = closest(name, names); !guess.empty())
          message += "; did you mean '" + std::string(guess) + "'?";
        ctx_.error_at(key, std::move(message));
        continue;
      }
      auto [it, inserted] = parent_.emplace(name, mention{s.spec.name, key});
      if (!inserted) {
        const mention& first = it->second;
        ctx_.error_at(key, first.parent == s.spec.name
                               ? "'" + name + "' is listed twice in these children (first at " + first.key + ")"
                               : "'" + name + "' is already a child of supervisor '" + first.parent + "' (" +
                                     first.key + "): a child has exactly one supervisor");
        continue;
      }
      kids.push_back(name);
    }
  }
}

// Each supervisor has at most one parent, so following parents from any
// supervisor ends at a root or runs around a cycle.
void tree_builder::report_cycles(bool no_root) {
  std::set<std::string> done;
  for (const auto& s : entries_) {
    if (s.spec.kind != child_kind::supervisor || done.count(s.spec.name)) continue;
    std::vector<std::string> walk;
    std::string at = s.spec.name;
    while (!done.count(at) && std::find(walk.begin(), walk.end(), at) == walk.end()) {
      walk.push_back(at);
      auto p = parent_.find(at);
      if (p == parent_.end()) break;
      at = p->second.parent;
    }
    if (auto start = std::find(walk.begin(), walk.end(), at); start != walk.end() && parent_.count(at)) {
      // walk[start..] goes child -> parent; the cycle reads parent -> child
      // from its first supervisor in the file.
      std::vector<std::string> cycle(start, walk.end());
      std::reverse(cycle.begin(), cycle.end());
      auto first = std::min_element(cycle.begin(), cycle.end(), [&](const auto& a, const auto& b) {
        return before(find(a)->where, find(b)->where);
      });
      std::rotate(cycle.begin(), first, cycle.end());
      std::string path;
      for (const auto& n : cycle) path += n + " -> ";
      path += cycle.front();
      ctx_.error_at(parent_.at(cycle.front()).key,
                    no_root ? "every supervisor is a child of another: cycle " + path
                            : "cycle " + path + ": a supervisor cannot be its own descendant");
    }
    done.insert(walk.begin(), walk.end());
  }
}

void tree_builder::note(const child_entry& entry, const std::string& path, bool is_root) {
  static const std::string own = "supervisor.";
  spec_keys_[path] = entry.table;
  if (!is_root && entry.spec.kind == child_kind::supervisor) spec_keys_[path + ".supervisor"] = entry.table;
  for (const auto& [field, key] : entry.origins) {
    bool supervisor_field = field.compare(0, own.size(), own) == 0;
    if (is_root && !supervisor_field) continue;  // the root is nobody's child
    spec_keys_[path + "." + (is_root ? field.substr(own.size()) : field)] = key;
  }
}

supervisor_spec tree_builder::assemble(const child_entry& supervisor, const std::string& path) {
  supervisor_spec spec = *supervisor.spec.supervisor;
  const auto& kids = kids_[spec.name];
  for (std::size_t i = 0; i < kids.size(); ++i) {
    const child_entry& kid = *find(kids[i]);
    std::string kid_path = path + ".children[" + std::to_string(i) + "]";
    note(kid, kid_path, false);
    child_spec child = kid.spec;
    if (child.kind == child_kind::supervisor) child.supervisor = assemble(kid, kid_path + ".supervisor");
    spec.children.push_back(std::move(child));
  }
  return spec;
}

std::optional<supervisor_spec> tree_builder::build(const child_entry& implicit_root) {
  std::stable_sort(entries_.begin(), entries_.end(),
                   [](const child_entry& a, const child_entry& b) { return before(a.where, b.where); });
  // One namespace for services, pools and supervisors: the later table loses.
  std::vector<child_entry> unique;
  for (auto& e : entries_) {
    auto same = std::find_if(unique.begin(), unique.end(), [&](const auto& u) { return u.spec.name == e.spec.name; });
    if (same == unique.end()) {
      unique.push_back(std::move(e));
      continue;
    }
    ctx_.error(e.table, e.where,
               "name '" + e.spec.name + "' is already used by " + same->table + " (line " +
                   std::to_string(same->where.line) + "): services, pools and supervisors share one namespace");
  }
  entries_ = std::move(unique);

  bool has_supervisors = std::any_of(entries_.begin(), entries_.end(),
                                     [](const auto& e) { return e.spec.kind == child_kind::supervisor; });
  if (!has_supervisors) {
    if (entries_.empty()) {
      ctx_.error("", {}, "nothing to run: add a [services.NAME] or [pools.NAME] table");
      return std::nullopt;
    }
    for (const auto& e : entries_) kids_[implicit_root.spec.name].push_back(e.spec.name);
    note(implicit_root, "root", true);
    return assemble(implicit_root, "root");
  }

  link_children();
  std::vector<std::string> roots;
  for (const auto& e : entries_) {
    if (parent_.count(e.spec.name)) continue;
    if (e.spec.kind == child_kind::supervisor) {
      roots.push_back(e.spec.name);
    } else {
      left_out_.push_back(e.spec.name);
      ctx_.error(e.table, e.where,
                 std::string(to_string(e.spec.kind)) + " '" + e.spec.name +
                     "' is not a child of any supervisor: list it in the children of one");
    }
  }
  report_cycles(roots.empty());
  if (roots.empty()) return std::nullopt;
  left_out_.insert(left_out_.end(), roots.begin() + (roots.empty() ? 0 : 1), roots.end());
  if (roots.size() > 1) {
    const child_entry& second = *find(roots[1]);
    ctx_.error(second.table, second.where,
               std::to_string(roots.size()) + " supervisors are nobody's child: " + quoted_list(roots) +
                   "; exactly one may be the root: list the others in its children");
  }
  const child_entry& root = *find(roots.front());
  const std::string path = root.spec.name.empty() ? "root" : root.spec.name;
  note(root, path, true);
  return assemble(root, path);
}

std::optional<supervisor_spec> tree_builder::detached() {
  if (left_out_.empty()) return std::nullopt;
  child_entry holder;
  holder.spec.name = "detached";
  while (find(holder.spec.name)) holder.spec.name += "-";
  supervisor_spec s;
  s.name = holder.spec.name;
  s.flags.auto_shutdown = auto_shutdown_policy::any_significant;  // no parent to judge significant children by
  holder.spec.supervisor = std::move(s);
  kids_[holder.spec.name] = left_out_;
  return assemble(holder, holder.spec.name);
}

}  // namespace titan::topo
