// Streaming calls that go as planned: order, credit (a slow reader holds
// the producer back), input streams and both directions, and how a
// streaming method and a unary one meet the other kind of caller. Most run
// in both host modes: one call at a time (inline) and --concurrency 2.
#include <signal.h>

#include <catch2/catch.hpp>
#include <cstdint>
#include <numeric>
#include <ranges>
#include <string>
#include <vector>

#include "expect_error.hpp"
#include "stream_support.hpp"

using namespace std::chrono_literals;
using titan::status_code;
using titan::test::expect_error;
using titan::test::poll_until;
using titan::test::streamer_host;

namespace {

void items_arrive_in_order(const std::vector<std::string>& mode, std::uint32_t window) {
  streamer_host h(mode);
  auto s = h.proxy(window);
  std::uint64_t expected = 0;
  for (std::uint64_t v : s.count(20000)) {
    REQUIRE(v == expected);
    ++expected;
  }
  CHECK(expected == 20000);
  // The host serves calls again once the stream is over.
  CHECK(s.hello("again").get() == "hello again");
  CHECK(h.open_streams() == 0);
}

}  // namespace

TEST_CASE("a stream delivers every item in order, inline", "[stream]") { items_arrive_in_order(titan::test::inline_mode, 256); }
TEST_CASE("a stream delivers every item in order, concurrency 2", "[stream]") {
  items_arrive_in_order(titan::test::pool_mode, 256);
}
TEST_CASE("a stream with a window of one item still delivers every item in order", "[stream]") {
  items_arrive_in_order(titan::test::inline_mode, 1);
}

TEST_CASE("an empty stream ends at once", "[stream]") {
  streamer_host h;
  auto r = h.proxy().count(0);
  CHECK_FALSE(r.next().has_value());
  CHECK_FALSE(r.active());
}

TEST_CASE("a slow reader bounds what the producer makes and the host's memory", "[stream]") {
  // --concurrency 2, so that produced() is answered while the stream runs.
  streamer_host h(titan::test::pool_mode);
  constexpr std::uint32_t window = 64;
  auto s = h.proxy(window);
  const std::uint64_t rss_before = titan::test::rss_bytes(h.host.pid());
  auto reader = s.count(10'000'000);
  std::uint64_t read = 0;
  std::uint64_t most_produced = 0;
  for (int round = 0; round < 50; ++round) {
    for (int i = 0; i < 100; ++i) {
      auto v = reader.next();
      REQUIRE(v);
      REQUIRE(*v == read);
      ++read;
    }
    // The producer may run ahead of the reader by its credit, never more.
    const std::uint64_t produced = s.produced().get();
    most_produced = std::max(most_produced, produced);
    REQUIRE(produced <= read + window);
  }
  // Unbounded, 10 million items would have been made by now (hundreds of MB).
  CHECK(most_produced < 10'000);
  const std::uint64_t rss_after = titan::test::rss_bytes(h.host.pid());
  INFO("host RSS before " << rss_before << " after " << rss_after);
  CHECK(rss_after < rss_before + (32u << 20));
  reader.cancel();
  CHECK(poll_until([&] { return h.open_streams() == 0; }, 10s));
}

TEST_CASE("large items: the window shrinks to stream_window_bytes worth of them", "[stream]") {
  streamer_host h(titan::test::pool_mode);
  // 1 MiB of 64 KiB items is 15 items (each also costs a little bookkeeping).
  auto s = titan::connect<Streamer>(h.host.endpoint(),
                                    {.timeout = 10s, .stream_window = 4096, .stream_window_bytes = 1u << 20});
  constexpr std::uint64_t ahead = 15;
  auto reader = s.blobs(1'000'000, 64 * 1024);
  std::uint64_t read = 0;
  // The first grant (64 items) is made before any size is known.
  for (; read < 100; ++read) REQUIRE(reader.next());
  for (int round = 0; round < 20; ++round) {
    for (int i = 0; i < 10; ++i, ++read) REQUIRE(reader.next()->size() == 64 * 1024);
    const std::uint64_t produced = s.produced().get();
    REQUIRE(produced <= read + ahead);
  }
  reader.cancel();
  CHECK(poll_until([&] { return h.open_streams() == 0; }, 10s));
}

TEST_CASE("small items: the window grows to stream_window items", "[stream]") {
  streamer_host h(titan::test::pool_mode);
  auto s = titan::connect<Streamer>(h.host.endpoint(), {.timeout = 10s, .stream_window = 1000});
  auto reader = s.count(1'000'000);
  std::uint64_t read = 0;
  for (; read < 100; ++read) REQUIRE(reader.next() == read);
  // Past the first grant of 64: the producer gets ahead by more than that,
  // and never by more than the window.
  CHECK(poll_until([&] { return s.produced().get() > read + 64; }, 10s));
  CHECK(s.produced().get() <= read + 1000);
  reader.cancel();
  CHECK(poll_until([&] { return h.open_streams() == 0; }, 10s));
}

TEST_CASE("client streaming: a method reads any range the caller gives", "[stream]") {
  streamer_host h;
  auto s = h.proxy();
  std::vector<std::int64_t> items(10000);
  std::iota(items.begin(), items.end(), 1);
  CHECK(s.sum(items).get() == 50005000);                                 // an lvalue range, read in place
  CHECK(s.sum(std::views::iota(std::int64_t{0}, std::int64_t{1000})).get() == 499500);  // a view
  CHECK(s.sum({1, 2, 3}).get() == 6);                                    // a braced list
  CHECK(s.sum(std::vector<std::int64_t>{}).get() == 0);                  // nothing
}

TEST_CASE("both ways: items go in and come out in order, beyond both windows", "[stream]") {
  for (const auto& mode : {titan::test::inline_mode, titan::test::pool_mode}) {
    streamer_host h(mode);
    auto s = h.proxy(8);  // a small output window; the host grants input 128 at a time
    std::vector<std::int64_t> in(5000);
    std::iota(in.begin(), in.end(), 0);
    std::int64_t expected = 0;
    for (std::int64_t v : s.scale(3, in)) {
      REQUIRE(v == expected * 3);
      ++expected;
    }
    CHECK(expected == 5000);
  }
}

TEST_CASE("an input item of the wrong type fails the call with INVALID_ARGUMENT", "[stream]") {
  streamer_host h;
  auto client = titan::Client::connect(h.host.endpoint());
  msgpack::sbuffer args;
  msgpack::packer<msgpack::sbuffer>(args).pack_array(0);
  titan::input<std::string> words{"one", "two"};
  auto err = expect_error([&] {
    return client.call_with_input<std::int64_t>("sum", args.data(), args.size(), {}, words.source()).get();
  });
  REQUIRE(err);
  CHECK(err->code() == status_code::invalid_argument);
  CHECK_THAT(err->message(), Catch::Contains("input item 1") && Catch::Contains("expected int, got string"));
  CHECK(client.call<std::string>("hello", "still here").get() == "hello still here");
}

TEST_CASE("a streaming method called as a unary call is refused with a clear error", "[stream]") {
  streamer_host h;
  auto client = titan::Client::connect(h.host.endpoint());
  auto err = expect_error([&] { return client.call("count", 3).get(); });
  REQUIRE(err);
  CHECK(err->code() == status_code::failed_precondition);
  CHECK_THAT(err->message(), Catch::Contains("streams its results") && Catch::Contains("titan stream"));
  CHECK(h.open_streams() == 0);
}

TEST_CASE("a unary method read as a stream gives its result as the one item", "[stream]") {
  streamer_host h;
  auto client = titan::Client::connect(h.host.endpoint());
  std::vector<std::string> got;
  for (const std::string& v : client.stream<std::string>("hello", "stream")) got.push_back(v);
  CHECK(got == std::vector<std::string>{"hello stream"});
}

TEST_CASE("$describe shows streams as stream<T>", "[stream]") {
  streamer_host h;
  auto d = titan::Client::connect(h.host.endpoint()).call("$describe").get();
  std::map<std::string, std::pair<std::vector<std::string>, std::string>> methods;
  for (const auto& m : d.get().via.map.ptr[5].val.as<std::vector<std::map<std::string, msgpack::object>>>())
    methods[m.at("name").as<std::string>()] = {m.at("args").as<std::vector<std::string>>(),
                                               m.at("result").as<std::string>()};
  CHECK(methods["count"] == std::pair<std::vector<std::string>, std::string>{{"uint"}, "stream<uint>"});
  CHECK(methods["sum"] == std::pair<std::vector<std::string>, std::string>{{"stream<int>"}, "int"});
  CHECK(methods["scale"] == std::pair<std::vector<std::string>, std::string>{{"int", "stream<int>"}, "stream<int>"});
}

TEST_CASE("a host that drains lets a running stream finish", "[stream]") {
  streamer_host h;
  auto s = h.proxy(16);
  auto reader = s.count(3000);
  for (int i = 0; i < 10; ++i) REQUIRE(reader.next());
  h.host.send_signal(SIGTERM);
  std::uint64_t n = 10;
  while (auto v = reader.next()) {
    REQUIRE(*v == n);
    ++n;
  }
  CHECK(n == 3000);
  auto status = h.host.wait_exit(10s);
  REQUIRE(status);
  CHECK(status->code == 0);
}
