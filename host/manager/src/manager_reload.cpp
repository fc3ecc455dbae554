// manager_core: hot reload of a service or a pool, as one transaction.
//
// For each host, one at a time: start a new host on the new plugin (not yet
// in the membership), check its health, hand over (the old host stops
// taking calls, finishes those it has and gives its snapshot to the new
// one), then switch the membership. Clients re-send what the old host
// refused to the new one: nothing is lost. Once every new host has lived
// through the probation, the old hosts are stopped and the engine learns
// the new host ids. Any failure before that resumes the old hosts, lists
// them again and drains the new ones: the old version keeps serving.
//
// Runs on the caller's thread; every touch of the manager's state goes
// through run_on_loop.
#include <signal.h>

#include <spdlog/spdlog.h>

#include "manager_core.hpp"
#include "titan/client.hpp"

namespace titan::detail {

struct manager_core::reload_step {
  reload_target target;
  std::uint64_t spare = 0;        // the new host
  std::string old_endpoint;
  bool frozen = false;            // the old host was asked for $snapshot: it refuses calls
  bool switched = false;          // the membership names the new host, not the old one
  std::size_t state_bytes = 0;
};

namespace {

using clock = std::chrono::steady_clock;

std::chrono::milliseconds since(clock::time_point t) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(clock::now() - t);
}

std::string str_of(const msgpack::object& map, std::string_view key) {
  if (map.type != msgpack::type::MAP) return {};
  for (const auto& kv : map.via.map)
    if (kv.key.type == msgpack::type::STR && std::string_view(kv.key.via.str.ptr, kv.key.via.str.size) == key &&
        kv.val.type == msgpack::type::STR)
      return std::string(kv.val.via.str.ptr, kv.val.via.str.size);
  return {};
}

Client host_client(const std::string& endpoint, std::chrono::milliseconds timeout) {
  client_options o;
  o.timeout = timeout;
  return Client::connect(endpoint, o);
}

}  // namespace

std::string manager_core::exit_of(std::uint64_t id) {
  std::lock_guard lock(mu_);
  auto it = entries_.find(id);
  if (it == entries_.end()) return "exited";
  return it->second->info.state == process_state::exited ? it->second->info.exit_reason : std::string();
}

// On the loop: a host like the target's, on `plugin`, out of the membership.
std::uint64_t manager_core::start_spare(const reload_target& t, const std::string& plugin,
                                        std::future<process_info>& ready) {
  if (shut_down_) throw Error(status_code::failed_precondition, "the process manager is shutting down");
  host_request r{t.host_spec, t.name, t.group, t.slot, t.supervisor, t.restarts};
  entry& e = start_host(plugin, options_for(r), t.group, t.slot);
  e.unlisted = true;
  e.ready.emplace();
  ready = e.ready->get_future();
  std::lock_guard lock(mu_);
  // As start_host(host_request) does: list() shows whose child it is.
  e.info.restarts = t.restarts;
  e.info.supervisor = t.supervisor;
  return e.info.id;
}

void manager_core::switch_membership(reload_step& step) {
  run_on_loop([&] {
    entry* spare = find(step.spare);
    entry* old = find(step.target.host);
    if (spare == nullptr || !spare->alive()) throw Error(status_code::unavailable, "the new host exited before it took over");
    spare->unlisted = false;
    if (old != nullptr) old->unlisted = true;
    publish(step.target.group);
  });
  step.switched = true;
}

void manager_core::replace_one(reload_step& step, const std::string& plugin, const reload_options& opts) {
  const reload_target& t = step.target;
  std::future<process_info> ready;
  bool old_stateful = false;
  std::string old_service;
  run_on_loop([&] {
    entry* old = find(t.host);
    if (old == nullptr || !old->alive()) throw Error(status_code::unavailable, t.name + "'s host exited during the reload");
    step.old_endpoint = old->info.endpoint;
    old_stateful = old->stateful;
    old_service = old->info.service;
    step.spare = start_spare(t, plugin, ready);
  });

  // 1. The new host starts: the plugin loads, its constructor runs.
  if (ready.wait_for(t.host_spec.ready_timeout) != std::future_status::ready) {
    run_on_loop([&] {
      if (entry* e = find(step.spare); e && e->ready) {
        if (!e->child->reaped()) e->child->signal_group(SIGKILL);
        e->abandoned = true;
        fail_start(*e, Error(status_code::deadline_exceeded,
                             "did not report READY within " + std::to_string(t.host_spec.ready_timeout.count()) + " ms"));
      }
    });
  }
  process_info info;
  try {
    info = ready.get();
  } catch (const Error& e) {
    throw Error(status_code::failed_precondition, "the new version of " + t.name + " could not start: " + e.message());
  }
  if (info.service != old_service)
    throw Error(status_code::failed_precondition, plugin + " serves '" + info.service + "', not '" + old_service + "'");

  // 2. Its first health check.
  Client spare = host_client(info.endpoint, std::chrono::milliseconds(5000));
  try {
    auto health = spare.call("$health").get();
    const std::string status = str_of(health.get(), "status");
    if (status != "SERVING") {
      const std::string reason = str_of(health.get(), "reason");
      throw Error(status_code::failed_precondition, "the new version of " + t.name + " failed its first health check: " +
                                                        status + (reason.empty() ? "" : " (" + reason + ")"));
    }
  } catch (const Error& e) {
    if (e.code() == status_code::failed_precondition) throw;
    throw Error(status_code::failed_precondition,
                "the new version of " + t.name + " did not answer its first health check: " + e.message());
  }

  // 3. Hand over. A stateful old host stops taking calls first, so that its
  // snapshot is final; clients hold what it refuses until the switch.
  Client old = host_client(step.old_endpoint, opts.handover_timeout);
  if (!old_stateful) switch_membership(step);
  step.frozen = true;
  msgpack::object_handle snap;
  try {
    snap = old.call("$snapshot").get();
  } catch (const Error& e) {
    throw Error(status_code::failed_precondition, t.name + "'s old host did not hand over: " + e.message());
  }
  if (snap.get().type != msgpack::type::NIL) {
    for (const auto& kv : snap.get().via.map)
      if (kv.val.type == msgpack::type::BIN) step.state_bytes = kv.val.via.bin.size;
    msgpack::sbuffer body;
    msgpack::packer<msgpack::sbuffer> p(body);
    p.pack_array(1);
    p.pack(snap.get());
    try {
      spare.with_timeout(opts.handover_timeout).call_packed("$restore", body.data(), body.size()).get();
    } catch (const Error& e) {
      throw Error(status_code::failed_precondition, "the new version of " + t.name + " refused the state: " + e.message());
    }
  }
  if (!step.switched) switch_membership(step);
  log_->info("reload of {}: host {} took over from host {} ({} bytes of state)", t.name, step.spare, t.host,
             step.state_bytes);
}

void manager_core::await_probation(const std::vector<reload_step>& steps, const reload_options& opts) {
  const auto until = clock::now() + opts.probation;
  for (;;) {
    for (const auto& s : steps) {
      if (std::string why = exit_of(s.spare); !why.empty())
        throw Error(status_code::failed_precondition, "the new version of " + s.target.name +
                                                          " died within the probation window: " + why);
      if (std::string why = exit_of(s.target.host); !why.empty())
        throw Error(status_code::unavailable, s.target.name + "'s old host exited during the reload: " + why);
    }
    if (clock::now() >= until) return;
    std::unique_lock lock(mu_);
    exited_cv_.wait_until(lock, std::min(until, clock::now() + std::chrono::milliseconds(50)));
  }
}

std::vector<std::uint64_t> manager_core::commit(const std::vector<reload_step>& steps, const std::string& plugin,
                                               const std::string& name, bool plugin_changed) {
  std::vector<std::uint64_t> stopped;
  run_on_loop([&] {
    std::vector<reload_target> targets;
    for (const auto& s : steps) {
      targets.push_back(s.target);
      entry* spare = find(s.spare);
      entry* old = find(s.target.host);
      if (spare == nullptr || !spare->alive()) continue;  // its exit reaches nobody: the old host serves
      if (!supervision_->replace_host(s.target, s.spare)) {
        // The child moved on meanwhile (its old host died and was restarted).
        spare->unlisted = true;
        spare->intentional_stop = true;
        spare->child->signal(SIGTERM);
        stopped.push_back(s.spare);
        continue;
      }
      spare->supervised = true;
      spare->max_memory = s.target.host_spec.max_memory;
      if (old != nullptr && old->alive()) {
        old->supervised = false;  // its exit is no event for the engine any more
        old->intentional_stop = true;
        {
          std::lock_guard lock(mu_);
          old->info.state = process_state::stopping;
        }
        old->child->signal(SIGTERM);  // nothing in flight: it ends after a quiet spell
        stopped.push_back(s.target.host);
      }
    }
    if (plugin_changed) supervision_->set_plugin(name, plugin);
    supervision_->set_reloading(targets, false);
    if (!steps.empty()) publish(steps.front().target.group);
  });
  return stopped;
}

void manager_core::roll_back(const std::vector<reload_step>& steps) {
  // Old hosts take calls again before the membership names them, so that a
  // client never meets a listed host that still refuses.
  for (const auto& s : steps) {
    if (!s.frozen || !exit_of(s.target.host).empty()) continue;
    try {
      host_client(s.old_endpoint, std::chrono::milliseconds(2000)).call("$resume").get();
    } catch (const Error& e) {
      log_->error("reload of {}: could not resume host {}: {}", s.target.name, s.target.host, e.message());
    }
  }
  std::vector<std::uint64_t> spares;
  run_on_loop([&] {
    for (const auto& s : steps) {
      if (entry* old = find(s.target.host)) old->unlisted = false;
      entry* spare = s.spare ? find(s.spare) : nullptr;
      if (spare == nullptr || !spare->alive()) continue;
      spare->unlisted = true;
      spare->intentional_stop = true;
      if (spare->ready) {  // not READY yet: nothing to drain
        spare->abandoned = true;
        spare->child->signal_group(SIGKILL);
      } else {
        spare->child->signal(SIGTERM);  // drains: what clients sent it is answered
      }
      spares.push_back(s.spare);
    }
    if (!steps.empty()) publish(steps.front().target.group);
  });
  await_exit(spares);
}

// Hosts a reload let go (SIGTERM: they drain) and no supervisor watches:
// each gets `grace` to exit, then SIGKILL, so none is left behind.
void manager_core::await_exit(const std::vector<std::uint64_t>& ids, std::chrono::milliseconds grace) {
  for (std::uint64_t id : ids) {
    std::unique_lock lock(mu_);
    auto gone = [&] {
      auto it = entries_.find(id);
      return it == entries_.end() || it->second->info.state == process_state::exited;
    };
    if (exited_cv_.wait_for(lock, grace, gone)) continue;
    lock.unlock();
    log_->warn("host {} did not exit within {} ms of its stop; killed", id, grace.count());
    run_on_loop([&] {
      if (entry* e = find(id); e && e->child && !e->child->reaped()) e->child->signal_group(SIGKILL);
    });
  }
}

reload_report manager_core::reload(const std::string& name, const reload_options& opts) {
  const auto started = clock::now();
  std::vector<reload_target> targets;
  reload_report report;
  report.name = name;
  run_on_loop([&] {
    if (shut_down_) throw Error(status_code::failed_precondition, "the process manager has been shut down");
    targets = supervision_->reload_targets(name);
    supervision_->set_reloading(targets, true);
    if (entry* e = find(targets.front().host)) {
      report.previous_version = e->info.version;
      report.previous_build_id = e->info.build_id;
    }
  });
  const std::string plugin = opts.plugin.empty() ? targets.front().host_spec.plugin : opts.plugin;
  log_->info("reload of {}: {} host(s) to {}", name, targets.size(), plugin);
  std::vector<reload_step> steps;
  try {
    for (const auto& t : targets) {
      steps.emplace_back();
      steps.back().target = t;
      replace_one(steps.back(), plugin, opts);
    }
    report.switched = since(started);
    await_probation(steps, opts);
  } catch (const Error& e) {
    log_->error("reload of {} failed, rolling back: {}", name, e.message());
    roll_back(steps);
    run_on_loop([&] { supervision_->set_reloading(targets, false); });
    throw Error(status_code::failed_precondition,
                "reload of '" + name + "' rolled back: " + e.message() + "; the old version (" +
                    report.previous_version + ") keeps serving");
  }
  const std::vector<std::uint64_t> stopped = commit(steps, plugin, name, plugin != targets.front().host_spec.plugin);
  for (const auto& s : steps) {
    report.replaced.push_back(s.target.host);
    report.hosts.push_back(s.spare);
    report.state_bytes += s.state_bytes;
  }
  if (auto info = get(steps.front().spare)) {
    report.version = info->version;
    report.build_id = info->build_id;
  }
  await_exit(stopped);
  report.took = since(started);
  log_->info("reload of {} done in {} ms: {} -> {}", name, report.took.count(), report.previous_version, report.version);
  return report;
}

}  // namespace titan::detail
