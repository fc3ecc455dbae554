// Wire protocol v1: the header frame codec and the bounded body decoder.
#include <malloc.h>

#include <catch2/catch.hpp>

#include "raw_header.hpp"
#include <cstdint>
#include <string>

#include <titan/wire.hpp>

using namespace titan;

namespace {

std::string bytes(const msgpack::sbuffer& b) { return std::string(b.data(), b.size()); }

// Packs whatever `fn` writes into a string.
template <class F>
std::string packed(F&& fn) {
  msgpack::sbuffer buf;
  msgpack::packer<msgpack::sbuffer> p(buf);
  fn(p);
  return bytes(buf);
}

using titan::test::raw_header;  // a header with arbitrary fields

struct decoded {
  std::optional<wire::decode_error> error;
  wire::header header;
};

decoded decode(const std::string& frame, const wire::decode_limits& limits = {}) {
  static msgpack::zone zone;  // string_views in `header` point into `frame`, not the zone
  decoded d;
  d.error = wire::decode_header(frame.data(), frame.size(), zone, d.header, limits);
  zone.clear();
  return d;
}

}  // namespace

TEST_CASE("a header survives an encode/decode round trip", "[wire]") {
  msgpack::sbuffer buf;
  wire::encode_header(buf, wire::kind::call, 0xFFFF'FFFF'FFFF'FFF0ull, "create_user",
                      {.deadline_ms = 1500, .traceparent = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"});
  const std::string frame = bytes(buf);
  auto d = decode(frame);
  REQUIRE_FALSE(d.error);
  CHECK(d.header.msg_kind == wire::kind::call);
  CHECK(d.header.id == 0xFFFF'FFFF'FFFF'FFF0ull);
  CHECK(d.header.method == "create_user");
  CHECK(d.header.meta.deadline_ms == 1500);
  CHECK(d.header.meta.traceparent == "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01");
}

TEST_CASE("every kind round-trips and the encoded header is [1, kind, id, method, meta]", "[wire]") {
  for (int k = 1; k <= 9; ++k) {
    const auto kind = static_cast<wire::kind>(k);
    msgpack::sbuffer buf;
    wire::encode_header(buf, kind, 7, "");
    auto d = decode(bytes(buf));
    REQUIRE_FALSE(d.error);
    CHECK(d.header.msg_kind == kind);
    CHECK(d.header.method.empty());
    CHECK(d.header.meta.deadline_ms == 0);
    CHECK(d.header.meta.traceparent.empty());

    msgpack::object_handle oh = msgpack::unpack(buf.data(), buf.size());
    const msgpack::object& o = oh.get();
    REQUIRE(o.type == msgpack::type::ARRAY);
    REQUIRE(o.via.array.size == 5);
    CHECK(o.via.array.ptr[0].as<std::uint64_t>() == 1);
    CHECK(o.via.array.ptr[1].as<int>() == k);
    CHECK(o.via.array.ptr[2].as<std::uint64_t>() == 7);
    CHECK(o.via.array.ptr[3].as<std::string>().empty());
    CHECK(o.via.array.ptr[4].type == msgpack::type::MAP);
    CHECK(o.via.array.ptr[4].via.map.size == 0);  // no meta, empty map
  }
  CHECK(wire::to_string(wire::kind::call) == "CALL");
  CHECK(wire::to_string(wire::kind::pong) == "PONG");
  CHECK(wire::to_string(static_cast<wire::kind>(42)) == "?");
}

TEST_CASE("meta keys are written only when set", "[wire]") {
  msgpack::sbuffer buf;
  wire::encode_header(buf, wire::kind::call, 1, "m", {.deadline_ms = 250, .traceparent = {}});
  msgpack::object_handle oh = msgpack::unpack(buf.data(), buf.size());
  auto meta = oh.get().via.array.ptr[4].as<std::map<std::string, std::uint64_t>>();
  CHECK(meta == std::map<std::string, std::uint64_t>{{"deadline_ms", 250}});
}

TEST_CASE("unknown meta keys are ignored, and nil meta is accepted", "[wire]") {
  const std::string frame = packed([](auto& p) {
    p.pack_array(5);
    p.pack(1);
    p.pack(1);
    p.pack(99);
    p.pack(std::string("echo"));
    p.pack_map(4);
    p.pack(std::string("future_key"));
    p.pack(std::vector<int>{1, 2, 3});
    p.pack(std::string("deadline_ms"));
    p.pack(40);
    p.pack(17);  // a non-string key
    p.pack(std::string("x"));
    p.pack(std::string("traceparent"));
    p.pack(std::string("tp"));
  });
  auto d = decode(frame);
  REQUIRE_FALSE(d.error);
  CHECK(d.header.id == 99);
  CHECK(d.header.meta.deadline_ms == 40);
  CHECK(d.header.meta.traceparent == "tp");

  const std::string nil_meta = packed([](auto& p) {
    p.pack_array(5);
    p.pack(1);
    p.pack(8);
    p.pack(3);
    p.pack(std::string(""));
    p.pack_nil();
  });
  auto n = decode(nil_meta);
  REQUIRE_FALSE(n.error);
  CHECK(n.header.msg_kind == wire::kind::ping);
  CHECK(n.header.id == 3);
}

TEST_CASE("decode errors without a readable id carry no id", "[wire]") {
  SECTION("not an array") {
    auto d = decode(packed([](auto& p) { p.pack(std::string("hello")); }));
    REQUIRE(d.error);
    CHECK_FALSE(d.error->id);
    CHECK_THAT(d.error->message, Catch::Contains("expected an array"));
  }
  SECTION("an array that is too short") {
    auto d = decode(packed([](auto& p) { p.pack(std::vector<int>{1, 1, 5}); }));
    REQUIRE(d.error);
    CHECK_FALSE(d.error->id);
  }
  SECTION("an id that is not an unsigned integer") {
    auto d = decode(raw_header(1, 1, -5, std::string("m")));
    REQUIRE(d.error);
    CHECK_FALSE(d.error->id);
    CHECK_THAT(d.error->message, Catch::Contains("call id"));
  }
  SECTION("an empty frame") {
    auto d = decode("");
    REQUIRE(d.error);
    CHECK_FALSE(d.error->id);
    CHECK_THAT(d.error->message, Catch::Contains("empty"));
  }
  SECTION("garbage bytes") {
    auto d = decode(std::string("\xc1\xc1\xc1", 3));  // 0xc1 is never used by msgpack
    REQUIRE(d.error);
    CHECK_FALSE(d.error->id);
  }
  SECTION("trailing bytes") {
    msgpack::sbuffer buf;
    wire::encode_header(buf, wire::kind::call, 5, "echo");
    auto d = decode(bytes(buf) + '\x00');
    REQUIRE(d.error);
    CHECK_THAT(d.error->message, Catch::Contains("1 trailing bytes"));
  }
  SECTION("truncated") {
    msgpack::sbuffer buf;
    wire::encode_header(buf, wire::kind::call, 5, "echo");
    std::string frame = bytes(buf);
    for (std::size_t n = 1; n < frame.size(); ++n) {
      auto d = decode(frame.substr(0, n));
      REQUIRE(d.error);
      CHECK_FALSE(d.error->id);
    }
    CHECK_THAT(decode(frame.substr(0, frame.size() - 1)).error->message, Catch::Contains("truncated"));
  }
  SECTION("a depth bomb") {
    std::string frame(100000, '\x91');  // [[[[...]]]]
    frame += '\xc0';
    auto d = decode(frame);
    REQUIRE(d.error);
    CHECK_FALSE(d.error->id);
    CHECK_THAT(d.error->message, Catch::Contains("nesting deeper than 64"));
  }
  SECTION("a method name declared longer than the frame") {
    std::string frame = "\x95\x01\x01\x07\xdb\xff\xff\xff\xff";  // [1, 1, 7, str32(4 GiB)...
    auto d = decode(frame);
    REQUIRE(d.error);
    CHECK_FALSE(d.error->id);  // the frame as a whole is unreadable
  }
  SECTION("an outer array declared longer than the frame") {
    auto d = decode("\xdd\x7f\xff\xff\xff\x01");
    REQUIRE(d.error);
    CHECK_FALSE(d.error->id);
    CHECK_THAT(d.error->message, Catch::Contains("declared length"));
  }
}

TEST_CASE("decode errors after the id carry the id, so the receiver can answer", "[wire]") {
  SECTION("wrong version") {
    auto d = decode(raw_header(2, 1, 41, std::string("echo")));
    REQUIRE(d.error);
    CHECK(d.error->id == std::optional<std::uint64_t>(41));
    CHECK_THAT(d.error->message, Catch::Contains("protocol version"));
  }
  SECTION("a version that is not an integer") {
    auto d = decode(raw_header(std::string("1"), 1, 42, std::string("echo")));
    REQUIRE(d.error);
    CHECK(d.error->id == std::optional<std::uint64_t>(42));
  }
  SECTION("kind 0, kind 10 and a negative kind") {
    for (int k : {0, 10, 200, -1}) {
      auto d = decode(raw_header(1, k, 43, std::string("echo")));
      REQUIRE(d.error);
      CHECK(d.error->id == std::optional<std::uint64_t>(43));
      CHECK_THAT(d.error->message, Catch::Contains("kind"));
    }
  }
  SECTION("a method that is not a string") {
    auto d = decode(raw_header(1, 1, 44, 12));
    REQUIRE(d.error);
    CHECK(d.error->id == std::optional<std::uint64_t>(44));
    CHECK_THAT(d.error->message, Catch::Contains("method must be a string"));
  }
  SECTION("meta that is not a map") {
    auto frame = packed([](auto& p) {
      p.pack_array(5);
      p.pack(1);
      p.pack(1);
      p.pack(45);
      p.pack(std::string("m"));
      p.pack(std::vector<int>{1});
    });
    auto d = decode(frame);
    REQUIRE(d.error);
    CHECK(d.error->id == std::optional<std::uint64_t>(45));
  }
  SECTION("known meta keys with the wrong type") {
    for (bool deadline : {true, false}) {
      auto frame = packed([&](auto& p) {
        p.pack_array(5);
        p.pack(1);
        p.pack(1);
        p.pack(46);
        p.pack(std::string("m"));
        p.pack_map(1);
        p.pack(std::string(deadline ? "deadline_ms" : "traceparent"));
        p.pack(deadline ? msgpack::object(-3) : msgpack::object(3));
      });
      auto d = decode(frame);
      REQUIRE(d.error);
      CHECK(d.error->id == std::optional<std::uint64_t>(46));
      CHECK_THAT(d.error->message, Catch::Contains(deadline ? "deadline_ms" : "traceparent"));
    }
  }
}

TEST_CASE("decode_body reads one value that fills the frame exactly", "[wire]") {
  msgpack::zone zone;
  msgpack::object o;
  const std::string args = packed([](auto& p) { p.pack(std::make_tuple(std::string("hi"), 3, true)); });
  REQUIRE_FALSE(wire::decode_body(args.data(), args.size(), zone, o));
  REQUIRE(o.type == msgpack::type::ARRAY);
  CHECK(o.as<std::tuple<std::string, int, bool>>() == std::make_tuple(std::string("hi"), 3, true));
  // Strings reference the frame instead of being copied.
  CHECK(o.via.array.ptr[0].via.str.ptr >= args.data());
  CHECK(o.via.array.ptr[0].via.str.ptr < args.data() + args.size());

  auto trailing = args + "\xc0";
  auto err = wire::decode_body(trailing.data(), trailing.size(), zone, o);
  REQUIRE(err);
  CHECK_THAT(*err, Catch::Contains("trailing"));

  auto truncated = args.substr(0, args.size() - 1);
  CHECK(wire::decode_body(truncated.data(), truncated.size(), zone, o));
}

TEST_CASE("decode_body honours custom limits", "[wire]") {
  msgpack::zone zone;
  msgpack::object o;
  const std::string nested = packed([](auto& p) {
    p.pack(std::vector<std::vector<std::vector<int>>>{{{1}}});
  });
  CHECK_FALSE(wire::decode_body(nested.data(), nested.size(), zone, o, {.max_depth = 3}));
  CHECK(wire::decode_body(nested.data(), nested.size(), zone, o, {.max_depth = 2}));

  const std::string ten = packed([](auto& p) { p.pack(std::vector<int>(10, 1)); });
  CHECK_FALSE(wire::decode_body(ten.data(), ten.size(), zone, o, {.max_container = 10}));
  CHECK(wire::decode_body(ten.data(), ten.size(), zone, o, {.max_container = 9}));

  const std::string text = packed([](auto& p) { p.pack(std::string(100, 'x')); });
  CHECK_FALSE(wire::decode_body(text.data(), text.size(), zone, o, {.max_string = 100}));
  CHECK(wire::decode_body(text.data(), text.size(), zone, o, {.max_string = 99}));
}

TEST_CASE("a 5-byte frame declaring 4 billion elements fails fast without allocating", "[wire]") {
  // Containers are refused by their declared length; strings and binaries
  // are never copied, so for them "truncated" is as good.
  const std::pair<const char*, const char*> forged[] = {
      {"\xdd\xff\xff\xff\xff", "declared length"},  // array32 of 4294967295
      {"\xdf\xff\xff\xff\xff", "declared length"},  // map32 of 4294967295
      {"\xdd\x00\x01\x86\xa0", "declared length"},  // array32 of 100000: within max_container, still a lie
      {"\xdb\xff\xff\xff\xff", ""},                 // str32 of 4 GiB
      {"\xc6\xff\xff\xff\xff", ""},                 // bin32 of 4 GiB
  };
  for (auto [frame, why] : forged) {
    CAPTURE(why);
    msgpack::zone zone;
    msgpack::object o;
    const struct mallinfo2 before = ::mallinfo2();
    auto err = wire::decode_body(frame, 5, zone, o);
    const struct mallinfo2 after = ::mallinfo2();
    REQUIRE(err);
    // Refused by the length check, not by a failed allocation.
    CHECK_THAT(*err, Catch::Contains(why));
    CHECK_THAT(*err, !Catch::Contains("alloc"));
    // Nothing big was allocated (and is still held by the zone).
    CHECK(after.hblkhd <= before.hblkhd + (1u << 20));
    CHECK(after.uordblks <= before.uordblks + (1u << 20));

    wire::header h;
    auto herr = wire::decode_header(frame, 5, zone, h);
    REQUIRE(herr);
    CHECK_FALSE(herr->id);
  }
}

TEST_CASE("an ERROR body round-trips", "[wire]") {
  msgpack::sbuffer buf;
  wire::encode_error_body(buf, "NOT_FOUND", "no user 'u9'");
  msgpack::zone zone;
  std::string code, message;
  REQUIRE(wire::decode_error_body(buf.data(), buf.size(), zone, code, message));
  CHECK(code == "NOT_FOUND");
  CHECK(message == "no user 'u9'");

  const std::string not_a_map = packed([](auto& p) { p.pack(std::string("oops")); });
  CHECK_FALSE(wire::decode_error_body(not_a_map.data(), not_a_map.size(), zone, code, message));
  CHECK(code == "UNKNOWN");
  CHECK(message == "malformed ERROR body");

  const std::string no_code = packed([](auto& p) {
    p.pack_map(1);
    p.pack(std::string("message"));
    p.pack(std::string("m"));
  });
  CHECK_FALSE(wire::decode_error_body(no_code.data(), no_code.size(), zone, code, message));
}
