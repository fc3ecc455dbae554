// The wf_step service: a test plugin for the workflow tests. Each method is
// a step a workflow may call: it passes a value through, fails on demand or
// the first N times, sleeps, or meets other calls; and it writes one line
// per event to a journal shared by every host of a test:
//   "EVENT TAG HOST PID NS"   EVENT: start, end, undo, fail, try
// HOST is the instance name, NS steady_clock (CLOCK_MONOTONIC, the same for
// every process of the machine) in nanoseconds. The journal gives the order
// in which hosts ran steps without any timing assumption.
//
// Config keys:
//   journal = "PATH"   an existing file to append to (the test creates it);
//                      rendezvous files (meet) go to its directory
// Safe to run with --concurrency N.
#pragma once

#include <cstdint>
#include <map>
#include <mutex>
#include <string>

#include <titan/titan.hpp>

// Any MessagePack value, passed through untouched.
struct any_value {
  msgpack::object_handle value;
};

namespace msgpack {
MSGPACK_API_VERSION_NAMESPACE(MSGPACK_DEFAULT_API_NS) {
  namespace adaptor {
  template <>
  struct convert<any_value> {
    const msgpack::object& operator()(const msgpack::object& o, any_value& v) const {
      auto zone = std::make_unique<msgpack::zone>();
      msgpack::object copy(o, *zone);
      v.value = msgpack::object_handle(copy, std::move(zone));
      return o;
    }
  };
  template <>
  struct pack<any_value> {
    template <class Stream>
    msgpack::packer<Stream>& operator()(msgpack::packer<Stream>& p, const any_value& v) const {
      return p.pack(v.value.get());
    }
  };
  }  // namespace adaptor
}  // MSGPACK_API_VERSION_NAMESPACE(MSGPACK_DEFAULT_API_NS)
}  // namespace msgpack

struct Square {
  std::int64_t x = 0;
  std::int64_t square = 0;
  std::string host;  // the instance name of the host that computed it
  std::int64_t pid = 0;
  MSGPACK_DEFINE_MAP(x, square, host, pid);
};

class WfStepService {
 public:
  explicit WfStepService(titan::Context& ctx);

  // Journals "start TAG" and "end TAG"; returns `value`.
  any_value run(std::string tag, any_value value);
  // A compensation: journals "undo TAG"; returns `value`.
  any_value undo(std::string tag, any_value value);
  // Journals "fail TAG", then fails with `code` (a wire name: "INTERNAL", ...).
  any_value fail(std::string tag, std::string code);
  // Journals "try KEY"; the first `failures` calls with this key (in this
  // host) fail with UNAVAILABLE, later ones return `value`.
  any_value flaky(std::string key, std::int64_t failures, any_value value);
  // Journals "start TAG", sleeps `ms`, journals "end TAG"; returns `value`.
  any_value sleep(std::string tag, std::int64_t ms, any_value value);
  // A rendezvous: journals "start TAG", then polls until `n` calls of
  // `group` (in any host of the test) have arrived, journals "end TAG" and
  // returns true; DEADLINE_EXCEEDED after `timeout_ms` if they never do.
  // Calls that meet cannot have run one after the other.
  bool meet(std::string tag, std::string group, std::int64_t n, std::int64_t timeout_ms);
  // Journals "start TAG", polls until the file NAME exists in the
  // journal's directory (a test creates it, e.g. from a progress callback),
  // journals "end TAG" and returns true; DEADLINE_EXCEEDED after `timeout_ms`.
  bool await(std::string tag, std::string name, std::int64_t timeout_ms);
  // x * x, and which host computed it; journals "start TAG" with TAG "sq-X".
  Square square(std::int64_t x);

 private:
  void journal(const std::string& event, const std::string& tag) const;

  std::string name_;
  std::string journal_;
  std::mutex mu_;
  std::map<std::string, std::int64_t> tries_;  // flaky: calls per key
};

TITAN_SERVICE(WfStepService, "wf_step", run, undo, fail, flaky, sleep, meet, await, square)
