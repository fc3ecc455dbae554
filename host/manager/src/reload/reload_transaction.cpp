#include "reload/reload_transaction.hpp"

#include <signal.h>

#include <spdlog/spdlog.h>

#include "loop/event_loop.hpp"
#include "process/host_table.hpp"
#include "process/ready_wait.hpp"
#include "registry/registry.hpp"
#include "supervision/supervision.hpp"
#include "titan/client.hpp"
#include "titan/control.hpp"

namespace titan::detail {
namespace {

using clock = std::chrono::steady_clock;

std::chrono::milliseconds since(clock::time_point t) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(clock::now() - t);
}

Client host_client(const std::string& endpoint, std::chrono::milliseconds timeout) {
  client_options o;
  o.timeout = timeout;
  return Client::connect(endpoint, o);
}

}  // namespace

reload_transaction::reload_transaction(event_loop& loop, host_table& hosts, registry& names, supervision& engine,
                                       spdlog::logger& log)
    : loop_(loop), hosts_(hosts), names_(names), engine_(engine), log_(log) {}

reload_report reload_transaction::run(const std::string& name, const reload_options& opts) {
  const auto started = clock::now();
  std::vector<reload_target> targets;
  reload_report report;
  report.name = name;
  loop_.run([&] {
    if (hosts_.closed()) throw Error(status_code::failed_precondition, "the process manager has been shut down");
    targets = engine_.reload_targets(name);
    engine_.set_reloading(targets, true);
    if (host_record* r = hosts_.find(targets.front().host)) {
      report.previous_version = r->info.version;
      report.previous_build_id = r->info.build_id;
    }
  });
  const std::string plugin = opts.plugin.empty() ? targets.front().host_spec.plugin : opts.plugin;
  log_.info("reload of {}: {} host(s) to {}", name, targets.size(), plugin);
  std::vector<step> steps;
  try {
    for (const auto& t : targets) {
      steps.emplace_back();
      steps.back().target = t;
      replace_one(steps.back(), plugin, opts);
    }
    report.switched = since(started);
    await_probation(steps, opts);
  } catch (const Error& e) {
    log_.error("reload of {} failed, rolling back: {}", name, e.message());
    roll_back(steps);
    loop_.run([&] { engine_.set_reloading(targets, false); });
    throw Error(status_code::failed_precondition, "reload of '" + name + "' rolled back: " + e.message() +
                                                      "; the old version (" + report.previous_version +
                                                      ") keeps serving");
  }
  const std::vector<std::uint64_t> stopped = commit(steps, plugin, name, plugin != targets.front().host_spec.plugin);
  for (const auto& s : steps) {
    report.replaced.push_back(s.target.host);
    report.hosts.push_back(s.spare);
    report.state_bytes += s.state_bytes;
  }
  if (auto l = hosts_.get(steps.front().spare)) {
    report.version = l->info.version;
    report.build_id = l->info.build_id;
  }
  await_exit(stopped);
  report.took = since(started);
  log_.info("reload of {} done in {} ms: {} -> {}", name, report.took.count(), report.previous_version, report.version);
  return report;
}

void reload_transaction::replace_one(step& s, const std::string& plugin, const reload_options& opts) {
  const reload_target& t = s.target;
  std::future<process_info> ready;
  bool old_stateful = false;
  std::string old_service;
  loop_.run([&] {
    host_record* old = hosts_.find(t.host);
    if (old == nullptr || !old->alive()) throw Error(status_code::unavailable, t.name + "'s host exited during the reload");
    s.old_endpoint = old->info.endpoint;
    old_stateful = old->stateful;
    old_service = old->info.service;
    if (hosts_.closed()) throw Error(status_code::failed_precondition, "the process manager is shutting down");
    // A host like the target's, on `plugin`, out of the membership.
    host_request r{t.host_spec, t.name, t.group, t.slot, t.supervisor, t.restarts};
    host_record& spare = hosts_.start(plugin, hosts_.options_for(r), t.group, t.slot);
    spare.unlisted = true;
    spare.max_memory = t.host_spec.max_memory;  // judged by its limit from READY on
    spare.ready.emplace();
    ready = spare.ready->get_future();
    hosts_.set_restarts(spare, t.restarts, t.supervisor);  // list() shows whose child it is
    s.spare = spare.info.id;
  });

  // 1. The new host starts: the plugin loads, its constructor runs.
  process_info info;
  try {
    info = await_ready(ready, t.host_spec.ready_timeout, loop_, hosts_, s.spare, "the new host");
  } catch (const Error& e) {
    throw Error(status_code::failed_precondition, "the new version of " + t.name + " could not start: " + e.message());
  }
  if (info.service != old_service)
    throw Error(status_code::failed_precondition, plugin + " serves '" + info.service + "', not '" + old_service + "'");

  // 2. Its first health check.
  check_health(s, info.endpoint);
  // 3. Hand over, then switch.
  hand_over(s, info.endpoint, old_stateful, opts);
  log_.info("reload of {}: host {} took over from host {} ({} bytes of state)", t.name, s.spare, t.host, s.state_bytes);
}

void reload_transaction::check_health(const step& s, const std::string& endpoint) {
  const std::string& name = s.target.name;
  Client spare = host_client(endpoint, std::chrono::milliseconds(5000));
  try {
    auto reply = spare.call("$health").get();
    const auto health = control::decode_map<control::health_report>(reply.get());
    if (!health) throw Error(status_code::internal, "a malformed $health reply");
    if (health->status != "SERVING")
      throw Error(status_code::failed_precondition,
                  "the new version of " + name + " failed its first health check: " + health->status +
                      (health->reason && !health->reason->empty() ? " (" + *health->reason + ")" : ""));
  } catch (const Error& e) {
    if (e.code() == status_code::failed_precondition) throw;
    throw Error(status_code::failed_precondition,
                "the new version of " + name + " did not answer its first health check: " + e.message());
  }
}

// A stateful old host stops taking calls first, so that its snapshot is
// final; clients hold what it refuses until the switch. A stateless one is
// switched first, so that its calls never pause.
void reload_transaction::hand_over(step& s, const std::string& spare_endpoint, bool old_stateful,
                                   const reload_options& opts) {
  const std::string& name = s.target.name;
  Client old = host_client(s.old_endpoint, opts.handover_timeout);
  if (!old_stateful) switch_membership(s);
  s.frozen = true;
  msgpack::object_handle snap;
  try {
    snap = old.call("$snapshot").get();
  } catch (const Error& e) {
    throw Error(status_code::failed_precondition, name + "'s old host did not hand over: " + e.message());
  }
  if (snap.get().type == msgpack::type::MAP) {
    for (const auto& kv : snap.get().via.map)
      if (kv.val.type == msgpack::type::BIN) s.state_bytes = kv.val.via.bin.size;
    msgpack::sbuffer body;
    msgpack::packer<msgpack::sbuffer> p(body);
    p.pack_array(1);
    p.pack(snap.get());
    try {
      host_client(spare_endpoint, opts.handover_timeout).call_packed("$restore", body.data(), body.size()).get();
    } catch (const Error& e) {
      throw Error(status_code::failed_precondition, "the new version of " + name + " refused the state: " + e.message());
    }
  }
  if (!s.switched) switch_membership(s);
}

void reload_transaction::switch_membership(step& s) {
  loop_.run([&] {
    host_record* spare = hosts_.find(s.spare);
    host_record* old = hosts_.find(s.target.host);
    if (spare == nullptr || !spare->alive()) throw Error(status_code::unavailable, "the new host exited before it took over");
    spare->unlisted = false;
    if (old != nullptr) old->unlisted = true;
    names_.publish(s.target.group);
  });
  s.switched = true;
}

void reload_transaction::await_probation(const std::vector<step>& steps, const reload_options& opts) {
  const auto until = clock::now() + opts.probation;
  for (;;) {
    for (const auto& s : steps) {
      if (std::string why = hosts_.exit_of(s.spare); !why.empty())
        throw Error(status_code::failed_precondition,
                    "the new version of " + s.target.name + " died within the probation window: " + why);
      if (std::string why = hosts_.exit_of(s.target.host); !why.empty())
        throw Error(status_code::unavailable, s.target.name + "'s old host exited during the reload: " + why);
    }
    if (clock::now() >= until) return;
    hosts_.wait_any_exit(std::min(until, clock::now() + std::chrono::milliseconds(50)));
  }
}

std::vector<std::uint64_t> reload_transaction::commit(const std::vector<step>& steps, const std::string& plugin,
                                                      const std::string& name, bool plugin_changed) {
  std::vector<std::uint64_t> stopped;
  loop_.run([&] {
    std::vector<reload_target> targets;
    for (const auto& s : steps) {
      targets.push_back(s.target);
      host_record* spare = hosts_.find(s.spare);
      host_record* old = hosts_.find(s.target.host);
      if (spare == nullptr || !spare->alive()) continue;  // its exit reaches nobody: the old host serves
      if (!engine_.replace_host(s.target, s.spare)) {
        // The child moved on meanwhile (its old host died and was restarted).
        spare->unlisted = true;
        spare->intentional_stop = true;
        hosts_.signal(s.spare, SIGTERM);
        stopped.push_back(s.spare);
        continue;
      }
      spare->supervised = true;
      spare->max_memory = s.target.host_spec.max_memory;
      if (old != nullptr && old->alive()) {
        old->supervised = false;  // its exit is no event for the engine any more
        old->intentional_stop = true;
        hosts_.set_state(*old, process_state::stopping);
        hosts_.signal(s.target.host, SIGTERM);  // nothing in flight: it ends after a quiet spell
        stopped.push_back(s.target.host);
      }
    }
    if (plugin_changed) engine_.set_plugin(name, plugin);
    engine_.set_reloading(targets, false);
    if (!steps.empty()) names_.publish(steps.front().target.group);
  });
  return stopped;
}

void reload_transaction::roll_back(const std::vector<step>& steps) {
  // Old hosts take calls again before the membership names them, so that a
  // client never meets a listed host that still refuses.
  for (const auto& s : steps) {
    if (!s.frozen || !hosts_.exit_of(s.target.host).empty()) continue;
    try {
      host_client(s.old_endpoint, std::chrono::milliseconds(2000)).call("$resume").get();
    } catch (const Error& e) {
      log_.error("reload of {}: could not resume host {}: {}", s.target.name, s.target.host, e.message());
    }
  }
  std::vector<std::uint64_t> spares;
  loop_.run([&] {
    for (const auto& s : steps) {
      if (host_record* old = hosts_.find(s.target.host)) old->unlisted = false;
      host_record* spare = s.spare ? hosts_.find(s.spare) : nullptr;
      if (spare == nullptr || !spare->alive()) continue;
      spare->unlisted = true;
      spare->intentional_stop = true;
      if (spare->ready) {  // not READY yet: nothing to drain
        spare->abandoned = true;
        hosts_.kill_group(s.spare);
      } else {
        hosts_.signal(s.spare, SIGTERM);  // drains: what clients sent it is answered
      }
      spares.push_back(s.spare);
    }
    if (!steps.empty()) names_.publish(steps.front().target.group);
  });
  await_exit(spares);
}

void reload_transaction::await_exit(const std::vector<std::uint64_t>& ids, std::chrono::milliseconds grace) {
  for (std::uint64_t id : ids) {
    if (hosts_.wait_exited(id, grace)) continue;
    log_.warn("host {} did not exit within {} ms of its stop; killed", id, grace.count());
    loop_.run([&] { hosts_.kill_group(id); });
  }
}

}  // namespace titan::detail
