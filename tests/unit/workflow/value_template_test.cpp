// value_template (host/manager/src/workflow/value_template.cpp): reading
// "$root.path" references, finding them in a template, and expanding a
// template against a run's values.
#include "workflow/value_template.hpp"

#include <catch2/catch.hpp>
#include <titan/status.hpp>

using titan::workflow_value;
using titan::wf::expand;
using titan::wf::read_string;
using titan::wf::template_scope;
using titan::wf::visit_references;
using obj = workflow_value::object;
using arr = workflow_value::array;
using strings = std::vector<std::string>;

namespace {

// The message of the titan::Error that expand() throws; "" if it does not.
std::string expand_error(const workflow_value& t, const template_scope& scope) {
  try {
    expand(t, scope, "args");
  } catch (const titan::Error& e) {
    CHECK(e.code() == titan::status_code::invalid_argument);
    return e.message();
  }
  return "";
}

}  // namespace

TEST_CASE("read_string: literals, escapes and references", "[value_template]") {
  CHECK(read_string("plain").literal == "plain");
  CHECK_FALSE(read_string("plain").ref);
  CHECK(read_string("").literal.empty());
  CHECK(read_string("a$b").literal == "a$b");  // only a leading '$' matters
  CHECK(read_string("$$5").literal == "$5");
  CHECK(read_string("$$").literal == "$");
  CHECK_FALSE(read_string("$$input").ref);

  auto input = read_string("$input");
  REQUIRE(input.ref);
  CHECK(input.ref->root == "input");
  CHECK(input.ref->path.empty());
  CHECK(input.ref->text == "$input");

  auto deep = read_string("$extract.rows.0.id");
  REQUIRE(deep.ref);
  CHECK(deep.ref->root == "extract");
  CHECK(deep.ref->path == strings{"rows", "0", "id"});
  CHECK(deep.error.empty());
  CHECK(read_string("$my-stage_2.x").ref->root == "my-stage_2");
  CHECK(read_string("$a.key with spaces").ref->path == strings{"key with spaces"});  // keys are any text
}

TEST_CASE("read_string: malformed references say what is wrong and how to write a '$'", "[value_template]") {
  CHECK(read_string("$").error ==
        "malformed reference '$': '$' must be followed by input, item, self or a stage name; write '$$' for a "
        "literal '$'");
  CHECK(read_string("$.a").error.find("'$' must be followed by") != std::string::npos);
  CHECK(read_string("$a..b").error ==
        "malformed reference '$a..b': an empty segment (two dots, or a dot at the end); write '$$' for a literal '$'");
  CHECK(read_string("$a.").error.find("an empty segment") != std::string::npos);
  CHECK(read_string("$5 dollars").error ==
        "malformed reference '$5 dollars': '5 dollars' is not input, item, self or a stage name (letters, digits, "
        "'_' and '-'); write '$$' for a literal '$'");
  CHECK_FALSE(read_string("$a b").ref);
}

TEST_CASE("visit_references: every reference and malformed one, with its place", "[value_template]") {
  workflow_value t = arr{"$input", "literal", 3, obj{{"k", "$a.b"}, {"n", arr{"$$x", "$"}}}, nullptr};
  strings seen;
  visit_references(t, "args", [&](const std::string& path, const titan::wf::template_string& s) {
    seen.push_back(path + "=" + (s.ref ? s.ref->text : "error"));
  });
  CHECK(seen == strings{"args[0]=$input", "args[3].k=$a.b", "args[3].n[1]=error"});
}

TEST_CASE("expand: references replaced by copies of what they name, the rest kept", "[value_template]") {
  const workflow_value input = obj{{"rows", arr{obj{{"id", 7}}, obj{{"id", 8}}}}, {"name", "n"}};
  const workflow_value extract = obj{{"batch", "b-1"}};
  const workflow_value item = 42;
  template_scope scope;
  scope.input = &input;
  scope.item = &item;
  scope.stages["extract"] = &extract;
  const workflow_value t = arr{
      "$input.rows.1.id", "$extract.batch", "$item", "$$input", 1.5, true, obj{{"$input", "$input.name"}}, "$extract"};
  const workflow_value out = expand(t, scope, "args");
  CHECK(out == workflow_value(arr{8, "b-1", 42, "$input", 1.5, true, obj{{"$input", "n"}}, extract}));
}

TEST_CASE("expand: a reference that names nothing says where and why", "[value_template]") {
  const workflow_value input = obj{{"rows", arr{1, 2}}, {"n", 3}};
  template_scope scope;
  scope.input = &input;
  CHECK(expand_error(arr{"$input.rowz"}, scope) ==
        "args[0]: $input.rowz: no key 'rowz' in the map at $input (keys: rows, n)");
  CHECK(expand_error(arr{"$input.rows.2"}, scope) ==
        "args[0]: $input.rows.2: index 2 is past the end of the array at $input.rows (2 elements)");
  CHECK(expand_error(arr{"$input.rows.first"}, scope) ==
        "args[0]: $input.rows.first: 'first' is not an index of the array at $input.rows (2 elements)");
  CHECK(expand_error(arr{"$input.rows.-1"}, scope).find("'-1' is not an index") != std::string::npos);
  CHECK(expand_error(arr{"$input.rows.0000000001"}, scope).find("is not an index") != std::string::npos);
  CHECK(expand_error(arr{"$input.n.x"}, scope) ==
        "args[0]: $input.n.x: 'x' of $input.n, which is int, not a map or an array");
  CHECK(expand_error(obj{{"k", "$item"}}, scope) == "args.k: $item: 'item' is not available here");
  CHECK(expand_error(arr{"$load"}, scope) == "args[0]: $load: 'load' is not available here");
  CHECK(expand_error(arr{"$"}, scope).find("args[0]: malformed reference '$'") == 0);
}

TEST_CASE("expand: the keys named in an error stop after eight", "[value_template]") {
  obj many;
  for (int i = 0; i < 10; ++i) many.emplace_back("k" + std::to_string(i), i);
  const workflow_value input = many;
  const workflow_value empty = obj{};
  template_scope scope;
  scope.input = &input;
  scope.self = &empty;
  CHECK(expand_error(arr{"$input.x"}, scope) ==
        "args[0]: $input.x: no key 'x' in the map at $input (keys: k0, k1, k2, k3, k4, k5, k6, k7, ...)");
  CHECK(expand_error(arr{"$self.x"}, scope) == "args[0]: $self.x: no key 'x' in the map at $self (keys: none)");
}
