// registry: the names clients `$watch`, with members from a fake table and
// sends recorded (a peer can be marked gone: its sends fail).
#include <algorithm>
#include <catch2/catch.hpp>
#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "registry/registry.hpp"

using titan::detail::registry;
namespace control = titan::control;
using namespace std::chrono_literals;

namespace {

struct sent {
  std::string routing_id;
  std::uint64_t call_id;
  control::membership_update update;
  std::set<std::string> keys;  // of the item's map, as sent
};

struct world {
  std::map<std::string, std::vector<control::member>> members;
  std::vector<sent> sends;      // the ones that went through
  std::set<std::string> gone;   // peers whose sends fail
  std::vector<std::string> failed;  // attempts to gone peers

  registry make() {
    return registry([this](const std::string& name) { return members[name]; },
                    [this](const std::string& rid, std::uint64_t call_id, const std::string& body) {
                      if (gone.count(rid)) {
                        failed.push_back(rid);
                        return false;
                      }
                      auto h = msgpack::unpack(body.data(), body.size());
                      auto update = control::decode_map<control::membership_update>(h.get());
                      REQUIRE(update);
                      std::set<std::string> keys;
                      for (std::uint32_t i = 0; i < h.get().via.map.size; ++i)
                        keys.insert(h.get().via.map.ptr[i].key.as<std::string>());
                      sends.push_back({rid, call_id, *update, keys});
                      return true;
                    });
  }
  std::vector<sent> to(const std::string& rid) const {
    std::vector<sent> out;
    for (const auto& s : sends)
      if (s.routing_id == rid) out.push_back(s);
    return out;
  }
};

}  // namespace

TEST_CASE("watch() sends the name's current membership at once", "[registry]") {
  world w;
  w.members["compute"] = {{3, "compute#0", "ipc:///run/host-3.sock"}, {5, "compute#1", "ipc:///run/host-5.sock"}};
  registry r = w.make();
  r.watch("client-1", 7, "compute");
  REQUIRE(w.sends.size() == 1);
  const sent& s = w.sends[0];
  CHECK(s.routing_id == "client-1");
  CHECK(s.call_id == 7);
  CHECK(s.update.name == "compute");
  CHECK(s.update.version == 0);
  REQUIRE(s.update.members.size() == 2);
  CHECK(s.update.members[0].id == 3);
  CHECK(s.update.members[0].key == "compute#0");
  CHECK(s.update.members[1].endpoint == "ipc:///run/host-5.sock");

  // A name with nothing in it yet: an empty list, still at once.
  r.watch("client-2", 1, "later");
  REQUIRE(w.sends.size() == 2);
  CHECK(w.sends[1].update.name == "later");
  CHECK(w.sends[1].update.members.empty());
}

TEST_CASE("publish() bumps the name's version and sends to its watchers only", "[registry]") {
  world w;
  w.members["compute"] = {{3, "compute#0", "ipc:///a"}};
  registry r = w.make();
  r.watch("c1", 1, "compute");
  r.watch("c2", 2, "compute");
  r.watch("c3", 3, "other");
  w.sends.clear();

  w.members["compute"].push_back({4, "compute#1", "ipc:///b"});
  r.publish("compute");
  REQUIRE(w.sends.size() == 2);
  for (const auto& s : w.sends) {
    CHECK(s.routing_id != "c3");
    CHECK(s.update.version == 1);
    CHECK(s.update.members.size() == 2);  // the whole list as it is now, not a diff
  }
  CHECK(w.to("c1").at(0).call_id == 1);
  CHECK(w.to("c2").at(0).call_id == 2);

  r.publish("compute");
  CHECK(w.to("c1").back().update.version == 2);
  CHECK(w.to("c3").empty());

  r.publish("other");
  REQUIRE(w.to("c3").size() == 1);
  CHECK(w.to("c3")[0].update.version == 1);  // versions are per name
  CHECK(r.membership("compute").version == 2);

  // A late watcher starts at the current version.
  r.watch("c4", 9, "compute");
  CHECK(w.to("c4").at(0).update.version == 2);
}

TEST_CASE("the call timeout is announced once it is set", "[registry]") {
  world w;
  registry r = w.make();
  r.watch("c1", 1, "svc");
  REQUIRE(w.sends.size() == 1);
  CHECK_FALSE(w.sends[0].update.call_timeout_ms);
  CHECK(w.sends[0].keys.count("call_timeout_ms") == 0);  // left out, not nil

  r.set_call_timeout("svc", 2500ms);
  r.publish("svc");
  REQUIRE(w.sends.size() == 2);
  REQUIRE(w.sends[1].update.call_timeout_ms);
  CHECK(*w.sends[1].update.call_timeout_ms == 2500);
  CHECK(*r.membership("svc").call_timeout_ms == 2500);
  CHECK_FALSE(r.membership("another").call_timeout_ms);

  // A new watcher hears it in its first item.
  r.watch("c2", 5, "svc");
  REQUIRE(w.to("c2").size() == 1);
  CHECK(w.to("c2")[0].update.call_timeout_ms == std::optional<std::uint64_t>(2500));
}

TEST_CASE("unwatch() stops the sends of that watch only", "[registry]") {
  world w;
  registry r = w.make();
  r.watch("c1", 1, "svc");
  r.watch("c1", 2, "svc");  // the same peer, a second call
  r.watch("c2", 1, "svc");  // another peer, the same call id
  w.sends.clear();

  r.unwatch("c1", 1);
  r.unwatch("c9", 1);  // unknown: harmless
  r.publish("svc");
  REQUIRE(w.sends.size() == 2);
  CHECK(w.to("c1").size() == 1);
  CHECK(w.to("c1")[0].call_id == 2);
  CHECK(w.to("c2").size() == 1);

  r.unwatch("c1", 2);
  r.unwatch("c2", 1);
  w.sends.clear();
  r.publish("svc");
  CHECK(w.sends.empty());
}

TEST_CASE("a send that fails (the peer is gone) drops every watch of that peer", "[registry]") {
  world w;
  registry r = w.make();
  r.watch("c1", 1, "a");
  r.watch("c1", 2, "b");
  r.watch("c2", 3, "a");
  r.watch("c2", 4, "b");
  w.sends.clear();

  w.gone.insert("c1");
  r.publish("a");  // fails for c1
  CHECK(w.to("c2").size() == 1);
  REQUIRE(std::count(w.failed.begin(), w.failed.end(), "c1") >= 1);

  // Its watch of "b" went with it: nothing more is tried for c1.
  w.failed.clear();
  r.publish("b");
  r.publish("a");
  CHECK(w.failed.empty());
  CHECK(w.to("c2").size() == 3);

  // Back under the same routing id, it is a new client: nothing of the old one remains.
  w.gone.clear();
  r.publish("a");
  r.publish("b");
  CHECK(w.to("c1").empty());
}

TEST_CASE("a watch whose first send fails is dropped at once", "[registry]") {
  world w;
  registry r = w.make();
  r.watch("c1", 1, "a");
  w.gone.insert("c1");
  r.watch("c1", 2, "b");  // its first item fails: c1 is gone, both watches go
  REQUIRE(w.failed.size() == 1);
  w.gone.clear();
  w.sends.clear();
  r.publish("a");
  r.publish("b");
  CHECK(w.sends.empty());
}

TEST_CASE("known(): a name that has had a membership change", "[registry]") {
  world w;
  registry r = w.make();
  CHECK_FALSE(r.known("svc"));
  r.watch("c1", 1, "svc");  // watching a name does not take it
  CHECK_FALSE(r.known("svc"));
  r.set_call_timeout("svc", 1s);
  CHECK_FALSE(r.known("svc"));
  r.publish("svc");
  CHECK(r.known("svc"));
  CHECK_FALSE(r.known("other"));
  r.publish("svc");
  CHECK(r.known("svc"));
}
