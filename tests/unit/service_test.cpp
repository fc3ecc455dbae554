// TITAN_SERVICE: the generated trampolines, schemas and flags, called
// directly through titan::detail::method_table<S>() (no host, no socket).
#include <catch2/catch.hpp>
#include <cstdint>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <tuple>
#include <vector>

#include <titan/context.hpp>
#include <titan/service.hpp>

namespace shop {

struct Item {
  std::string name;
  std::uint32_t qty = 0;
  MSGPACK_DEFINE_MAP(name, qty);
};

class Inventory {
 public:
  std::int64_t add(std::int64_t a, std::int64_t b) { return a + b; }
  std::string greet(const std::string& who) const { return "hello " + who; }
  void put(Item item) { items_[item.name] = item; }
  std::optional<Item> get(const std::string& name) {
    auto it = items_.find(name);
    if (it == items_.end()) return std::nullopt;
    return it->second;
  }
  std::tuple<std::uint64_t, std::vector<std::string>> names() {
    std::vector<std::string> out;
    for (const auto& [k, v] : items_) out.push_back(k);
    return {out.size(), out};
  }
  std::map<std::string, double> scale(std::map<std::string, double> m, double f) noexcept {
    for (auto& [k, v] : m) v *= f;
    return m;
  }
  std::uint8_t small(std::uint8_t v) { return v; }
  int missing(const std::string& name) { throw titan::Error(titan::status_code::not_found, "no item '" + name + "'"); }
  int crash() { throw std::runtime_error("disk on fire"); }
  int weird() { throw 42; }
  std::size_t size() const { return items_.size(); }

 private:
  std::map<std::string, Item> items_;
};

// A service with a constructor that throws.
class Broken {
 public:
  Broken() { throw std::runtime_error("database unreachable"); }
  void ping() {}
};

}  // namespace shop

TITAN_SERVICE(shop::Inventory, "inventory", (add, titan::idempotent), (greet, titan::idempotent | titan::idempotent),
              put, get, names, scale, small, missing, crash, weird, (size, titan::idempotent))
TITAN_SERVICE(shop::Broken, "broken", ping)

using titan::status_code;

namespace {

constexpr auto table = titan::detail::method_table<shop::Inventory>();

const titan::method_entry& entry(std::string_view name) {
  for (const auto& e : table)
    if (name == e.name) return e;
  throw std::logic_error("no method " + std::string(name));
}

struct outcome {
  status_code code;
  msgpack::object_handle result;  // the packed result, or the packed message
  std::string message() const { return result.get().as<std::string>(); }
};

outcome invoke_raw(shop::Inventory& inv, std::string_view method, const msgpack::object& args) {
  msgpack::sbuffer out;
  out.write("garbage", 7);  // a trampoline must not append to what was there on failure
  out.clear();
  status_code code = entry(method).invoke(&inv, args, out);
  REQUIRE(out.size() > 0);
  return {code, msgpack::unpack(out.data(), out.size())};
}

// Calls `method` with `args` packed as a msgpack array, as the host would.
template <class... A>
outcome invoke(shop::Inventory& inv, std::string_view method, const A&... args) {
  msgpack::sbuffer buf;
  msgpack::pack(buf, std::make_tuple(args...));
  auto oh = msgpack::unpack(buf.data(), buf.size());
  return invoke_raw(inv, method, oh.get());
}

}  // namespace

TEST_CASE("TITAN_SERVICE lists the methods in order with the service name", "[service]") {
  STATIC_REQUIRE(titan::service<shop::Inventory>);
  STATIC_REQUIRE(table.size() == 11);
  CHECK(titan::service_traits<shop::Inventory>::name == "inventory");
  std::vector<std::string> names;
  for (const auto& e : table) names.emplace_back(e.name);
  CHECK(names == std::vector<std::string>{"add", "greet", "put", "get", "names", "scale", "small", "missing", "crash",
                                          "weird", "size"});
}

TEST_CASE("trampolines convert arguments, call the method and pack the result", "[service]") {
  shop::Inventory inv;
  auto r = invoke(inv, "add", 2, 40);
  REQUIRE(r.code == status_code::ok);
  CHECK(r.result.get().as<std::int64_t>() == 42);

  r = invoke(inv, "greet", std::string("ada"));
  REQUIRE(r.code == status_code::ok);
  CHECK(r.result.get().as<std::string>() == "hello ada");

  r = invoke(inv, "put", shop::Item{"tea", 3});
  REQUIRE(r.code == status_code::ok);
  CHECK(r.result.get().is_nil());  // void packs nil
  CHECK(inv.size() == 1);

  r = invoke(inv, "get", std::string("tea"));
  REQUIRE(r.code == status_code::ok);
  auto item = r.result.get().as<std::optional<shop::Item>>();
  REQUIRE(item);
  CHECK(item->name == "tea");
  CHECK(item->qty == 3);

  r = invoke(inv, "get", std::string("coffee"));
  REQUIRE(r.code == status_code::ok);
  CHECK(r.result.get().is_nil());

  r = invoke(inv, "names");
  REQUIRE(r.code == status_code::ok);
  CHECK(r.result.get().as<std::tuple<std::uint64_t, std::vector<std::string>>>() ==
        std::make_tuple(std::uint64_t{1}, std::vector<std::string>{"tea"}));

  r = invoke(inv, "scale", std::map<std::string, double>{{"a", 1.5}}, 2);  // an int is a valid double
  REQUIRE(r.code == status_code::ok);
  CHECK(r.result.get().as<std::map<std::string, double>>() == std::map<std::string, double>{{"a", 3.0}});
}

TEST_CASE("a wrong argument count is INVALID_ARGUMENT with the expected types", "[service]") {
  shop::Inventory inv;
  auto r = invoke(inv, "add", 1);
  CHECK(r.code == status_code::invalid_argument);
  CHECK(r.message() == "expected 2 arguments (int, int), got 1");

  r = invoke(inv, "add", 1, 2, 3);
  CHECK(r.code == status_code::invalid_argument);
  CHECK(r.message() == "expected 2 arguments (int, int), got 3");

  r = invoke(inv, "greet");
  CHECK(r.code == status_code::invalid_argument);
  CHECK(r.message() == "expected 1 argument (string), got 0");

  r = invoke(inv, "size", 1);
  CHECK(r.code == status_code::invalid_argument);
  CHECK(r.message() == "expected 0 arguments (), got 1");
}

TEST_CASE("a wrong argument type names its position, expected and received type", "[service]") {
  shop::Inventory inv;
  auto r = invoke(inv, "add", std::string("two"), 3);
  CHECK(r.code == status_code::invalid_argument);
  CHECK(r.message() == "argument 1: expected int, got string");

  r = invoke(inv, "add", 2, 3.5);
  CHECK(r.code == status_code::invalid_argument);
  CHECK(r.message() == "argument 2: expected int, got float");

  r = invoke(inv, "put", std::vector<int>{1, 2});
  CHECK(r.code == status_code::invalid_argument);
  CHECK(r.message() == "argument 1: expected Item, got array");

  r = invoke(inv, "scale", std::map<std::string, std::string>{{"a", "x"}}, 2.0);
  CHECK(r.code == status_code::invalid_argument);
  CHECK(r.message() == "argument 1: expected map<string, float>, got map");

  r = invoke(inv, "small", 300);
  CHECK(r.code == status_code::invalid_argument);
  CHECK(r.message() == "argument 1: expected uint, got uint");
  CHECK(inv.size() == 0);  // nothing ran
}

TEST_CASE("arguments that are not an array are INVALID_ARGUMENT", "[service]") {
  shop::Inventory inv;
  msgpack::sbuffer buf;
  msgpack::pack(buf, std::map<std::string, int>{{"a", 1}});
  auto oh = msgpack::unpack(buf.data(), buf.size());
  auto r = invoke_raw(inv, "add", oh.get());
  CHECK(r.code == status_code::invalid_argument);
  CHECK(r.message() == "arguments must be an array, got map");
}

TEST_CASE("exceptions never leave a trampoline", "[service]") {
  shop::Inventory inv;
  SECTION("titan::Error keeps its code and message") {
    auto r = invoke(inv, "missing", std::string("tea"));
    CHECK(r.code == status_code::not_found);
    CHECK(r.message() == "no item 'tea'");
  }
  SECTION("a std::exception is INTERNAL with what()") {
    auto r = invoke(inv, "crash");
    CHECK(r.code == status_code::internal);
    CHECK(r.message() == "disk on fire");
  }
  SECTION("anything else is UNKNOWN") {
    auto r = invoke(inv, "weird");
    CHECK(r.code == status_code::unknown);
    CHECK_THAT(r.message(), Catch::Contains("not a std::exception"));
  }
}

TEST_CASE("describe gives argument and result type names", "[service]") {
  auto schema = [](std::string_view name) {
    titan::method_schema s;
    s.args = {"stale"};
    entry(name).describe(s);
    return s;
  };
  CHECK(schema("add").args == std::vector<std::string>{"int", "int"});
  CHECK(schema("add").result == "int");
  CHECK(schema("greet").args == std::vector<std::string>{"string"});
  CHECK(schema("put").args == std::vector<std::string>{"Item"});
  CHECK(schema("put").result == "nil");
  CHECK(schema("get").result == "optional<Item>");
  CHECK(schema("names").args.empty());
  CHECK(schema("names").result == "tuple<uint, array<string>>");
  CHECK(schema("scale").args == std::vector<std::string>{"map<string, float>", "float"});
  CHECK(schema("size").result == "uint");
}

TEST_CASE("the idempotent flag comes from (m, titan::idempotent)", "[service]") {
  auto idempotent = [](std::string_view name) {
    return titan::has_flag(entry(name).flags, titan::method_flags::idempotent);
  };
  CHECK(idempotent("add"));
  CHECK(idempotent("greet"));
  CHECK(idempotent("size"));
  CHECK_FALSE(idempotent("put"));
  CHECK_FALSE(idempotent("get"));
  CHECK(entry("put").flags == titan::method_flags::none);
}

namespace {
class null_context final : public titan::Context {
 public:
  std::string_view name() const override { return "t"; }
  const msgpack::object& config() const override { return config_; }
  spdlog::logger& logger() const override { throw std::logic_error("no logger"); }
  std::string_view manager_endpoint() const override { return {}; }

 private:
  msgpack::object config_;
};
}  // namespace

TEST_CASE("the descriptor creates and destroys instances", "[service]") {
  static constexpr auto broken_table = titan::detail::method_table<shop::Broken>();
  constexpr auto good = titan::detail::make_descriptor<shop::Inventory>("2.1.0", table);
  constexpr auto bad = titan::detail::make_descriptor<shop::Broken>("0.1.0", broken_table);
  CHECK(good.abi_version == titan::oldest_abi_version);  // no streaming method
  CHECK(good.descriptor_size == sizeof(titan::plugin_descriptor));
  CHECK(std::string(good.service_name) == "inventory");
  CHECK(std::string(good.service_version) == "2.1.0");
  CHECK(std::string(good.sdk_version) == TITAN_SDK_VERSION);
  CHECK(good.method_count == 11);
  CHECK(good.methods == table.data());

  null_context ctx;
  std::string error;
  void* inv = good.create(ctx, error);
  REQUIRE(inv != nullptr);
  CHECK(error.empty());
  msgpack::sbuffer out;
  auto args = msgpack::unpack("\x92\x01\x02", 3);
  CHECK(good.methods[0].invoke(inv, args.get(), out) == status_code::ok);
  good.destroy(inv);

  CHECK(bad.create(ctx, error) == nullptr);
  CHECK(error == "database unreachable");
}
