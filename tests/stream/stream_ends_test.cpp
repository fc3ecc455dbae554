// How streams end other than by running out: the reader stops or cancels,
// the deadline passes, the producer throws, the host dies, the client goes
// away. Each time the other side learns it promptly, and the items sent
// before the end are still delivered.
#include <signal.h>

#include <catch2/catch.hpp>
#include <cstdint>
#include <string>
#include <vector>

#include "expect_error.hpp"
#include "raw_dealer.hpp"
#include "stream_support.hpp"

using namespace std::chrono_literals;
using titan::status_code;
using titan::test::expect_error;
using titan::test::poll_until;
using titan::test::streamer_host;

namespace {

void reader_that_stops_cancels_the_producer(const std::vector<std::string>& mode) {
  streamer_host h(mode);
  auto s = h.proxy(16);
  {
    int seen = 0;
    for (std::uint64_t v : s.count(1'000'000'000)) {  // endless, for this test
      REQUIRE(v == static_cast<std::uint64_t>(seen));
      if (++seen == 100) break;  // the Reader dies here: CANCEL
    }
  }
  // The producer stops: the host's stream closes, and the service saw why.
  CHECK(poll_until([&] { return h.open_streams() == 0; }, 10s));
  CHECK(s.stopped().get() == 1);
  CHECK_THAT(s.last_stop().get(), Catch::StartsWith("CANCELLED"));
  // It stopped near where the reader did, not after a billion items.
  CHECK(s.produced().get() < 100 + 16 + 16);
}

void producer_exception_ends_with_internal(const std::vector<std::string>& mode) {
  streamer_host h(mode);
  auto s = h.proxy(4);
  auto reader = s.fail_after(50);
  std::uint64_t n = 0;
  auto err = expect_error([&] {
    while (auto v = reader.next()) {
      REQUIRE(*v == n);
      ++n;
    }
    return 0;
  });
  CHECK(n == 50);  // every item written before the throw
  REQUIRE(err);
  CHECK(err->code() == status_code::internal);
  CHECK(err->message() == "failed after 50 items");
  CHECK_FALSE(reader.active());
  CHECK(s.hello("after").get() == "hello after");
}

}  // namespace

TEST_CASE("a reader that stops early cancels the producer, inline", "[stream]") {
  reader_that_stops_cancels_the_producer(titan::test::inline_mode);
}
TEST_CASE("a reader that stops early cancels the producer, concurrency 2", "[stream]") {
  reader_that_stops_cancels_the_producer(titan::test::pool_mode);
}

TEST_CASE("cancel() stops a producer that is waiting between items", "[stream]") {
  streamer_host h(titan::test::pool_mode);
  auto s = h.proxy();
  auto reader = s.ticks(20);
  REQUIRE(reader.next());
  REQUIRE(reader.next());
  reader.cancel();
  CHECK_FALSE(reader.active());
  CHECK_FALSE(reader.next().has_value());
  CHECK(poll_until([&] { return h.open_streams() == 0; }, 10s));
  CHECK(s.stopped().get() == 1);
}

TEST_CASE("a deadline ends a stream with DEADLINE_EXCEEDED, and the producer stops", "[stream]") {
  streamer_host h(titan::test::pool_mode);
  auto s = h.proxy();
  auto reader = titan::with_timeout(s, 300ms).ticks(5);
  std::uint64_t n = 0;
  auto err = expect_error([&] {
    while (reader.next()) ++n;
    return 0;
  });
  REQUIRE(err);
  CHECK(err->code() == status_code::deadline_exceeded);
  CHECK(n > 0);
  CHECK(poll_until([&] { return h.open_streams() == 0; }, 10s));
  CHECK(s.stopped().get() == 1);
}

TEST_CASE("an exception in the producer ends the stream with INTERNAL after its items, inline", "[stream]") {
  producer_exception_ends_with_internal(titan::test::inline_mode);
}
TEST_CASE("an exception in the producer ends the stream with INTERNAL after its items, concurrency 2", "[stream]") {
  producer_exception_ends_with_internal(titan::test::pool_mode);
}

TEST_CASE("a host that dies mid-stream ends it with UNAVAILABLE after the items it sent", "[stream]") {
  streamer_host h;
  auto reader = h.proxy().crash_after(30);
  std::uint64_t n = 0;
  auto err = expect_error([&] {
    while (auto v = reader.next()) {
      REQUIRE(*v == n);
      ++n;
    }
    return 0;
  });
  CHECK(n == 30);
  REQUIRE(err);
  CHECK(err->code() == status_code::unavailable);
  auto status = h.host.wait_exit(10s);
  REQUIRE(status);
  CHECK(status->signal == SIGKILL);
}

TEST_CASE("a client that goes away mid-stream ends the stream on the host", "[stream]") {
  streamer_host h;
  {
    titan::test::raw_dealer raw(h.host.endpoint());
    msgpack::sbuffer args;
    msgpack::packer<msgpack::sbuffer>(args).pack_array(1);
    msgpack::packer<msgpack::sbuffer>(args).pack(1'000'000'000);
    raw.send_call(1, "count", std::string(args.data(), args.size()), {.deadline_ms = 0, .traceparent = {}, .credit = 4});
    for (int i = 0; i < 4; ++i) {
      auto item = raw.recv_for(1);
      REQUIRE(item);
      REQUIRE(item->kind == titan::wire::kind::stream_item);
    }
    REQUIRE(h.open_streams() == 1);  // the producer waits for credit that never comes
  }  // the client's socket closes without a CANCEL
  CHECK(poll_until([&] { return h.open_streams() == 0; }, 10s));
  // The host serves again (inline: the stream had the service).
  auto s = h.proxy();
  CHECK(s.hello("next").get() == "hello next");
  CHECK(s.stopped().get() == 1);
  CHECK_THAT(s.last_stop().get(), Catch::Contains("went away"));
}

TEST_CASE("a stream cancelled on the wire before its credit is used ends at once", "[stream]") {
  streamer_host h;
  titan::test::raw_dealer raw(h.host.endpoint());
  msgpack::sbuffer args;
  msgpack::packer<msgpack::sbuffer>(args).pack_array(1);
  msgpack::packer<msgpack::sbuffer>(args).pack(100);
  raw.send_call(7, "count", std::string(args.data(), args.size()), {.deadline_ms = 0, .traceparent = {}, .credit = 2});
  REQUIRE(raw.recv_for(7));
  raw.send({titan::test::header_frame(titan::wire::kind::cancel, 7, ""), "\xc0"});
  // Whatever was in flight, the stream ends with CANCELLED.
  std::optional<titan::test::raw_reply> last;
  while ((last = raw.recv_for(7)) && last->kind == titan::wire::kind::stream_item) {
  }
  REQUIRE(last);
  CHECK(last->kind == titan::wire::kind::error);
  CHECK(last->error_code() == "CANCELLED");
}
