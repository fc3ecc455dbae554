// The reference syntax of workflow templates (see titan/workflow_spec.hpp):
// reading "$root.path" strings, finding every reference in a template (for
// validation), and expanding a template against the values of a run.
#pragma once

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "titan/workflow_value.hpp"

namespace titan::wf {

// "$extract.rows.0": root "extract", path {"rows", "0"}.
struct reference {
  std::string root;               // "input", "item", "self" or a stage name
  std::vector<std::string> path;  // map keys and array indexes
  std::string text;               // as written, with its '$'
};

// What one string of a template is: a reference, a literal (with "$$"
// unescaped) or a malformed reference (error set).
struct template_string {
  std::optional<reference> ref;
  std::string literal;
  std::string error;
};
template_string read_string(const std::string& s);

// Calls `fn` for each string of `t` that is a reference or a malformed one,
// with its path below `path`: "args[0]", "args[1].key".
void visit_references(const workflow_value& t, const std::string& path,
                      const std::function<void(const std::string& path, const template_string&)>& fn);

// The values the references of one expansion may name.
struct template_scope {
  const workflow_value* input = nullptr;
  const workflow_value* item = nullptr;  // inside a for_each stage
  const workflow_value* self = nullptr;  // in a compensation
  std::map<std::string, const workflow_value*> stages;  // outputs of the stages it may see
};

// `t` with every reference replaced by a copy of what it names. Throws
// titan::Error(INVALID_ARGUMENT) naming the place and the reference:
// "args[1]: $extract.rows: no key 'rows' in the map at $extract (keys: batch)".
workflow_value expand(const workflow_value& t, const template_scope& scope, const std::string& path);

}  // namespace titan::wf
