// TITAN_SERVICE: the generated trampolines, schemas and flags, called
// directly through titan::detail::method_table<S>() (no host, no socket),
// over the C ABI as a host calls them (plugin_abi.h).
#include <catch2/catch.hpp>
#include <cstdint>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <tuple>
#include <vector>

#include <titan/context.hpp>
#include <titan/detail/sbuffer_output.hpp>
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

const titan_method& entry(std::string_view name) {
  for (const auto& e : table)
    if (name == e.name) return e;
  throw std::logic_error("no method " + std::string(name));
}

struct outcome {
  status_code code;
  std::string out;                // what the trampoline wrote
  msgpack::object_handle result;  // `out` unpacked, on ok
  // An error's message: the text a failed trampoline wrote.
  std::string message() const { return out; }
};

// Calls `method` on the bytes of `args`, as the host would: the CALL body
// in, the result (or the message) out through a titan_output.
outcome invoke_raw(shop::Inventory& inv, std::string_view method, const msgpack::object& args) {
  msgpack::sbuffer body;
  msgpack::pack(body, args);
  msgpack::sbuffer out;
  out.write("garbage", 7);  // a trampoline must not append to what was there on failure
  out.clear();
  titan::detail::sbuffer_output sink(out);
  const titan_call call{sizeof(titan_call), body.data(), body.size(), sink.get(), nullptr};
  const auto code = static_cast<status_code>(entry(method).invoke(&inv, &call));
  REQUIRE(out.size() > 0);
  outcome r{code, std::string(out.data(), out.size()), {}};
  if (code == status_code::ok) r.result = msgpack::unpack(out.data(), out.size());
  return r;
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

struct method_schema {
  std::vector<std::string> args;
  std::string result;
  MSGPACK_DEFINE_MAP(args, result);
};

TEST_CASE("describe gives argument and result type names", "[service]") {
  auto schema = [](std::string_view name) {
    msgpack::sbuffer out;
    titan::detail::sbuffer_output sink(out);
    REQUIRE(entry(name).describe(sink.get()) == TITAN_OK);
    return msgpack::unpack(out.data(), out.size()).get().as<method_schema>();
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
  CHECK(entry("put").flags == 0);
}

namespace {
// What a host hands create(): the instance name, an empty config, no log.
titan_host null_host() {
  static const char empty_map = '\x80';
  return titan_host{sizeof(titan_host), nullptr, "t", 1, &empty_map, 1, nullptr, 0, TITAN_LOG_OFF, nullptr};
}
}  // namespace

TEST_CASE("the descriptor creates and destroys instances", "[service]") {
  static constexpr auto broken_table = titan::detail::method_table<shop::Broken>();
  constexpr auto good = titan::detail::make_descriptor<shop::Inventory>("2.1.0", table);
  constexpr auto bad = titan::detail::make_descriptor<shop::Broken>("0.1.0", broken_table);
  CHECK(good.abi_version == titan::oldest_abi_version);
  CHECK(good.struct_size == sizeof(titan_plugin_descriptor));
  CHECK(good.method_size == sizeof(titan_method));
  CHECK(std::string(good.service_name) == "inventory");
  CHECK(std::string(good.service_version) == "2.1.0");
  CHECK(std::string(good.sdk_version) == TITAN_SDK_VERSION);
  CHECK(good.method_count == 11);
  CHECK(good.methods == table.data());

  const titan_host host = null_host();
  msgpack::sbuffer error;
  titan::detail::sbuffer_output sink(error);
  void* inv = nullptr;
  REQUIRE(good.create(&host, &inv, sink.get()) == TITAN_OK);
  REQUIRE(inv != nullptr);
  CHECK(error.size() == 0);
  msgpack::sbuffer out;
  titan::detail::sbuffer_output result(out);
  const titan_call call{sizeof(titan_call), "\x92\x01\x02", 3, result.get(), nullptr};
  CHECK(good.methods[0].invoke(inv, &call) == TITAN_OK);
  CHECK(msgpack::unpack(out.data(), out.size()).get().as<int>() == 3);
  good.destroy(inv);

  void* none = nullptr;
  CHECK(bad.create(&host, &none, sink.get()) == TITAN_INTERNAL);
  CHECK(none == nullptr);
  CHECK(std::string(error.data(), error.size()) == "database unreachable");
}
