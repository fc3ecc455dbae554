// Decoding records from another version and from nowhere good
// (titan/msgpack_adaptors.hpp): missing keys keep their defaults, unknown
// keys are ignored, the previous version's records read both ways, and a
// value of the wrong kind is an INVALID_ARGUMENT naming the field. Also
// the adaptors themselves: durations, time points and enums by name.
#include <catch2/catch.hpp>
#include <chrono>
#include <cstdint>
#include <limits>
#include <string>
#include <tuple>
#include <vector>

#include <titan/manager_msgpack.hpp>

#include "wire_map.hpp"

using namespace titan;
using namespace std::chrono_literals;
using namespace std::string_literals;
using test::decode_error_of;
using test::pack;
using test::round_trip;
using test::unpack;
using test::with;

namespace {

// The previous version's records, as manager_api.hpp declared them (the
// wire a daemon or CLI one version apart speaks).
namespace v0 {
struct process_record {
  std::uint64_t id = 0;
  std::string group, name, service, version, plugin, endpoint;
  std::int64_t pid = 0;
  std::string state;
  std::int64_t started_ms = 0;
  std::uint64_t restarts = 0;
  bool adopted = false;
  double cpu_percent = 0;
  std::uint64_t rss_bytes = 0;
  std::string exit_reason, log_file;
  std::uint64_t calls = 0;
  std::string supervisor, build_id;
  MSGPACK_DEFINE_MAP(id, group, name, service, version, plugin, endpoint, pid, state, started_ms, restarts, adopted,
                     cpu_percent, rss_bytes, exit_reason, log_file, calls, supervisor, build_id);
};
struct workflow_stage_record {
  std::string name, call;
  workflow_value args;
  std::vector<std::string> depends_on;
  workflow_value for_each;
  std::uint64_t timeout_ms = 0, retries = 0, backoff_base_ms = 0;
  double backoff_factor = 1;
  std::uint64_t backoff_max_ms = 0;
  bool has_compensate = false;
  std::string compensate_call;
  workflow_value compensate_args;
  MSGPACK_DEFINE_MAP(name, call, args, depends_on, for_each, timeout_ms, retries, backoff_base_ms, backoff_factor,
                     backoff_max_ms, has_compensate, compensate_call, compensate_args);
};
struct workflow_record {
  std::string name;
  std::vector<workflow_stage_record> stages;
  workflow_value output;
  MSGPACK_DEFINE_MAP(name, stages, output);
};
}  // namespace v0

// A spec whose second stage has a timeout that is not a number.
struct bad_stage {
  std::string name = "b";
  std::string timeout_ms = "soon";
  MSGPACK_DEFINE_MAP(name, timeout_ms);
};
struct bad_spec {
  std::string name = "w";
  std::tuple<workflow_stage, bad_stage> stages;
  MSGPACK_DEFINE_MAP(name, stages);
};

std::string failure(const std::optional<Error>& e) {
  REQUIRE(e);
  CHECK(e->code() == status_code::invalid_argument);
  return e->message();
}

std::string empty_map() {
  msgpack::sbuffer b;
  msgpack::packer<msgpack::sbuffer>(b).pack_map(0);
  return {b.data(), b.size()};
}

template <class E>
void check_names(std::initializer_list<E> values) {
  for (E e : values) {
    CHECK(unpack<std::string>(pack(e)) == to_string(e));
    CHECK(round_trip(e) == e);
  }
  CHECK(failure(decode_error_of<E>(pack(std::string("?")))).find("unknown") == 0);
}

}  // namespace

TEST_CASE("the previous version's process record reads as a process_info, and reads one") {
  v0::process_record old;
  old.id = 3;
  old.name = "echo";
  old.pid = 99;
  old.state = "running";
  old.started_ms = 1'700'000'000'000;
  old.cpu_percent = 1.5;
  old.build_id = "abc";
  const process_info p = unpack<process_info>(pack(old));
  CHECK(p.id == 3);
  CHECK(p.name == "echo");
  CHECK(p.pid == 99);
  CHECK(p.state == process_state::running);
  CHECK(p.started == std::chrono::system_clock::time_point(1'700'000'000'000ms));
  CHECK(p.cpu_percent == 1.5);
  CHECK(p.build_id == "abc");

  const auto back = unpack<v0::process_record>(pack(p));
  CHECK(back.state == "running");
  CHECK(back.started_ms == old.started_ms);
  CHECK(pack(back) == pack(old));
}

TEST_CASE("the previous version's workflow record reads as a workflow_spec, and reads one") {
  v0::workflow_stage_record a{"a", "svc.run", workflow_value::array{1}, {}, {}, 300, 1, 10, 3.0, 90,
                              true, "svc.undo", workflow_value::array{"$self"}};
  v0::workflow_stage_record b{"b", "svc.run", workflow_value::array{}, {"a"}, {}, 0, 0, 100, 2.0, 5000,
                              false, "", {}};
  const v0::workflow_record old{"w", {a, b}, {}};
  const workflow_spec spec = unpack<workflow_spec>(pack(old));
  REQUIRE(spec.stages.size() == 2);
  CHECK(spec.stages[0].timeout == 300ms);
  CHECK(spec.stages[0].backoff.factor == 3.0);
  REQUIRE(spec.stages[0].compensate);
  CHECK(spec.stages[0].compensate->call == "svc.undo");
  CHECK(!spec.stages[1].timeout);
  CHECK(!spec.stages[1].compensate);
  CHECK(spec.stages[1].depends_on == std::vector<std::string>{"a"});

  const auto back = unpack<v0::workflow_record>(pack(spec));
  REQUIRE(back.stages.size() == 2);
  CHECK(back.stages[0].compensate_call == "svc.undo");
  CHECK(back.stages[0].backoff_max_ms == 90);
  CHECK(back.stages[1].timeout_ms == 0);
  CHECK(!back.stages[1].has_compensate);
}

TEST_CASE("a record from another version: a missing key keeps its default, an unknown one is ignored") {
  const process_info p = unpack<process_info>(with(with(empty_map(), "id", 5), "added_later", std::vector<int>{1}));
  CHECK(p.id == 5);
  CHECK(p.state == process_state::starting);
  CHECK(p.name.empty());

  const workflow_stage s = unpack<workflow_stage>(with(empty_map(), "name", "x"s));
  const workflow_stage defaults;
  CHECK(s.name == "x");
  CHECK(s.call.args == defaults.call.args);
  CHECK(s.backoff.base == defaults.backoff.base);
  CHECK(s.backoff.factor == defaults.backoff.factor);
  CHECK(!s.compensate);

  // A key that is not a string is someone else's business.
  msgpack::sbuffer b;
  msgpack::packer<msgpack::sbuffer> packer(b);
  packer.pack_map(2);
  packer.pack(1);
  packer.pack("one");
  packer.pack("took_ms");
  packer.pack(20);
  CHECK(unpack<reload_report>(std::string(b.data(), b.size())).took == 20ms);
}

TEST_CASE("a malformed record is an INVALID_ARGUMENT that names the field") {
  const std::string p = pack(process_info{});
  CHECK(failure(decode_error_of<process_info>(with(p, "state", 5))) ==
        "process_info.state: expected the name of a process_state, got uint");
  CHECK(failure(decode_error_of<process_info>(with(p, "state", "zombie"s))) ==
        "process_info.state: unknown process_state 'zombie'");
  CHECK(failure(decode_error_of<process_info>(with(p, "pid", "x"s))) == "process_info.pid: expected int, got string");
  CHECK(failure(decode_error_of<process_info>(with(p, "started_ms", "soon"s))) ==
        "process_info.started_ms: expected integer milliseconds since the epoch, got string");
  CHECK(failure(decode_error_of<process_info>(with(p, "started_ms", std::numeric_limits<std::uint64_t>::max()))) ==
        "process_info.started_ms: expected integer milliseconds since the epoch, got a larger integer");
  CHECK(failure(decode_error_of<process_info>(with(p, "started_ms", std::int64_t(1) << 62))).find("out of range") !=
        std::string::npos);
  CHECK(failure(decode_error_of<process_info>(pack(std::vector<int>{1}))) == "process_info: expected map, got array");
  CHECK(failure(decode_error_of<reload_report>(with(pack(reload_report{}), "replaced", std::make_tuple(1, "two")))) ==
        "reload_report.replaced[1]: expected uint, got string");

  // Deeper: an element of a list of records, a map inside a record.
  CHECK(failure(decode_error_of<workflow_spec>(pack(bad_spec{}))) ==
        "workflow_spec.stages[1].timeout_ms: expected integer milliseconds, got string");
  workflow_report r;
  r.stages.resize(1);
  r.stages[0].code = status_code::internal;
  std::string bytes = pack(r);
  const auto at = bytes.find("INTERNAL");
  REQUIRE(at != std::string::npos);
  bytes.replace(at, 8, "NOTACODE");
  CHECK(failure(decode_error_of<workflow_report>(bytes)) ==
        "workflow_report.stages[0].error.code: unknown status_code 'NOTACODE'");

  // As a typed proxy sees it (its reply goes through try_convert).
  const msgpack::object_handle h = msgpack::unpack(bytes.data(), bytes.size());
  workflow_report out;
  std::string why;
  CHECK(!try_convert(h.get(), out, why));
  CHECK(why == "workflow_report.stages[0].error.code: unknown status_code 'NOTACODE'");
}

TEST_CASE("durations go as integer milliseconds, exactly") {
  CHECK(unpack<std::int64_t>(pack(1500ms)) == 1500);
  CHECK(unpack<std::int64_t>(pack(std::chrono::seconds(2))) == 2000);
  CHECK(round_trip(-40ms) == -40ms);
  CHECK(unpack<std::chrono::seconds>(pack(3000)) == std::chrono::seconds(3));
  CHECK(failure(decode_error_of<std::chrono::seconds>(pack(2500))).find("not a whole number") != std::string::npos);
  CHECK(failure(decode_error_of<std::chrono::milliseconds>(pack(1.5))) ==
        "expected integer milliseconds, got float");
}

TEST_CASE("system_clock time points go as integer milliseconds since the epoch") {
  const auto t = std::chrono::system_clock::time_point(1'700'000'000'123'456us);
  CHECK(unpack<std::int64_t>(pack(t)) == 1'700'000'000'123);
  CHECK(round_trip(t) == std::chrono::system_clock::time_point(1'700'000'000'123ms));
  CHECK(unpack<std::int64_t>(pack(std::chrono::system_clock::time_point(-1500us))) == -2);  // floor, before 1970
}

TEST_CASE("enums go by name: every value of each, and nothing else") {
  check_names({process_state::starting, process_state::running, process_state::stopping, process_state::exited});
  check_names({stage_state::skipped, stage_state::ran, stage_state::failed, stage_state::compensated,
               stage_state::compensation_failed});
  check_names({balance::round_robin, balance::least_loaded, balance::random, balance::consistent_hash});
  check_names({supervisor_strategy::one_for_one, supervisor_strategy::one_for_all, supervisor_strategy::rest_for_one});
  check_names({restart_type::permanent, restart_type::transient, restart_type::temporary});
  check_names({auto_shutdown_policy::never, auto_shutdown_policy::any_significant,
               auto_shutdown_policy::all_significant});
  check_names({child_kind::service, child_kind::pool, child_kind::supervisor});
  using ev = workflow_event::kind;
  check_names({ev::started, ev::ran, ev::failed, ev::retrying, ev::skipped, ev::compensating, ev::compensated,
               ev::compensation_failed});
  check_names({status_code::ok, status_code::cancelled, status_code::unknown, status_code::invalid_argument,
               status_code::deadline_exceeded, status_code::not_found, status_code::resource_exhausted,
               status_code::failed_precondition, status_code::unimplemented, status_code::internal,
               status_code::unavailable});
  CHECK(unpack<std::string>(pack(balance::consistent_hash)) == "consistent-hash");
}
