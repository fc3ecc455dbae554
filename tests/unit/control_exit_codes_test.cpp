// titan/control.hpp: titan-host's exit codes, what each means, and the
// help text that lists them.
#include <algorithm>
#include <catch2/catch.hpp>
#include <set>
#include <string>
#include <string_view>

#include <titan/control.hpp>

namespace control = titan::control;

TEST_CASE("exit_codes_help() lists every exit code 0..9 with what it means", "[control]") {
  const std::string help = control::exit_codes_help();
  CHECK_THAT(help, Catch::StartsWith("Exit codes:\n"));
  std::set<std::string> meanings;
  for (int i = 0; i < 10; ++i) {
    INFO("exit code " << i);
    const std::string_view meaning = control::describe(i);
    CHECK_FALSE(meaning.empty());
    meanings.insert(std::string(meaning));
    CHECK_THAT(help, Catch::Contains("\n  " + std::to_string(i) + "  " + std::string(meaning) + "\n"));
  }
  CHECK(meanings.size() == 10);  // ten different meanings
  CHECK(control::exit_code_count == 10);
  CHECK(std::count(help.begin(), help.end(), '\n') == 11);  // the title and one line per code
}

TEST_CASE("describe() of a number that is no exit code is empty", "[control]") {
  CHECK(control::describe(42).empty());
  CHECK(control::describe(10).empty());
  CHECK(control::describe(-1).empty());
  CHECK(control::describe(control::exit_code::plugin_not_found) == control::describe(3));
  CHECK(control::describe(control::exit_code::abi_mismatch) == control::describe(6));
  static_assert(control::describe(42).empty(), "describe is constexpr");
  CHECK(control::to_int(control::exit_code::config_error) == 9);
}
