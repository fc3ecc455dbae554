// The records of the titan.manager API (PROTOCOL.md §9) are the public
// structs themselves: process_info, supervision_row, reload_report and
// workflow_spec, plus the workflow_report that `titan run --json` prints.
// Each is described once here, with the keys the wire has always had:
// manager_api packs them, and the titan CLI reads them and prints them as
// JSON, through these descriptions alone (titan/msgpack_adaptors.hpp says
// how: missing keys keep their defaults, unknown keys are ignored).
// tests/unit/manager_msgpack_test.cpp pins every key.
//
// Kept out of process_manager.hpp and workflow.hpp: their includers need no
// MessagePack adaptors. Include it (or titan/manager_api.hpp) to pack or
// unpack any of these.
#pragma once

#include <chrono>
#include <cmath>
#include <vector>

#include "titan/msgpack_adaptors.hpp"
#include "titan/process_manager.hpp"
#include "titan/supervisor_spec.hpp"
#include "titan/wire_field.hpp"
#include "titan/workflow.hpp"
#include "titan/workflow_msgpack.hpp"

namespace titan {

template <>
inline constexpr bool wire_enum<process_state> = true;
template <>
inline constexpr bool wire_enum<stage_state> = true;
template <>
inline constexpr bool wire_enum<workflow_event::kind> = true;
template <>
inline constexpr bool wire_enum<supervisor_strategy> = true;
template <>
inline constexpr bool wire_enum<restart_type> = true;
template <>
inline constexpr bool wire_enum<auto_shutdown_policy> = true;
template <>
inline constexpr bool wire_enum<child_kind> = true;

// ps, spawn, pool, scale: one host.
template <>
struct wire_record<process_info> {
  template <class V, class P>
  static void fields(V& v, P& p) {
    v("id", p.id);
    v("group", p.group);
    v("name", p.name);
    v("service", p.service);
    v("version", p.version);
    v("plugin", p.plugin);
    v("endpoint", p.endpoint);
    v("pid", p.pid);
    v("state", p.state);
    v("started_ms", p.started);  // since the epoch
    v("restarts", p.restarts);
    v("adopted", p.adopted);
    v("cpu_percent", p.cpu_percent);
    v("rss_bytes", p.rss_bytes);
    v("exit_reason", p.exit_reason);
    v("log_file", p.log_file);
    v("calls", p.calls);
    v("supervisor", p.supervisor);
    v("build_id", p.build_id);
  }
};

// tree: one line of a supervision tree.
template <>
struct wire_record<supervision_row> {
  template <class V, class R>
  static void fields(V& v, R& r) {
    v("name", r.name);
    v("kind", r.kind);
    v("depth", r.depth);
    v("parent", r.parent);
    v("state", r.state);
    v("restarts", r.restarts);
    v("reason", r.reason);
    v("restart_type", r.restart_type);
    v("detail", r.detail);
    v("host", r.host);
  }
};

// reload: what a hot reload did.
template <>
struct wire_record<reload_report> {
  template <class V, class R>
  static void fields(V& v, R& r) {
    v("name", r.name);
    v("version", r.version);
    v("build_id", r.build_id);
    v("previous_version", r.previous_version);
    v("previous_build_id", r.previous_build_id);
    v("replaced", r.replaced);
    v("hosts", r.hosts);
    v("state_bytes", r.state_bytes);
    v("took_ms", r.took);
    v("switched_ms", r.switched);
  }
};

// workflow: a stage, flat as PROTOCOL.md documents it: the call's parts and
// the backoff's side by side, durations in ms (0 = unset), compensate_*
// meaningful when has_compensate. The backoff's reset_after is not used by
// workflows and not sent.
template <>
struct wire_record<workflow_stage> {
  template <class V, class S>
  static void fields(V& v, S& s) {
    v("name", s.name);
    v("call", s.call.call);
    v("args", s.call.args);
    v("depends_on", s.depends_on);
    v("for_each", s.for_each);
    v("timeout_ms", wire_field::zero_when_unset(s.timeout));
    v("retries", s.retries);
    v("backoff_base_ms", s.backoff.base);
    v("backoff_factor", s.backoff.factor);
    v("backoff_max_ms", s.backoff.max);
    v("has_compensate", wire_field::engaged(s.compensate));  // before the two it makes meaningful
    v("compensate_call", wire_field::member_when_engaged(s.compensate, &workflow_call::call));
    v("compensate_args", wire_field::member_when_engaged(s.compensate, &workflow_call::args));
  }
};

template <>
struct wire_record<workflow_spec> {
  template <class V, class S>
  static void fields(V& v, S& s) {
    v("name", s.name);
    v("stages", s.stages);
    v("output", s.output);
  }
};

namespace detail {

// A report's times are steady-clock ones, which mean nothing in another
// process: the wire has milliseconds from the run's start (to the
// microsecond), and reading sets them from the origin at hand.
template <class T>
struct ms_from_t {
  const std::chrono::steady_clock::time_point& origin;
  T& at;
  template <class S>
  void wire_pack(msgpack::packer<S>& p) const {
    const auto us = std::chrono::duration_cast<std::chrono::microseconds>(at - origin).count();
    pack_float64(p, std::round(static_cast<double>(us)) / 1000.0);
  }
  void wire_read(const msgpack::object& o) const {
    using clock_duration = std::chrono::steady_clock::duration;
    double ms = 0;
    read_value(o, ms);
    const double limit = std::chrono::duration<double, std::milli>(clock_duration::max()).count() / 2;
    if (!(std::abs(ms) < limit)) throw decode_error({}, {}, "milliseconds out of range");
    // To the nearest tick: 6.443 ms is 6443 us again, not 6442.999...
    at = origin + std::chrono::round<clock_duration>(std::chrono::duration<double, std::milli>(ms));
  }
};
template <class T>
ms_from_t<T> ms_from(const std::chrono::steady_clock::time_point& origin, T& at) {
  return {origin, at};
}

// A stage's start or end: nil when it never started.
template <class B, class T>
struct ms_if_started_t {
  B& started;
  ms_from_t<T> ms;
  template <class S>
  void wire_pack(msgpack::packer<S>& p) const {
    started ? ms.wire_pack(p) : void(p.pack_nil());
  }
  void wire_read(const msgpack::object& o) const {
    if (o.type == msgpack::type::NIL) return;
    ms.wire_read(o);
    started = true;
  }
};
template <class B, class T>
ms_if_started_t<B, T> ms_if_started(B& started, const std::chrono::steady_clock::time_point& origin, T& at) {
  return {started, {origin, at}};
}

// A stage's fields, its times from `origin` (its run's start).
template <class V, class S>
void stage_fields(V& v, S& s, const std::chrono::steady_clock::time_point& origin);

// A stage's compensation: nil unless it was compensated (or tried to be).
template <class S>
struct compensation_t {
  const std::chrono::steady_clock::time_point& origin;
  S& stage;
  template <class V>
  void fields(V& v) const {
    v("attempts", stage.compensation_attempts);
    v("start_ms", ms_from(origin, stage.compensation_started_at));
    v("end_ms", ms_from(origin, stage.compensation_ended_at));
    v("error", wire_field::error_or_nil(stage.compensation_code, stage.compensation_message));
  }
  template <class P>
  void wire_pack(msgpack::packer<P>& p) const {
    if (stage.state == stage_state::compensated || stage.state == stage_state::compensation_failed)
      pack_fields(p, [this](auto& v) { fields(v); });
    else
      p.pack_nil();
  }
  void wire_read(const msgpack::object& o) const {
    if (o.type != msgpack::type::NIL) read_fields(o, "compensation", [this](auto& v) { fields(v); });
  }
};
template <class S>
compensation_t<S> compensation_of(const std::chrono::steady_clock::time_point& origin, S& stage) {
  return {origin, stage};
}

// A run's stages, their times from the run's start.
template <class Stages>
struct stages_from_t {
  const std::chrono::steady_clock::time_point& origin;
  Stages& stages;
  template <class P>
  void wire_pack(msgpack::packer<P>& p) const {
    p.pack_array(static_cast<std::uint32_t>(stages.size()));
    for (auto& s : stages) pack_fields(p, [&](auto& v) { stage_fields(v, s, origin); });
  }
  void wire_read(const msgpack::object& o) const {
    read_elements(o, stages, [this](const msgpack::object& e, stage_report& s) {
      read_fields(e, "stage_report", [&](auto& v) { stage_fields(v, s, origin); });
    });
  }
};
template <class Stages>
stages_from_t<Stages> stages_from(const std::chrono::steady_clock::time_point& origin, Stages& stages) {
  return {origin, stages};
}

template <class V, class S>
void stage_fields(V& v, S& s, const std::chrono::steady_clock::time_point& origin) {
  v("name", s.name);
  v("state", s.state);
  v("attempts", s.attempts);
  v("items", s.items);
  v("start_ms", ms_if_started(s.started, origin, s.started_at));
  v("end_ms", ms_if_started(s.started, origin, s.ended_at));
  v("error", wire_field::error_or_nil(s.code, s.message));
  v("output", s.output);
  v("compensation", compensation_of(origin, s));
}

}  // namespace detail

// A run's report, as `titan run --json` prints it: times in ms from the
// run's start (steady clock), errors as {code, message} or nil, a stage's
// compensation nil unless it was compensated. `started` (the wall clock) is
// not sent; a report read back starts at the steady clock's epoch.
template <>
struct wire_record<workflow_report> {
  template <class V, class R>
  static void fields(V& v, R& r) {
    v("workflow", r.workflow);
    v("ok", r.ok);
    v("failed_stage", wire_field::nil_when_empty(r.failed_stage));
    v("error", wire_field::error_or_nil(r.code, r.message));
    v("output", r.output);
    v("completed", r.completed);
    v("compensated", r.compensated);
    v("duration_ms", detail::ms_from(r.started_at, r.ended_at));
    v("stages", detail::stages_from(r.started_at, r.stages));
  }
};

// A stage alone: its times from the steady clock's epoch.
template <>
struct wire_record<stage_report> {
  template <class V, class S>
  static void fields(V& v, S& s) {
    static constexpr std::chrono::steady_clock::time_point epoch{};
    detail::stage_fields(v, s, epoch);
  }
};

}  // namespace titan
