// The titan.manager records on the wire (titan/manager_msgpack.hpp): each
// public struct packs with the keys PROTOCOL.md documents (and the CLI's
// --json prints), in order, with values of the right kind, and reads back
// the same. The previous version's records (MSGPACK_DEFINE_MAP mirrors in
// manager_api.hpp) read these and are read by them, so a daemon and a CLI
// one version apart still talk.
#include <catch2/catch.hpp>
#include <chrono>
#include <string>
#include <vector>

#include <titan/manager_msgpack.hpp>

#include "wire_map.hpp"

using namespace titan;
using namespace std::chrono_literals;
using test::pack;
using test::round_trip;
using test::unpack;
using test::wire_map;
using strings = std::vector<std::string>;

namespace {

// A member added to one of these structs stops this from compiling: give it
// its key in titan/manager_msgpack.hpp (or say there why it has none), add it
// to the keys checked below, then name it here.
[[maybe_unused]] void every_member_has_a_wire_form(process_info p, supervision_row t, reload_report r,
                                                   workflow_stage s, workflow_spec w, stage_report sr,
                                                   workflow_report wr) {
  [[maybe_unused]] auto& [id, group, name, service, version, build_id, plugin, endpoint, pid, state, started,
                          exit_reason, restarts, adopted, cpu_percent, rss_bytes, log_file, calls, supervisor] = p;
  [[maybe_unused]] auto& [t_name, kind, depth, parent, t_state, t_restarts, reason, t_restart_type, detail, host] = t;
  [[maybe_unused]] auto& [r_name, r_version, r_build_id, previous_version, previous_build_id, replaced, hosts,
                          state_bytes, took, switched] = r;
  [[maybe_unused]] auto& [s_name, call, depends_on, for_each, timeout, retries, backoff, compensate] = s;
  [[maybe_unused]] auto& [w_name, stages, output] = w;
  [[maybe_unused]] auto& [sr_name, sr_state, attempts, items, sr_started, started_at, ended_at, code, message,
                          sr_output, compensation_attempts, compensation_started_at, compensation_ended_at,
                          compensation_code, compensation_message] = sr;
  [[maybe_unused]] auto& [workflow, ok, failed_stage, wr_code, wr_message, wr_output, wr_stages, completed,
                          compensated, wr_started, wr_started_at, wr_ended_at] = wr;
}

process_info sample_process() {
  process_info p;
  p.id = 7;
  p.group = "compute";
  p.name = "compute-1";
  p.service = "compute";
  p.version = "1.2.0";
  p.build_id = "9e8d7c6";
  p.plugin = "/p/compute.so";
  p.endpoint = "ipc:///run/host-7.sock";
  p.pid = 4242;
  p.state = process_state::stopping;
  p.started = std::chrono::system_clock::time_point(1'700'000'000'123ms);
  p.exit_reason = "killed by SIGKILL";
  p.restarts = 3;
  p.adopted = true;
  p.cpu_percent = 12.5;
  p.rss_bytes = 1u << 20;
  p.log_file = "/logs/compute-1.log";
  p.calls = 99;
  p.supervisor = "backend";
  return p;
}

workflow_spec sample_workflow() {
  workflow_stage a;
  a.name = "extract";
  a.call = {"extract.run", workflow_value::array{"$input"}};
  a.timeout = 250ms;
  a.retries = 2;
  a.backoff = {50ms, 2.0, 800ms};
  a.compensate = workflow_call{"extract.undo", workflow_value::array{"$self"}};
  workflow_stage b;
  b.name = "load";
  b.call = {"load.run", workflow_value::array{"$extract"}};
  b.depends_on = {"extract"};
  b.for_each = "$extract.rows";
  return {"pipeline", {a, b}, workflow_value::object{{"rows", "$load"}}};
}

}  // namespace

TEST_CASE("process_info: the keys of ps, and back") {
  const process_info p = sample_process();
  const std::string bytes = pack(p);
  const wire_map w(bytes);
  CHECK(w.keys() == strings{"id", "group", "name", "service", "version", "plugin", "endpoint", "pid", "state",
                            "started_ms", "restarts", "adopted", "cpu_percent", "rss_bytes", "exit_reason",
                            "log_file", "calls", "supervisor", "build_id"});
  CHECK(w.get<std::uint64_t>("id") == 7);
  CHECK(w.get<std::string>("group") == "compute");
  CHECK(w.get<std::string>("name") == "compute-1");
  CHECK(w.get<std::int64_t>("pid") == 4242);
  CHECK(w.get<std::string>("state") == "stopping");
  CHECK(w.get<std::int64_t>("started_ms") == 1'700'000'000'123);
  CHECK(w.get<std::uint64_t>("restarts") == 3);
  CHECK(w.get<bool>("adopted"));
  CHECK(w.get<double>("cpu_percent") == 12.5);
  CHECK(w.get<std::uint64_t>("rss_bytes") == 1u << 20);
  CHECK(w.get<std::string>("exit_reason") == "killed by SIGKILL");
  CHECK(w.get<std::string>("log_file") == "/logs/compute-1.log");
  CHECK(w.get<std::uint64_t>("calls") == 99);
  CHECK(w.get<std::string>("supervisor") == "backend");
  CHECK(w.get<std::string>("build_id") == "9e8d7c6");

  const process_info back = unpack<process_info>(bytes);
  CHECK(back.state == process_state::stopping);
  CHECK(back.started == p.started);
  CHECK(back.pid == 4242);
  CHECK(pack(back) == bytes);
}

TEST_CASE("process_info: a float stays a float, so that ps --json prints 0.0") {
  process_info p;
  CHECK(wire_map(pack(p)).is_float64("cpu_percent"));
  CHECK(unpack<process_info>(test::with(pack(p), "cpu_percent", 3)).cpu_percent == 3.0);  // an integer reads too
}

TEST_CASE("supervision_row: the keys of tree, and back") {
  const supervision_row r{"compute", "pool", 2, "backend", "running", 4, "killed by SIGKILL", "permanent",
                          "x2 consistent-hash 10/60s", 9};
  const std::string bytes = pack(r);
  const wire_map w(bytes);
  CHECK(w.keys() == strings{"name", "kind", "depth", "parent", "state", "restarts", "reason", "restart_type",
                            "detail", "host"});
  CHECK(w.get<std::uint64_t>("depth") == 2);
  CHECK(w.get<std::string>("restart_type") == "permanent");
  CHECK(w.get<std::uint64_t>("host") == 9);
  const supervision_row back = unpack<supervision_row>(bytes);
  CHECK(back.detail == r.detail);
  CHECK(back.restarts == 4);
  CHECK(pack(back) == bytes);
}

TEST_CASE("reload_report: the keys of reload, durations in ms, and back") {
  const reload_report r{"kv", "2.0.0", "bbb", "1.0.0", "aaa", {2, 3}, {11, 12}, 4096, 1011ms, 9ms};
  const std::string bytes = pack(r);
  const wire_map w(bytes);
  CHECK(w.keys() == strings{"name", "version", "build_id", "previous_version", "previous_build_id", "replaced",
                            "hosts", "state_bytes", "took_ms", "switched_ms"});
  CHECK(w.get<std::vector<std::uint64_t>>("replaced") == std::vector<std::uint64_t>{2, 3});
  CHECK(w.get<std::uint64_t>("state_bytes") == 4096);
  CHECK(w.get<std::uint64_t>("took_ms") == 1011);
  CHECK(w.get<std::uint64_t>("switched_ms") == 9);
  const reload_report back = unpack<reload_report>(bytes);
  CHECK(back.took == 1011ms);
  CHECK(back.hosts == r.hosts);
  CHECK(pack(back) == bytes);
}

TEST_CASE("workflow_spec: its stages flat, as PROTOCOL.md has them, and back") {
  const workflow_spec spec = sample_workflow();
  const std::string bytes = pack(spec);
  const wire_map w(bytes);
  CHECK(w.keys() == strings{"name", "stages", "output"});
  const auto& stages = w["stages"].via.array;
  REQUIRE(stages.size == 2);
  const wire_map a(stages.ptr[0]), b(stages.ptr[1]);
  CHECK(a.keys() == strings{"name", "call", "args", "depends_on", "for_each", "timeout_ms", "retries",
                            "backoff_base_ms", "backoff_factor", "backoff_max_ms", "has_compensate", "compensate_call",
                            "compensate_args"});
  CHECK(a.get<std::string>("call") == "extract.run");
  CHECK(a.get<std::uint64_t>("timeout_ms") == 250);
  CHECK(a.get<std::uint64_t>("backoff_base_ms") == 50);
  CHECK(a.is_float64("backoff_factor"));
  CHECK(a.get<bool>("has_compensate"));
  CHECK(a.get<std::string>("compensate_call") == "extract.undo");
  CHECK(b.get<std::uint64_t>("timeout_ms") == 0);  // unset
  CHECK(!b.get<bool>("has_compensate"));
  CHECK(b.get<std::string>("compensate_call").empty());
  CHECK(b.is_nil("compensate_args"));

  const workflow_spec back = unpack<workflow_spec>(bytes);
  REQUIRE(back.stages.size() == 2);
  CHECK(back.stages[0].call.args == spec.stages[0].call.args);
  CHECK(back.stages[0].timeout == 250ms);
  CHECK(back.stages[0].backoff.max == 800ms);
  REQUIRE(back.stages[0].compensate);
  CHECK(back.stages[0].compensate->args == spec.stages[0].compensate->args);
  CHECK(!back.stages[1].timeout);
  CHECK(!back.stages[1].compensate);
  CHECK(back.stages[1].for_each == workflow_value("$extract.rows"));
  CHECK(back.output == spec.output);
  CHECK(pack(back) == bytes);
}

TEST_CASE("workflow_report: as titan run --json prints it, and back") {
  const auto t0 = std::chrono::steady_clock::now();
  workflow_report r;
  r.workflow = "pipeline";
  r.failed_stage = "load";
  r.code = status_code::resource_exhausted;
  r.message = "too many rows";
  r.completed = {"extract"};
  r.compensated = {"extract"};
  r.started_at = t0;
  r.ended_at = t0 + 6443us;
  r.stages.resize(3);
  stage_report& ran = r.stages[0];
  ran.name = "extract";
  ran.state = stage_state::compensated;
  ran.attempts = 1;
  ran.started = true;
  ran.started_at = t0 + 3us;
  ran.ended_at = t0 + 4086us;
  ran.output = workflow_value::array{1, 2};
  ran.compensation_attempts = 1;
  ran.compensation_started_at = t0 + 5ms;
  ran.compensation_ended_at = t0 + 6ms;
  stage_report& failed = r.stages[1];
  failed.name = "load";
  failed.state = stage_state::failed;
  failed.attempts = 3;
  failed.items = 2;
  failed.started = true;
  failed.started_at = t0 + 4100us;
  failed.ended_at = t0 + 4500us;
  failed.code = status_code::resource_exhausted;
  failed.message = "too many rows";
  r.stages[2].name = "report";  // skipped
  const std::string bytes = pack(r);
  const wire_map w(bytes);
  CHECK(w.keys() == strings{"workflow", "ok", "failed_stage", "error", "output", "completed", "compensated",
                            "duration_ms", "stages"});
  CHECK(w.get<std::string>("failed_stage") == "load");
  CHECK(wire_map(w["error"]).get<std::string>("code") == "RESOURCE_EXHAUSTED");
  CHECK(w.get<double>("duration_ms") == 6.443);
  CHECK(w.is_nil("output"));

  const auto& stages = w["stages"].via.array;
  REQUIRE(stages.size == 3);
  const wire_map s0(stages.ptr[0]), s1(stages.ptr[1]), s2(stages.ptr[2]);
  CHECK(s0.keys() == strings{"name", "state", "attempts", "items", "start_ms", "end_ms", "error", "output",
                             "compensation"});
  CHECK(s0.get<std::string>("state") == "compensated");
  CHECK(s0.get<double>("start_ms") == 0.003);
  CHECK(s0.is_nil("error"));
  const wire_map comp(s0["compensation"]);
  CHECK(comp.keys() == strings{"attempts", "start_ms", "end_ms", "error"});
  CHECK(comp.is_float64("end_ms"));  // 6.0, not 6
  CHECK(comp.get<double>("end_ms") == 6.0);
  CHECK(s1.is_nil("compensation"));
  CHECK(wire_map(s1["error"]).get<std::string>("message") == "too many rows");
  CHECK(s2.is_nil("start_ms"));
  CHECK(s2.is_nil("end_ms"));
  CHECK(s2.get<std::string>("state") == "skipped");

  // Read back against the steady clock's epoch: the same relative times.
  const workflow_report back = unpack<workflow_report>(bytes);
  CHECK(back.ended_at - back.started_at == 6443us);
  REQUIRE(back.stages.size() == 3);
  CHECK(back.stages[0].compensation_ended_at - back.started_at == 6ms);
  CHECK(back.stages[1].code == status_code::resource_exhausted);
  CHECK(!back.stages[2].started);
  CHECK(pack(back) == bytes);

  workflow_report fine;
  fine.ok = true;
  fine.output = 5;
  const wire_map f(pack(fine));
  CHECK(f.is_nil("failed_stage"));
  CHECK(f.is_nil("error"));
  CHECK(f.get<int>("output") == 5);
}
