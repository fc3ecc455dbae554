// for_each: one call per element, all sent at once, spread over a pool; the
// output keeps the elements' order; a retry sends again only the elements
// that failed; a list that is not one fails the stage.
#include <catch2/catch.hpp>
#include <map>
#include <set>

#include "workflow_support.hpp"

using namespace titan::test::workflow;
using titan::stage_state;
using titan::workflow_value;

TEST_CASE("a fan-out over a pool processes every element, in order, on several members", "[workflow][fanout]") {
  const std::size_t members = GENERATE(2u, 3u);
  INFO("pool of " << members);
  world w;
  w.start({w.service("wf"), w.pool("fan", members)});
  w.pm().add_workflow(titan::workflow_builder("squares")
                          .stage("list").call("wf.run").args({"list", "$input.xs"})
                          .stage("square").call("fan.square").args({"$item"}).for_each("$list").depends_on({"list"})
                          .build());
  workflow_value::array xs;
  for (int x = -3; x <= 8; ++x) xs.push_back(x);
  const titan::workflow_report r = w.pm().workflow("squares").run(workflow_value::object{{"xs", xs}});
  REQUIRE(r.ok);
  const titan::stage_report& s = stage(r, "square");
  CHECK(s.items == xs.size());
  CHECK(s.attempts == 1);
  const auto* out = s.output.if_array();
  REQUIRE(out != nullptr);
  REQUIRE(out->size() == xs.size());
  std::set<std::string> hosts;
  for (std::size_t i = 0; i < xs.size(); ++i) {
    INFO("element " << i);
    const workflow_value& result = (*out)[i];
    CHECK(*result.find("x") == xs[i]);
    const std::int64_t x = -3 + static_cast<std::int64_t>(i);
    CHECK(*result.find("square") == workflow_value(x * x));
    hosts.insert(*result.find("host")->if_string());
  }
  CHECK(hosts.size() > 1);
  // Each element was computed once.
  CHECK(w.tags("start").size() == 1 + xs.size());
}

TEST_CASE("a fan-out retry sends again only the elements that failed", "[workflow][fanout]") {
  world w;
  w.start({w.service("wf")});
  // Element k fails k times before it succeeds.
  w.pm().add_workflow(titan::workflow_builder("partial")
                          .stage("s").call("wf.flaky").args({"$item.key", "$item.failures", "$item.key"})
                              .for_each("$input").retries(3)
                              .backoff(std::chrono::milliseconds(1), 1, std::chrono::milliseconds(1))
                          .build());
  workflow_value::array items;
  for (int k = 0; k < 4; ++k)
    items.push_back(workflow_value::object{{"key", "k" + std::to_string(k)}, {"failures", k}});
  const titan::workflow_report r = w.pm().workflow("partial").run(items);
  REQUIRE(r.ok);
  CHECK(stage(r, "s").attempts == 4);
  CHECK(stage(r, "s").output == workflow_value(workflow_value::array{"k0", "k1", "k2", "k3"}));
  std::map<std::string, int> tries;
  for (const auto& tag : w.tags("try")) ++tries[tag];
  CHECK(tries == std::map<std::string, int>{{"k0", 1}, {"k1", 2}, {"k2", 3}, {"k3", 4}});
}

TEST_CASE("a fan-out over an empty list runs no call and outputs an empty array", "[workflow][fanout]") {
  world w;
  w.start({w.service("wf")});
  w.pm().add_workflow(titan::workflow_builder("empty")
                          .stage("s").call("wf.run").args({"$item", 1}).for_each("$input.xs")
                          .build());
  const titan::workflow_report r =
      w.pm().workflow("empty").run(workflow_value::object{{"xs", workflow_value::array{}}});
  REQUIRE(r.ok);
  CHECK(stage(r, "s").output == workflow_value(workflow_value::array{}));
  CHECK(w.journal().empty());
}

TEST_CASE("a fan-out over something that is not a list fails the stage", "[workflow][fanout]") {
  world w;
  w.start({w.service("wf")});
  w.pm().add_workflow(titan::workflow_builder("not-a-list")
                          .stage("s").call("wf.run").args({"$item", 1}).for_each("$input")
                          .build());
  const titan::workflow_report r = w.pm().workflow("not-a-list").run(workflow_value::object{{"a", 1}});
  REQUIRE_FALSE(r.ok);
  CHECK(r.code == titan::status_code::invalid_argument);
  CHECK_THAT(r.message, Catch::Contains("for_each: $input is map, not an array"));
}

TEST_CASE("a failed element names its place in the list", "[workflow][fanout]") {
  world w;
  w.start({w.service("wf")});
  w.pm().add_workflow(titan::workflow_builder("one-fails")
                          .stage("s").call("wf.flaky").args({"$item", 1, "$item"}).for_each("$input")
                          .build());
  const titan::workflow_report r = w.pm().workflow("one-fails").run(workflow_value::array{"a", "b", "c"});
  REQUIRE_FALSE(r.ok);
  CHECK(r.code == titan::status_code::unavailable);
  CHECK_THAT(r.message, Catch::StartsWith("item 0 of 3: flaky a"));
}
