// Schema type names and checked conversion of msgpack values.
#include <catch2/catch.hpp>
#include <array>
#include <cstdint>
#include <limits>
#include <list>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <tuple>
#include <unordered_map>
#include <vector>

#include <titan/codec.hpp>

namespace geo {
struct Point {
  double x = 0;
  double y = 0;
  MSGPACK_DEFINE_MAP(x, y);
};
template <class T>
struct Box {
  T value;
};
}  // namespace geo

struct Order {
  std::string item;
  std::uint32_t qty = 0;
  MSGPACK_DEFINE_MAP(item, qty);
};

using titan::type_name;

namespace {

// A msgpack value as a client would have sent it; the handle owns the zone.
template <class T>
msgpack::object_handle wire_value(const T& v) {
  msgpack::sbuffer buf;
  msgpack::pack(buf, v);
  return msgpack::unpack(buf.data(), buf.size());
}

// Converts `v` (packed) to T; returns the mismatch message ("" on success).
template <class T, class V>
std::string convert_error(const V& v) {
  auto oh = wire_value(v);
  T out{};
  std::string why;
  bool ok = titan::try_convert(oh.get(), out, why);
  CHECK(ok == why.empty());
  return why;
}

}  // namespace

TEST_CASE("type_name of scalars", "[codec]") {
  CHECK(type_name<void>() == "nil");
  CHECK(type_name<bool>() == "bool");
  CHECK(type_name<int>() == "int");
  CHECK(type_name<std::int8_t>() == "int");
  CHECK(type_name<std::int64_t>() == "int");
  CHECK(type_name<unsigned>() == "uint");
  CHECK(type_name<std::uint8_t>() == "uint");
  CHECK(type_name<std::uint64_t>() == "uint");
  CHECK(type_name<float>() == "float");
  CHECK(type_name<double>() == "float");
  CHECK(type_name<std::string>() == "string");
  CHECK(type_name<const std::string&>() == "string");
  CHECK(type_name<std::string_view>() == "string");
  CHECK(type_name<const char*>() == "string");
  CHECK(type_name<std::vector<char>>() == "bytes");
  CHECK(type_name<std::vector<unsigned char>>() == "bytes");
  CHECK(type_name<std::vector<std::uint8_t>>() == "bytes");
  CHECK(type_name<msgpack::object>() == "any");
}

TEST_CASE("type_name of containers, optional and tuple", "[codec]") {
  CHECK(type_name<std::vector<int>>() == "array<int>");
  CHECK(type_name<const std::vector<double>&>() == "array<float>");
  CHECK(type_name<std::list<std::string>>() == "array<string>");
  CHECK(type_name<std::set<std::uint16_t>>() == "array<uint>");
  CHECK(type_name<std::array<bool, 3>>() == "array<bool>");
  CHECK(type_name<std::vector<std::vector<int>>>() == "array<array<int>>");
  CHECK(type_name<std::map<std::string, std::int64_t>>() == "map<string, int>");
  CHECK(type_name<std::unordered_map<int, std::vector<char>>>() == "map<int, bytes>");
  CHECK(type_name<std::optional<std::string>>() == "optional<string>");
  CHECK(type_name<std::optional<std::vector<int>>>() == "optional<array<int>>");
  CHECK(type_name<std::tuple<std::int64_t, std::int64_t>>() == "tuple<int, int>");
  CHECK(type_name<std::tuple<>>() == "tuple<>");
  CHECK(type_name<std::tuple<std::string, std::optional<bool>, std::map<int, int>>>() ==
        "tuple<string, optional<bool>, map<int, int>>");
  CHECK(type_name<std::pair<int, bool>>() == "tuple<int, bool>");
}

TEST_CASE("type_name of user structs is their unqualified C++ name", "[codec]") {
  CHECK(type_name<Order>() == "Order");
  CHECK(type_name<geo::Point>() == "Point");
  CHECK(type_name<const geo::Point&>() == "Point");
  CHECK(type_name<std::vector<geo::Point>>() == "array<Point>");
  CHECK(type_name<std::optional<Order>>() == "optional<Order>");
  CHECK(type_name<std::map<std::string, geo::Point>>() == "map<string, Point>");
  CHECK(type_name<geo::Box<int>>() == "Box<int>");
}

TEST_CASE("wire_type_name names what is on the wire", "[codec]") {
  CHECK(titan::wire_type_name(wire_value(msgpack::type::nil_t()).get()) == "nil");
  CHECK(titan::wire_type_name(wire_value(true).get()) == "bool");
  CHECK(titan::wire_type_name(wire_value(5).get()) == "uint");
  CHECK(titan::wire_type_name(wire_value(-5).get()) == "int");
  CHECK(titan::wire_type_name(wire_value(1.5).get()) == "float");
  CHECK(titan::wire_type_name(wire_value(1.5f).get()) == "float");
  CHECK(titan::wire_type_name(wire_value(std::string("s")).get()) == "string");
  CHECK(titan::wire_type_name(wire_value(std::vector<char>{'a'}).get()) == "bytes");
  CHECK(titan::wire_type_name(wire_value(std::vector<int>{1}).get()) == "array");
  CHECK(titan::wire_type_name(wire_value(std::map<int, int>{{1, 2}}).get()) == "map");
  msgpack::sbuffer ext;
  msgpack::packer<msgpack::sbuffer>(ext).pack_ext(1, 3);
  ext.write("\x01", 1);
  CHECK(titan::wire_type_name(msgpack::unpack(ext.data(), ext.size()).get()) == "ext");
}

TEST_CASE("try_convert converts matching values", "[codec]") {
  auto oh = wire_value(std::make_tuple(std::string("ab"), -3, 2.5, std::vector<int>{1, 2}));
  std::tuple<std::string, int, double, std::vector<int>> out;
  std::string why;
  REQUIRE(titan::try_convert(oh.get(), out, why));
  CHECK(why.empty());
  CHECK(out == std::make_tuple(std::string("ab"), -3, 2.5, std::vector<int>{1, 2}));

  // An integer is a valid float; nil is an empty optional.
  CHECK(convert_error<double>(7).empty());
  CHECK(convert_error<std::optional<int>>(msgpack::type::nil_t()).empty());
  CHECK(convert_error<Order>(Order{"tea", 3}).empty());
}

TEST_CASE("try_convert explains a mismatch as 'expected X, got Y'", "[codec]") {
  CHECK(convert_error<std::int64_t>(std::string("12")) == "expected int, got string");
  CHECK(convert_error<std::string>(12) == "expected string, got uint");
  CHECK(convert_error<bool>(1) == "expected bool, got uint");
  CHECK(convert_error<std::int64_t>(1.5) == "expected int, got float");
  CHECK(convert_error<std::vector<int>>(std::string("x")) == "expected array<int>, got string");
  CHECK(convert_error<std::vector<int>>(std::vector<std::string>{"x"}) == "expected array<int>, got array");
  CHECK(convert_error<std::map<std::string, int>>(3) == "expected map<string, int>, got uint");
  CHECK(convert_error<std::optional<int>>(std::string("x")) == "expected optional<int>, got string");
  CHECK(convert_error<geo::Point>(std::vector<int>{1}) == "expected Point, got array");
  CHECK(convert_error<std::vector<char>>(5) == "expected bytes, got uint");
}

TEST_CASE("try_convert rejects integers that do not fit", "[codec]") {
  CHECK(convert_error<std::uint8_t>(256) == "expected uint, got uint");
  CHECK(convert_error<std::int8_t>(-129) == "expected int, got int");
  CHECK(convert_error<std::int32_t>(std::int64_t{1} << 40) == "expected int, got uint");
  CHECK(convert_error<std::int64_t>(std::numeric_limits<std::uint64_t>::max()) == "expected int, got uint");
  CHECK(convert_error<std::uint64_t>(-1) == "expected uint, got int");
  CHECK(convert_error<unsigned>(-1) == "expected uint, got int");
  // The limits themselves fit.
  CHECK(convert_error<std::uint8_t>(255).empty());
  CHECK(convert_error<std::int8_t>(-128).empty());
  CHECK(convert_error<std::int64_t>(std::numeric_limits<std::int64_t>::min()).empty());
  CHECK(convert_error<std::uint64_t>(std::numeric_limits<std::uint64_t>::max()).empty());
}
