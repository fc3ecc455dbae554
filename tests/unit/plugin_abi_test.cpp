// The C++ SDK's side of the C plugin ABI (plugin_abi.h), without a host:
// the titan::Context it builds from a titan_host, the instance and state
// hook trampolines, streams over a titan_stream, and the dispatch helpers
// that titan-host and the manager's API share.
#include <catch2/catch.hpp>
#include <cstdint>
#include <map>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include <spdlog/spdlog.h>

#include <titan/detail/method_call.hpp>
#include <titan/detail/plugin_context.hpp>
#include <titan/detail/sbuffer_output.hpp>
#include <titan/service.hpp>

using titan::status_code;

namespace {

// A titan_host that records the lines logged through it.
struct fake_host {
  std::string config;
  std::vector<std::pair<int, std::string>> lines;
  titan_host abi{};

  explicit fake_host(const std::map<std::string, std::string>& table = {}, std::int32_t level = TITAN_LOG_INFO) {
    msgpack::sbuffer buf;
    msgpack::pack(buf, table);
    config.assign(buf.data(), buf.size());
    abi = titan_host{sizeof(titan_host), this,  "svc-1", 5, config.data(), config.size(), "ipc:///m", 8, level,
                     [](void* h, std::int32_t lvl, const char* text, std::size_t n) {
                       static_cast<fake_host*>(h)->lines.emplace_back(lvl, std::string(text, n));
                     }};
  }
};

std::string text_of(const msgpack::sbuffer& b) { return std::string(b.data(), b.size()); }

int destroyed = 0;

class Journal {
 public:
  explicit Journal(titan::Context& ctx) : ctx_(ctx) { ctx_.logger().info("started as {}", ctx.name()); }
  ~Journal() {
    ctx_.logger().warn("stopping");  // the context outlives the service
    ++destroyed;
  }
  std::string prefix() { return ctx_.config_value<std::string>("prefix", "none"); }
  titan::snapshot snapshot() { return {7, "state bytes"}; }
  void restore(const titan::snapshot& s) {
    if (s.version != 7) throw std::runtime_error("cannot read version " + std::to_string(s.version));
  }
  bool healthy() { return healthy_; }
  void set_healthy(bool h) { healthy_ = h; }

 private:
  titan::Context& ctx_;
  bool healthy_ = true;
};

// A value whose packing fails after part of it went out.
struct poison {};
struct half_packed {
  int a = 1;
  poison b;
  MSGPACK_DEFINE_MAP(a, b);
};

class Tricky {
 public:
  half_packed half() { return {}; }
  // Dispatches another call on this thread before it packs its own argument.
  msgpack::object nested(msgpack::object keep);
  std::int64_t inc(std::int64_t x) { return x + 1; }
};

}  // namespace

namespace msgpack {
MSGPACK_API_VERSION_NAMESPACE(MSGPACK_DEFAULT_API_NS) {
  namespace adaptor {
  template <>
  struct convert<poison> {
    const msgpack::object& operator()(const msgpack::object& o, poison&) const { return o; }
  };
  template <>
  struct pack<poison> {
    template <class Stream>
    packer<Stream>& operator()(packer<Stream>&, const poison&) const {
      throw std::runtime_error("cannot pack a poison");
    }
  };
  }  // namespace adaptor
}
}  // namespace msgpack

TITAN_SERVICE(Journal, "journal", prefix, set_healthy)
TITAN_SERVICE(Tricky, "tricky", half, nested, inc)

namespace {

constexpr auto tricky_table = titan::detail::method_table<Tricky>();

}  // namespace

// Two inner calls: were they to share the outer call's zone, the first would
// clear it and the second decode over `keep`'s elements.
msgpack::object Tricky::nested(msgpack::object keep) {
  msgpack::sbuffer out;
  const char body[] = "\x91\x92\x05\x06";  // [[5, 6]]: an array, decoded into zone memory
  for (int i = 0; i < 2; ++i) (void)titan::detail::call_method(tricky_table[2], this, body, sizeof body - 1, out);
  return keep;
}

TEST_CASE("the SDK's Context reads the titan_host and logs through it", "[abi]") {
  fake_host host(std::map<std::string, std::string>{{"prefix", "acct-"}}, TITAN_LOG_INFO);
  auto ctx = titan::detail::make_plugin_context(host.abi);
  CHECK(ctx->name() == "svc-1");
  CHECK(ctx->manager_endpoint() == "ipc:///m");
  CHECK(ctx->config_value<std::string>("prefix", "u") == "acct-");
  CHECK(ctx->config_value<std::string>("missing", "u") == "u");
  ctx->logger().info("hello {}", 42);
  ctx->logger().debug("below the host's level: not even formatted");
  ctx->logger().error("bad");
  REQUIRE(host.lines.size() == 2);
  CHECK(host.lines[0] == std::make_pair(int{TITAN_LOG_INFO}, std::string("hello 42")));
  CHECK(host.lines[1] == std::make_pair(int{TITAN_LOG_ERROR}, std::string("bad")));
}

TEST_CASE("the SDK's logger follows the host's level", "[abi]") {
  fake_host quiet({}, TITAN_LOG_WARN);
  auto ctx = titan::detail::make_plugin_context(quiet.abi);
  ctx->logger().info("not wanted");
  ctx->logger().warn("wanted");
  CHECK(quiet.lines == std::vector<std::pair<int, std::string>>{{TITAN_LOG_WARN, "wanted"}});

  fake_host chatty({}, TITAN_LOG_TRACE);
  ctx = titan::detail::make_plugin_context(chatty.abi);
  ctx->logger().trace("every line");
  CHECK(chatty.lines == std::vector<std::pair<int, std::string>>{{TITAN_LOG_TRACE, "every line"}});
}

TEST_CASE("a config that is not a MessagePack map reads as empty", "[abi]") {
  fake_host host;
  host.config = "\xc1";  // not MessagePack at all
  host.abi.config = host.config.data();
  host.abi.config_size = host.config.size();
  auto ctx = titan::detail::make_plugin_context(host.abi);
  CHECK(ctx->config().type == msgpack::type::MAP);
  CHECK(ctx->config_value<int>("x", 3) == 3);
}

TEST_CASE("create gives a service its Context, destroy outlives the service with it", "[abi]") {
  static constexpr auto table = titan::detail::method_table<Journal>();
  constexpr auto d = titan::detail::make_descriptor<Journal>("1.0.0", table);
  fake_host host(std::map<std::string, std::string>{{"prefix", "p-"}});
  msgpack::sbuffer error;
  titan::detail::sbuffer_output sink(error);
  void* instance = nullptr;
  REQUIRE(d.create(&host.abi, &instance, sink.get()) == TITAN_OK);
  msgpack::sbuffer out;
  REQUIRE(titan::detail::call_method(table[0], instance, "\x90", 1, out) == status_code::ok);
  CHECK(msgpack::unpack(out.data(), out.size()).get().as<std::string>() == "p-");

  destroyed = 0;
  d.destroy(instance);
  CHECK(destroyed == 1);
  REQUIRE(host.lines.size() == 2);
  CHECK(host.lines[0].second == "started as svc-1");
  CHECK(host.lines[1] == std::make_pair(int{TITAN_LOG_WARN}, std::string("stopping")));
}

TEST_CASE("the state hooks cross the C ABI with their bytes and messages", "[abi]") {
  static constexpr auto table = titan::detail::method_table<Journal>();
  constexpr auto d = titan::detail::make_descriptor<Journal>("1.0.0", table);
  REQUIRE(d.snapshot != nullptr);
  REQUIRE(d.restore != nullptr);
  REQUIRE(d.health != nullptr);
  fake_host host;
  msgpack::sbuffer buf;
  titan::detail::sbuffer_output sink(buf);
  void* instance = nullptr;
  REQUIRE(d.create(&host.abi, &instance, sink.get()) == TITAN_OK);

  std::uint32_t version = 0;
  CHECK(d.snapshot(instance, &version, sink.get()) == TITAN_OK);
  CHECK(version == 7);
  CHECK(text_of(buf) == "state bytes");

  buf.clear();
  CHECK(d.restore(instance, 7, "x", 1, sink.get()) == TITAN_OK);
  CHECK(d.restore(instance, 2, "x", 1, sink.get()) == TITAN_FAILED_PRECONDITION);
  CHECK(text_of(buf) == "cannot read version 2");

  buf.clear();
  CHECK(d.health(instance, sink.get()) == TITAN_OK);
  msgpack::sbuffer out;
  REQUIRE(titan::detail::call_method(table[1], instance, "\x91\xc2", 2, out) == status_code::ok);  // set_healthy(false)
  CHECK(d.health(instance, sink.get()) != TITAN_OK);
  CHECK(text_of(buf) == "healthy() returned false");
  d.destroy(instance);
}

TEST_CASE("a failure after part of the result went out leaves only the message", "[abi]") {
  Tricky t;
  msgpack::sbuffer out;
  CHECK(titan::detail::call_method(tricky_table[0], &t, "\x90", 1, out) == status_code::internal);
  CHECK(text_of(out) == "cannot pack a poison");
}

TEST_CASE("a call dispatched inside another keeps the outer call's arguments intact", "[abi]") {
  Tricky t;
  msgpack::sbuffer body;
  msgpack::pack(body, std::make_tuple(std::vector<int>{1, 2, 3}));
  msgpack::sbuffer out;
  REQUIRE(titan::detail::call_method(tricky_table[1], &t, body.data(), body.size(), out) == status_code::ok);
  CHECK(msgpack::unpack(out.data(), out.size()).get().as<std::vector<int>>() == std::vector<int>{1, 2, 3});
}

TEST_CASE("the dispatch checks the body before the method runs", "[abi]") {
  Tricky t;
  msgpack::sbuffer out;
  CHECK(titan::detail::call_method(tricky_table[2], &t, "\x92\x01", 2, out) == status_code::invalid_argument);
  CHECK_THAT(text_of(out), Catch::StartsWith("bad body: "));
  CHECK(titan::detail::call_method(tricky_table[2], &t, "\x05", 1, out) == status_code::invalid_argument);
  CHECK(text_of(out) == "arguments must be an array, got uint");
  CHECK(titan::detail::call_method(tricky_table[2], &t, "\x91\x05", 2, out) == status_code::ok);
  CHECK(msgpack::unpack(out.data(), out.size()).get().as<int>() == 6);
  CHECK(titan::detail::find_method(tricky_table.data(), tricky_table.size(), "inc") == &tricky_table[2]);
  CHECK(titan::detail::find_method(tricky_table.data(), tricky_table.size(), "in") == nullptr);
}

TEST_CASE("a status the host does not know becomes UNKNOWN with its number", "[abi]") {
  const titan_method odd{"odd", 0, -1,
                         [](void*, const titan_call* call) -> std::int32_t {
                           call->out->write(call->out->handle, "teapot", 6);
                           return 418;
                         },
                         [](const titan_output*) -> std::int32_t { return TITAN_OK; }};
  msgpack::sbuffer out;
  CHECK(titan::detail::call_method(odd, nullptr, "\x90", 1, out) == status_code::unknown);
  CHECK(text_of(out) == "the method returned status 418: teapot");
}

TEST_CASE("a stream that ended throws the host's code and reason", "[abi]") {
  struct ended {
    static std::int32_t write(void*, const char*, std::size_t) { return TITAN_CANCELLED; }
    static std::int32_t read(void*, const char** item, std::size_t* size) {
      *item = nullptr;  // the input is over
      *size = 0;
      return TITAN_OK;
    }
    static std::int32_t cancelled(void*) { return 1; }
    static void reason(void*, const char** text, std::size_t* size) {
      *text = "the client cancelled the stream";
      *size = 31;
    }
  };
  const titan_stream s{sizeof(titan_stream), nullptr, &ended::write, &ended::read, &ended::cancelled, &ended::reason};
  titan::detail::stream_io io(s);
  titan::Stream<int> out(io);
  titan::Source<int> in(io);
  CHECK(out.cancelled());
  try {
    out.write(1);
    FAIL("write went through");
  } catch (const titan::Error& e) {
    CHECK(e.code() == status_code::cancelled);
    CHECK(e.message() == "the client cancelled the stream");
  }
  CHECK_FALSE(in.next().has_value());
}
