#include "value_template.hpp"

#include <cctype>

#include "titan/status.hpp"

namespace titan::wf {
namespace {

bool name_char(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-'; }

bool all_digits(const std::string& s) {
  if (s.empty() || s.size() > 9) return false;  // an index, not any digit string: at most 999'999'999
  for (char c : s)
    if (!std::isdigit(static_cast<unsigned char>(c))) return false;
  return true;
}

std::string keys_of(const workflow_value::object& o) {
  std::string out;
  std::size_t n = 0;
  for (const auto& [k, v] : o) {
    if (++n > 8) return out + ", ...";
    out += (out.empty() ? "" : ", ") + k;
  }
  return out.empty() ? "none" : out;
}

// The value `ref` names in `root`, or an error message.
const workflow_value* follow(const reference& ref, const workflow_value& root, std::string& error) {
  const workflow_value* at = &root;
  std::string where = "$" + ref.root;
  for (const std::string& segment : ref.path) {
    if (const auto* o = at->if_object()) {
      const workflow_value* next = at->find(segment);
      if (!next) {
        error = "no key '" + segment + "' in the map at " + where + " (keys: " + keys_of(*o) + ")";
        return nullptr;
      }
      at = next;
    } else if (const auto* a = at->if_array()) {
      if (!all_digits(segment)) {
        error = "'" + segment + "' is not an index of the array at " + where + " (" + std::to_string(a->size()) +
                " elements)";
        return nullptr;
      }
      const std::size_t index = std::stoul(segment);
      if (index >= a->size()) {
        error = "index " + segment + " is past the end of the array at " + where + " (" + std::to_string(a->size()) +
                " elements)";
        return nullptr;
      }
      at = &(*a)[index];
    } else {
      error = "'" + segment + "' of " + where + ", which is " + std::string(type_name(at->type())) +
              ", not a map or an array";
      return nullptr;
    }
    where += "." + segment;
  }
  return at;
}

}  // namespace

template_string read_string(const std::string& s) {
  template_string out;
  if (s.empty() || s[0] != '$') {
    out.literal = s;
    return out;
  }
  if (s.size() > 1 && s[1] == '$') {
    out.literal = s.substr(1);
    return out;
  }
  reference ref;
  ref.text = s;
  std::size_t start = 1;
  bool first = true;
  for (;;) {
    std::size_t dot = s.find('.', start);
    std::string segment = s.substr(start, dot == std::string::npos ? std::string::npos : dot - start);
    if (segment.empty()) {
      out.error = "malformed reference '" + s + "': " +
                  (first ? std::string("'$' must be followed by input, item, self or a stage name")
                         : std::string("an empty segment (two dots, or a dot at the end)")) +
                  "; write '$$' for a literal '$'";
      return out;
    }
    if (first) {
      for (char c : segment)
        if (!name_char(c)) {
          out.error = "malformed reference '" + s + "': '" + segment +
                      "' is not input, item, self or a stage name (letters, digits, '_' and '-'); write '$$' for a "
                      "literal '$'";
          return out;
        }
      ref.root = std::move(segment);
      first = false;
    } else {
      ref.path.push_back(std::move(segment));
    }
    if (dot == std::string::npos) break;
    start = dot + 1;
  }
  out.ref = std::move(ref);
  return out;
}

void visit_references(const workflow_value& t, const std::string& path,
                      const std::function<void(const std::string& path, const template_string&)>& fn) {
  if (const auto* s = t.if_string()) {
    template_string parsed = read_string(*s);
    if (parsed.ref || !parsed.error.empty()) fn(path, parsed);
  } else if (const auto* a = t.if_array()) {
    for (std::size_t i = 0; i < a->size(); ++i) visit_references((*a)[i], path + "[" + std::to_string(i) + "]", fn);
  } else if (const auto* o = t.if_object()) {
    for (const auto& [k, v] : *o) visit_references(v, path + "." + k, fn);
  }
}

workflow_value expand(const workflow_value& t, const template_scope& scope, const std::string& path) {
  if (const auto* s = t.if_string()) {
    template_string parsed = read_string(*s);
    if (!parsed.error.empty()) throw Error(status_code::invalid_argument, path + ": " + parsed.error);
    if (!parsed.ref) return parsed.literal;
    const reference& ref = *parsed.ref;
    const workflow_value* root = nullptr;
    if (ref.root == "input") {
      root = scope.input;
    } else if (ref.root == "item") {
      root = scope.item;
    } else if (ref.root == "self") {
      root = scope.self;
    } else if (auto it = scope.stages.find(ref.root); it != scope.stages.end()) {
      root = it->second;
    }
    if (!root)
      throw Error(status_code::invalid_argument,
                  path + ": " + ref.text + ": '" + ref.root + "' is not available here");
    std::string error;
    const workflow_value* value = follow(ref, *root, error);
    if (!value) throw Error(status_code::invalid_argument, path + ": " + ref.text + ": " + error);
    return *value;
  }
  if (const auto* a = t.if_array()) {
    workflow_value::array out;
    out.reserve(a->size());
    for (std::size_t i = 0; i < a->size(); ++i)
      out.push_back(expand((*a)[i], scope, path + "[" + std::to_string(i) + "]"));
    return out;
  }
  if (const auto* o = t.if_object()) {
    workflow_value::object out;
    out.reserve(o->size());
    for (const auto& [k, v] : *o) out.emplace_back(k, expand(v, scope, path + "." + k));
    return out;
  }
  return t;
}

}  // namespace titan::wf
