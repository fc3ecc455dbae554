// titan::Context::config_value over a msgpack config map.
#include <catch2/catch.hpp>
#include <cstdint>
#include <map>
#include <string>

#include <titan/context.hpp>
#include <titan/service.hpp>  // TITAN_SERVICE, for ctx.connect<S>()

namespace {

// A Context whose config is `T` packed; the logger is never used here.
class fake_context final : public titan::Context {
 public:
  template <class T>
  explicit fake_context(const T& config) {
    msgpack::sbuffer buf;
    msgpack::pack(buf, config);
    handle_ = msgpack::unpack(buf.data(), buf.size());
  }
  std::string_view name() const override { return "test-1"; }
  const msgpack::object& config() const override { return handle_.get(); }
  spdlog::logger& logger() const override { throw std::logic_error("no logger in this test"); }
  std::string_view manager_endpoint() const override { return {}; }

 private:
  msgpack::object_handle handle_;
};

struct sample_config {
  std::string id_prefix = "acct-";
  std::int64_t pool = 8;
  bool verbose = true;
  MSGPACK_DEFINE_MAP(id_prefix, pool, verbose);
};

}  // namespace

TEST_CASE("config_value reads present keys and falls back for absent ones", "[context]") {
  fake_context ctx(sample_config{});
  CHECK(ctx.config_value<std::string>("id_prefix", "u") == "acct-");
  CHECK(ctx.config_value<std::int64_t>("pool", 1) == 8);
  CHECK(ctx.config_value<bool>("verbose", false) == true);
  CHECK(ctx.config_value<std::string>("missing", "fallback") == "fallback");
  CHECK(ctx.config_value<int>("id", 3) == 3);  // a prefix of a key is not the key
}

TEST_CASE("config_value names the key that has the wrong type", "[context]") {
  fake_context ctx(sample_config{});
  try {
    (void)ctx.config_value<std::int64_t>("id_prefix", 0);
    FAIL("expected std::runtime_error");
  } catch (const std::runtime_error& e) {
    CHECK(std::string(e.what()) == "config key 'id_prefix' has the wrong type");
  }
  CHECK_THROWS_WITH(ctx.config_value<std::string>("pool", ""), Catch::Contains("'pool'"));
}

TEST_CASE("a config that is not a map has no keys", "[context]") {
  fake_context nil(msgpack::type::nil_t{});
  CHECK(nil.config_value<std::string>("id_prefix", "u") == "u");
  fake_context list(std::vector<std::string>{"id_prefix", "x"});
  CHECK(list.config_value<std::string>("id_prefix", "u") == "u");
}

class ContextPeer {
 public:
  int ping() { return 1; }
};
TITAN_SERVICE(ContextPeer, "context-peer", ping)

TEST_CASE("ctx.connect without a manager says it needs one", "[context]") {
  fake_context ctx(sample_config{});
  try {
    ctx.connect<ContextPeer>("other");
    FAIL("connect succeeded");
  } catch (const titan::Error& e) {
    CHECK(e.code() == titan::status_code::failed_precondition);
    CHECK_THAT(e.message(), Catch::Contains("needs a manager"));
  }
}
