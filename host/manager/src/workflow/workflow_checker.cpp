// validate(workflow_spec): every problem, each with its path, before
// anything runs (as OTP's supervisor checks a child spec field by field).
#include <algorithm>
#include <cctype>
#include <map>
#include <sstream>

#include "topology/topology_values.hpp"
#include "titan/workflow_spec.hpp"
#include "value_template.hpp"

namespace titan {
namespace {

constexpr std::size_t max_name_length = 64;

std::string ms(std::chrono::milliseconds d) { return std::to_string(d.count()) + " ms"; }

std::string number(double x) {
  std::ostringstream out;
  out << x;
  return out.str();
}

std::string joined(const std::vector<std::string>& names) {
  std::string out;
  for (const auto& n : names) out += (out.empty() ? "" : ", ") + n;
  return out.empty() ? "none" : out;
}

class workflow_checker {
 public:
  workflow_checker(const workflow_spec& spec, const std::optional<std::set<std::string>>& known)
      : spec_(spec), known_(known), root_(spec.name.empty() ? "(unnamed)" : spec.name) {}

  std::vector<workflow_spec_error> run() {
    check_workflow_name();
    if (spec_.stages.empty())
      fail(root_ + ".stages", "workflow '" + spec_.name + "' has no stages: a workflow needs at least one");
    for (std::size_t i = 0; i < spec_.stages.size(); ++i) {
      const std::string& name = spec_.stages[i].name;
      paths_.push_back(root_ + ".stages." + (name.empty() ? "[" + std::to_string(i) + "]" : name));
      if (!name.empty()) index_.emplace(name, i);
      names_.push_back(name);
    }
    for (std::size_t i = 0; i < spec_.stages.size(); ++i) check_stage(i);
    report_cycles();
    for (std::size_t i = 0; i < spec_.stages.size(); ++i) check_stage_references(i);
    check_output();
    return std::move(errors_);
  }

 private:
  void fail(std::string path, std::string message) { errors_.push_back({std::move(path), std::move(message)}); }

  void check_workflow_name() {
    const std::string& n = spec_.name;
    if (n.empty()) return fail(root_, "a workflow needs a name (letters, digits, '_', '.' and '-')");
    if (n.size() > max_name_length)
      return fail(root_, "name '" + n + "' is too long (" + std::to_string(n.size()) + " characters, at most " +
                             std::to_string(max_name_length) + ")");
    for (char c : n)
      if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '.' || c == '-'))
        return fail(root_, "name '" + n + "' has the character '" + std::string(1, c) +
                               "': only letters, digits, '_', '.' and '-' are allowed");
  }

  std::string suggestion(const std::string& word, const std::vector<std::string>& candidates) const {
    std::vector<std::string_view> views(candidates.begin(), candidates.end());
    std::string_view guess = topo::closest(word, views);
    return guess.empty() ? "" : "; did you mean '" + std::string(guess) + "'?";
  }

  void check_stage_name(std::size_t i) {
    const std::string& n = spec_.stages[i].name;
    const std::string& path = paths_[i];
    if (n.empty()) return fail(path, "a stage needs a name (letters, digits, '_' and '-')");
    if (n.size() > max_name_length)
      return fail(path, "stage name '" + n + "' is too long (" + std::to_string(n.size()) + " characters, at most " +
                            std::to_string(max_name_length) + ")");
    for (char c : n)
      if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-'))
        return fail(path, "stage name '" + n + "' has the character '" + std::string(1, c) +
                              "': only letters, digits, '_' and '-' are allowed (a '.' would split references)");
    if (n == "input" || n == "item" || n == "self")
      return fail(path, "'" + n + "' cannot name a stage: $" + n + " already means something in templates");
    if (index_.at(n) != i) fail(path, "stage '" + n + "' is defined twice: stage names must be unique");
  }

  void check_call(const workflow_call& c, const std::string& path) {
    auto target = split_call(c.call);
    if (c.call.empty()) {
      fail(path + ".call", "call is required: \"SERVICE.METHOD\" (e.g. \"extract.run\")");
    } else if (!target) {
      fail(path + ".call", "call '" + c.call + "' is not SERVICE.METHOD (e.g. \"extract.run\")");
    } else if (known_ && !known_->count(target->service)) {
      std::vector<std::string> names(known_->begin(), known_->end());
      fail(path + ".call", "unknown service '" + target->service + "' in call '" + c.call +
                               "': no service or pool has that name" + suggestion(target->service, names));
    }
    if (!c.args.is_array())
      fail(path + ".args", "args must be an array (the method's positional arguments), got " +
                               std::string(type_name(c.args.type())));
  }

  void check_stage(std::size_t i) {
    const workflow_stage& s = spec_.stages[i];
    const std::string& path = paths_[i];
    check_stage_name(i);
    check_call(s.call, path);
    std::set<std::string> seen;
    for (std::size_t d = 0; d < s.depends_on.size(); ++d) {
      const std::string& dep = s.depends_on[d];
      const std::string at = path + ".depends_on[" + std::to_string(d) + "]";
      if (!seen.insert(dep).second)
        fail(at, "'" + dep + "' is listed twice in depends_on");
      else if (dep == s.name)
        fail(at, "stage '" + s.name + "' cannot depend on itself");
      else if (!index_.count(dep))
        fail(at, "unknown stage '" + dep + "' in depends_on: no stage of workflow '" + spec_.name +
                     "' has that name" + suggestion(dep, names_));
    }
    if (!s.for_each.is_nil()) {
      const std::string* text = s.for_each.if_string();
      wf::template_string parsed = text ? wf::read_string(*text) : wf::template_string{};
      if (!parsed.ref && parsed.error.empty())
        fail(path + ".for_each", "for_each must be a reference to a list, such as \"$input.items\" or \"$extract\"");
      else if (parsed.ref && (parsed.ref->root == "item" || parsed.ref->root == "self"))
        fail(path + ".for_each", "for_each cannot use $" + parsed.ref->root + ": it names the list to fan out over");
    }
    if (s.timeout && *s.timeout <= std::chrono::milliseconds::zero())
      fail(path + ".timeout", "timeout must be greater than 0 (got " + ms(*s.timeout) + ")");
    check_backoff(s.backoff, path + ".backoff");
    if (s.compensate) check_call(*s.compensate, path + ".compensate");
  }

  void check_backoff(const backoff_spec& b, const std::string& path) {
    if (b.base < std::chrono::milliseconds::zero())
      fail(path + ".base", "backoff base must not be negative (got " + ms(b.base) + ")");
    if (!(b.factor >= 1.0)) fail(path + ".factor", "backoff factor must be at least 1 (got " + number(b.factor) + ")");
    if (b.max < b.base)
      fail(path + ".max", "backoff max must be at least its base (got max " + ms(b.max) + ", base " + ms(b.base) + ")");
  }

  // Each cycle once, at the depends_on entry that closes it.
  void report_cycles() {
    std::vector<int> state(spec_.stages.size(), 0);  // 0 new, 1 on the path, 2 done
    std::vector<std::size_t> trail;
    for (std::size_t i = 0; i < spec_.stages.size(); ++i) visit(i, state, trail);
  }

  void visit(std::size_t i, std::vector<int>& state, std::vector<std::size_t>& trail) {
    if (state[i] != 0) return;
    state[i] = 1;
    trail.push_back(i);
    const workflow_stage& s = spec_.stages[i];
    for (std::size_t d = 0; d < s.depends_on.size(); ++d) {
      auto it = index_.find(s.depends_on[d]);
      if (it == index_.end() || it->second == i) continue;  // reported already
      const std::size_t j = it->second;
      if (state[j] == 1) {
        std::string cycle;
        auto from = std::find(trail.begin(), trail.end(), j);
        for (auto k = from; k != trail.end(); ++k) cycle += names_[*k] + " -> ";
        fail(paths_[i] + ".depends_on[" + std::to_string(d) + "]",
             "cycle " + cycle + names_[j] + ": depends_on must not loop (a workflow is a DAG)");
      } else {
        visit(j, state, trail);
      }
    }
    trail.pop_back();
    state[i] = 2;
  }

  // Stages `i` depends on, directly or not (cycles tolerated: they are reported already).
  std::set<std::string> ancestors(std::size_t i) const {
    std::set<std::string> out;
    std::vector<std::size_t> todo{i};
    while (!todo.empty()) {
      std::size_t k = todo.back();
      todo.pop_back();
      for (const auto& dep : spec_.stages[k].depends_on) {
        auto it = index_.find(dep);
        if (it != index_.end() && out.insert(dep).second) todo.push_back(it->second);
      }
    }
    return out;
  }

  // `visible`: the stages it may name; `item`, `self`: whether $item, $self may be used.
  void check_references(const workflow_value& t, const std::string& path, const std::set<std::string>& visible,
                        bool item, bool self, const std::string& owner) {
    wf::visit_references(t, path, [&](const std::string& at, const wf::template_string& parsed) {
      if (!parsed.error.empty()) return fail(at, parsed.error);
      const std::string& root = parsed.ref->root;
      const std::string& text = parsed.ref->text;
      if (root == "input" || (root == "item" && item) || (root == "self" && self)) return;
      if (root == "item")
        return fail(at, text + ": $item is only available in the args of a stage with for_each");
      if (root == "self") return fail(at, text + ": $self is only available in a compensation's args");
      if (!index_.count(root))
        return fail(at, text + ": unknown stage '" + root + "' (a reference starts with input, item, self or a stage " +
                            "name)" + suggestion(root, names_));
      if (owner == "stage '" + root + "'")
        return fail(at, text + ": " + owner + " cannot name its own output" +
                            (self ? " (in its compensation, that is $self" + text.substr(1 + root.size()) + ")" : ""));
      if (!visible.count(root))
        fail(at, text + ": stage '" + root + "' is not among the dependencies of " + owner + " (depends_on: " +
                     joined({visible.begin(), visible.end()}) + "); add it to depends_on");
    });
  }

  void check_stage_references(std::size_t i) {
    const workflow_stage& s = spec_.stages[i];
    const std::string& path = paths_[i];
    const std::set<std::string> visible = ancestors(i);
    const std::string owner = "stage '" + s.name + "'";
    check_references(s.call.args, path + ".args", visible, !s.for_each.is_nil(), false, owner);
    // $item and $self in for_each were reported by check_stage().
    if (s.for_each.is_string()) check_references(s.for_each, path + ".for_each", visible, true, true, owner);
    if (s.compensate) check_references(s.compensate->args, path + ".compensate.args", visible, false, true, owner);
  }

  void check_output() {
    std::set<std::string> all;
    for (const auto& n : names_)
      if (!n.empty()) all.insert(n);
    check_references(spec_.output, root_ + ".output", all, false, false, "the output");
  }

  const workflow_spec& spec_;
  const std::optional<std::set<std::string>>& known_;
  const std::string root_;
  std::vector<std::string> paths_;           // per stage: "NAME.stages.STAGE"
  std::vector<std::string> names_;           // per stage
  std::map<std::string, std::size_t> index_;  // stage name -> its first index
  std::vector<workflow_spec_error> errors_;
};

std::string problems_text(const std::string& workflow, const std::vector<workflow_spec_error>& errors) {
  std::string out = "workflow '" + workflow + "' is invalid: ";
  for (std::size_t i = 0; i < errors.size(); ++i)
    out += (i ? "; " : "") + errors[i].path + ": " + errors[i].message;
  return out;
}

}  // namespace

std::optional<call_target> split_call(const std::string& call) {
  const auto dot = call.rfind('.');
  if (dot == std::string::npos || dot == 0 || dot + 1 == call.size()) return std::nullopt;
  return call_target{call.substr(0, dot), call.substr(dot + 1)};
}

invalid_workflow::invalid_workflow(const std::string& workflow, std::vector<workflow_spec_error> errors)
    : Error(status_code::invalid_argument, problems_text(workflow, errors)), errors_(std::move(errors)) {}

std::vector<workflow_spec_error> validate(const workflow_spec& spec,
                                          const std::optional<std::set<std::string>>& known_services) {
  return workflow_checker(spec, known_services).run();
}

void check(const workflow_spec& spec, const std::optional<std::set<std::string>>& known_services) {
  auto errors = validate(spec, known_services);
  if (!errors.empty()) throw invalid_workflow(spec.name, std::move(errors));
}

}  // namespace titan
