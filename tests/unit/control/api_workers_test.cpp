// api_workers: titan.manager calls run off the loop thread, reloads on a
// thread of their own. Replies are recorded; waits have deadlines.
#include <sys/syscall.h>
#include <unistd.h>

#include <atomic>
#include <catch2/catch.hpp>

#include "manager_support.hpp"
#include <chrono>
#include <condition_variable>
#include <filesystem>
#include <functional>
#include <future>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include <titan/status.hpp>
#include <titan/wire.hpp>

#include "control/api_workers.hpp"

using titan::detail::api_workers;
namespace wire = titan::wire;
using titan::test::poll_until;
using namespace std::chrono_literals;

namespace {

struct reply {
  std::string routing_id;
  wire::kind kind;
  std::uint64_t call_id;
  std::string body;
  std::thread::id thread;

  std::string error_code() const { return decoded_error().first; }
  std::string error_message() const { return decoded_error().second; }

 private:
  std::pair<std::string, std::string> decoded_error() const {
    msgpack::zone zone;
    std::string code, message;
    if (!wire::decode_error_body(body.data(), body.size(), zone, code, message)) return {"(not an error body)", ""};
    return {code, message};
  }
};

// Every reply the workers send, in order.
class replies {
 public:
  api_workers::reply_fn fn() {
    return [this](const std::string& rid, wire::kind k, std::uint64_t id, const std::string& body) {
      {
        std::lock_guard lock(mu_);
        got_.push_back({rid, k, id, body, std::this_thread::get_id()});
      }
      cv_.notify_all();
    };
  }
  // The reply to `call_id`; nullopt when none came within `timeout`.
  std::optional<reply> wait_for(std::uint64_t call_id, std::chrono::milliseconds timeout = 10s) {
    std::unique_lock lock(mu_);
    std::optional<reply> out;
    cv_.wait_for(lock, timeout, [&] {
      for (const auto& r : got_)
        if (r.call_id == call_id) out = r;
      return out.has_value();
    });
    return out;
  }
  bool has(std::uint64_t call_id) {
    std::lock_guard lock(mu_);
    for (const auto& r : got_)
      if (r.call_id == call_id) return true;
    return false;
  }
  std::vector<reply> all() {
    std::lock_guard lock(mu_);
    return got_;
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<reply> got_;
};

// A gate a handler waits at until the test opens it (with a deadline, so a
// failed test never leaves a worker stuck).
class gate {
 public:
  void wait() {
    std::unique_lock lock(mu_);
    entered_ = true;
    cv_.notify_all();
    cv_.wait_for(lock, 20s, [&] { return open_; });
  }
  bool wait_entered(std::chrono::milliseconds timeout = 10s) {
    std::unique_lock lock(mu_);
    return cv_.wait_for(lock, timeout, [&] { return entered_; });
  }
  void open() {
    {
      std::lock_guard lock(mu_);
      open_ = true;
    }
    cv_.notify_all();
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  bool entered_ = false;
  bool open_ = false;
};

// Opens the gate however the test ends.
struct opener {
  gate& g;
  ~opener() { g.open(); }
};

std::string echo(std::string_view method, const char* body, std::size_t size) {
  return std::string(method) + ":" + std::string(body, size);
}

}  // namespace

TEST_CASE("before serve(), a call is answered UNIMPLEMENTED at once", "[api_workers]") {
  replies r;
  api_workers w(r.fn());
  CHECK_FALSE(w.serving());
  w.submit("client-1", 7, "ps", "\x90");
  const auto all = r.all();  // no thread: answered before submit() returned
  REQUIRE(all.size() == 1);
  CHECK(all[0].routing_id == "client-1");
  CHECK(all[0].call_id == 7);
  CHECK(all[0].kind == wire::kind::error);
  CHECK(all[0].error_code() == "UNIMPLEMENTED");
  CHECK_THAT(all[0].error_message(), Catch::Contains("titan daemon"));
  CHECK(all[0].thread == std::this_thread::get_id());
}

TEST_CASE("a handler's result is the REPLY body, and it gets the method and the body", "[api_workers]") {
  replies r;
  api_workers w(r.fn());
  w.serve(echo);
  CHECK(w.serving());
  const std::string args("\x92\xa1x\x01", 4);  // ["x", 1], with a byte the handler must get as is
  w.submit("rid", 1, "spawn", args);
  auto got = r.wait_for(1);
  REQUIRE(got);
  CHECK(got->kind == wire::kind::reply);
  CHECK(got->routing_id == "rid");
  CHECK(got->body == "spawn:" + args);
  CHECK(got->thread != std::this_thread::get_id());
}

TEST_CASE("a handler's titan::Error becomes an ERROR with its code and message, anything else INTERNAL",
          "[api_workers]") {
  replies r;
  api_workers w(r.fn());
  w.serve([](std::string_view method, const char*, std::size_t) -> std::string {
    if (method == "stop") throw titan::Error(titan::status_code::not_found, "no host 42");
    if (method == "kill") throw std::runtime_error("bad signal");
    return {};
  });
  w.submit("rid", 1, "stop", "\x90");
  w.submit("rid", 2, "kill", "\x90");
  auto stop = r.wait_for(1);
  auto kill = r.wait_for(2);
  REQUIRE(stop);
  REQUIRE(kill);
  CHECK(stop->kind == wire::kind::error);
  CHECK(stop->error_code() == "NOT_FOUND");
  CHECK(stop->error_message() == "no host 42");
  CHECK(kill->kind == wire::kind::error);
  CHECK(kill->error_code() == "INTERNAL");
  CHECK(kill->error_message() == "bad signal");
}

TEST_CASE("reload runs on its own thread: a slow reload does not hold back a quick call", "[api_workers]") {
  replies r;
  gate reload_gate;
  api_workers w(r.fn());
  opener open_at_end{reload_gate};  // before w goes: its destructor joins the threads
  w.serve([&](std::string_view method, const char*, std::size_t) -> std::string {
    if (method == "reload") reload_gate.wait();
    return std::string(method);
  });

  w.submit("rid", 1, "reload", "\x90");
  REQUIRE(reload_gate.wait_entered());
  w.submit("rid", 2, "ps", "\x90");
  w.submit("rid", 3, "tree", "\x90");
  auto ps = r.wait_for(2);
  auto tree = r.wait_for(3);
  REQUIRE(ps);  // answered while the reload still runs
  REQUIRE(tree);
  CHECK_FALSE(r.has(1));

  reload_gate.open();
  auto reload = r.wait_for(1);
  REQUIRE(reload);
  CHECK(reload->body == "reload");
  CHECK(reload->thread != ps->thread);
  CHECK(ps->thread == tree->thread);  // quick calls share one thread, in order
  CHECK(reload->thread != std::this_thread::get_id());
  const auto all = r.all();
  REQUIRE(all.size() == 3);
  CHECK(all[0].call_id == 2);
  CHECK(all[1].call_id == 3);
}

TEST_CASE("quick calls run one at a time, in the order they came", "[api_workers]") {
  replies r;
  std::atomic<int> running{0};
  std::atomic<bool> overlapped{false};
  api_workers w(r.fn());
  w.serve([&](std::string_view method, const char*, std::size_t) -> std::string {
    if (++running > 1) overlapped = true;
    std::string out(method);
    --running;
    return out;
  });
  for (std::uint64_t i = 1; i <= 50; ++i) w.submit("rid", i, "m" + std::to_string(i), "\x90");
  REQUIRE(r.wait_for(50));
  const auto all = r.all();
  REQUIRE(all.size() == 50);
  for (std::uint64_t i = 0; i < 50; ++i) CHECK(all[i].call_id == i + 1);
  CHECK_FALSE(overlapped);
}

TEST_CASE("a reply that cannot be sent does not end the worker", "[api_workers]") {
  replies r;
  auto record = r.fn();
  std::atomic<int> sends{0};
  api_workers w([&](const std::string& rid, wire::kind k, std::uint64_t id, const std::string& body) {
    if (++sends == 1) throw std::runtime_error("the manager is going away");
    record(rid, k, id, body);
  });
  w.serve(echo);
  w.submit("rid", 1, "ps", "");
  w.submit("rid", 2, "ps", "");
  auto second = r.wait_for(2);
  REQUIRE(second);
  CHECK(second->body == "ps:");
  CHECK_FALSE(r.has(1));
}

TEST_CASE("stop() lets the running call finish, drops what is queued, and joins", "[api_workers]") {
  replies r;
  gate busy;
  std::atomic<long> slow_tid{0};
  std::atomic<bool> queued_ran{false};
  api_workers w(r.fn());
  opener open_at_end{busy};  // before w goes: its destructor joins the threads
  w.serve([&](std::string_view method, const char*, std::size_t) -> std::string {
    if (method == "reload") slow_tid = ::syscall(SYS_gettid);
    if (method == "busy") busy.wait();
    if (method == "queued") queued_ran = true;
    return std::string(method);
  });
  w.submit("rid", 1, "reload", "");  // to learn the reload thread's tid
  REQUIRE(r.wait_for(1));
  const auto slow_task = std::filesystem::path("/proc/self/task") / std::to_string(slow_tid.load());
  REQUIRE(std::filesystem::exists(slow_task));

  w.submit("rid", 2, "busy", "");
  REQUIRE(busy.wait_entered());
  w.submit("rid", 3, "queued", "");

  std::atomic<bool> stopped{false};
  std::thread stopper([&] {
    w.stop();
    stopped = true;
  });
  // The idle reload thread ends first: stop() has begun.
  CHECK(poll_until([&] { return !std::filesystem::exists(slow_task); }, 10s));
  CHECK_FALSE(stopped);  // still waiting for the call that runs
  CHECK_FALSE(r.has(2));

  busy.open();
  stopper.join();
  CHECK(stopped);
  CHECK(r.has(2));  // answered before stop() returned
  CHECK_FALSE(queued_ran);
  CHECK_FALSE(r.has(3));

  w.stop();  // again: harmless
}

TEST_CASE("stop() of workers that never served returns", "[api_workers]") {
  replies r;
  api_workers w(r.fn());
  w.stop();
  CHECK_FALSE(w.serving());
}
