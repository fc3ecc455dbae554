// event_loop: work handed to a loop thread. The test drives a tiny loop of
// its own, as manager_core does: poll wake_fd, clear_wake, run_queued.
#include <poll.h>

#include <atomic>
#include <catch2/catch.hpp>
#include <chrono>
#include <condition_variable>
#include <future>
#include <mutex>
#include <stdexcept>
#include <thread>
#include <vector>

#include <titan/status.hpp>

#include "expect_error.hpp"
#include "loop/event_loop.hpp"

using titan::detail::event_loop;
using namespace std::chrono_literals;

namespace {

bool readable(int fd) {
  pollfd p{fd, POLLIN, 0};
  return ::poll(&p, 1, 0) == 1 && (p.revents & POLLIN);
}

// A loop thread for `el`, until destroyed.
class test_loop {
 public:
  explicit test_loop(event_loop& el) : el_(el) {
    std::promise<std::thread::id> started;
    auto id = started.get_future();
    thread_ = std::thread([this, &started] {
      el_.set_loop_thread(std::this_thread::get_id());  // before anyone calls run()
      started.set_value(std::this_thread::get_id());
      while (!el_.stopping()) {
        pollfd p{el_.wake_fd(), POLLIN, 0};
        ::poll(&p, 1, -1);
        if (p.revents & POLLIN) el_.clear_wake();
        el_.run_queued();
      }
    });
    id_ = id.get();
  }
  ~test_loop() {
    el_.stop();
    thread_.join();
  }
  std::thread::id id() const { return id_; }

 private:
  event_loop& el_;
  std::thread thread_;
  std::thread::id id_;
};

// When a run() that should return at once blocks instead, runs what is
// queued once a deadline passed (and from then on until finish()), so that
// the test fails instead of hanging.
class rescuer {
 public:
  explicit rescuer(event_loop& el)
      : thread_([this, &el] {
          std::unique_lock lock(mu_);
          std::chrono::milliseconds wait = 10s;
          while (!cv_.wait_for(lock, wait, [this] { return done_; })) {
            rescued_ = true;
            wait = 10ms;
            lock.unlock();
            el.run_queued();
            lock.lock();
          }
        }) {}
  ~rescuer() { finish(); }
  // True when it had to step in.
  bool finish() {
    {
      std::lock_guard lock(mu_);
      done_ = true;
    }
    cv_.notify_all();
    if (thread_.joinable()) thread_.join();
    return rescued_;
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  bool done_ = false;
  bool rescued_ = false;
  std::thread thread_;
};

}  // namespace

TEST_CASE("run() from another thread runs the function on the loop thread and waits for it", "[event_loop]") {
  event_loop el;
  test_loop loop(el);
  CHECK_FALSE(el.on_loop_thread());

  std::thread::id ran_on;
  bool on_loop = false;
  el.run([&] {
    ran_on = std::this_thread::get_id();
    on_loop = el.on_loop_thread();
  });
  CHECK(ran_on == loop.id());  // written there, read here: run() returned after it ran
  CHECK(ran_on != std::this_thread::get_id());
  CHECK(on_loop);
}

TEST_CASE("run() propagates the function's exception to its caller", "[event_loop]") {
  event_loop el;
  test_loop loop(el);

  auto e = titan::test::expect_error([&] {
    el.run([] { throw titan::Error(titan::status_code::not_found, "no such host 7"); });
  });
  REQUIRE(e);
  CHECK(e->code() == titan::status_code::not_found);
  CHECK(e->message() == "no such host 7");

  CHECK_THROWS_WITH(el.run([] { throw std::logic_error("not titan's"); }), "not titan's");

  // The loop goes on.
  int n = 0;
  el.run([&] { n = 42; });
  CHECK(n == 42);
}

TEST_CASE("run() on the loop thread runs the function at once", "[event_loop]") {
  SECTION("the calling thread is the loop") {
    event_loop el;
    el.set_loop_thread(std::this_thread::get_id());
    REQUIRE(el.on_loop_thread());
    rescuer rescue(el);
    std::thread::id ran_on;
    el.run([&] { ran_on = std::this_thread::get_id(); });
    CHECK(ran_on == std::this_thread::get_id());
    CHECK_FALSE(readable(el.wake_fd()));  // nothing was queued, nobody woken
    CHECK_THROWS_WITH(el.run([] { throw std::runtime_error("at once"); }), "at once");
    CHECK_FALSE(rescue.finish());
  }
  SECTION("a function that runs on the loop calls run() again") {
    event_loop el;
    test_loop loop(el);
    rescuer rescue(el);
    std::thread::id inner_on;
    bool inner_done_first = false;
    el.run([&] {
      bool inner = false;
      el.run([&] {
        inner_on = std::this_thread::get_id();
        inner = true;
      });
      inner_done_first = inner;
    });
    CHECK_FALSE(rescue.finish());
    CHECK(inner_done_first);
    CHECK(inner_on == loop.id());
  }
}

TEST_CASE("run() from many threads: each function runs once, on the loop, before its run() returns", "[event_loop]") {
  event_loop el;
  test_loop loop(el);
  int total = 0;  // touched by the loop thread only
  bool all_on_loop = true;
  std::vector<std::thread> callers;
  std::atomic<int> late{0};
  for (int t = 0; t < 4; ++t)
    callers.emplace_back([&] {
      for (int i = 0; i < 200; ++i) {
        bool ran = false;
        el.run([&] {
          ++total;
          all_on_loop = all_on_loop && el.on_loop_thread();
          ran = true;
        });
        if (!ran) ++late;
      }
    });
  for (auto& c : callers) c.join();
  int seen = 0;
  el.run([&] { seen = total; });
  CHECK(seen == 800);
  CHECK(all_on_loop);
  CHECK(late == 0);
}

TEST_CASE("wake() makes wake_fd readable until clear_wake()", "[event_loop]") {
  event_loop el;
  REQUIRE(el.wake_fd() >= 0);
  CHECK_FALSE(readable(el.wake_fd()));
  el.wake();
  el.wake();
  CHECK(readable(el.wake_fd()));
  el.clear_wake();
  CHECK_FALSE(readable(el.wake_fd()));
  el.clear_wake();  // nothing to clear: harmless (non-blocking)
  CHECK_FALSE(readable(el.wake_fd()));
}

TEST_CASE("stop() makes stopping() true and wakes the loop", "[event_loop]") {
  event_loop el;
  CHECK_FALSE(el.stopping());
  el.stop();
  CHECK(el.stopping());
  CHECK(readable(el.wake_fd()));
}
