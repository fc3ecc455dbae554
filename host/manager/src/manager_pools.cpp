// manager_core: pools (start, scale, slot restarts with backoff).
#include <signal.h>

#include <cmath>
#include <spdlog/spdlog.h>

#include "manager_core.hpp"

namespace titan::detail {

namespace {

// Pool restarts: the first at once, then 100 ms growing x1.5 up to 5 s.
std::chrono::milliseconds restart_delay(unsigned restarts) {
  if (restarts <= 1) return std::chrono::milliseconds(0);
  double ms = 100.0 * std::pow(1.5, restarts - 2);
  return std::chrono::milliseconds(static_cast<long>(std::min(ms, 5000.0)));
}

// A member up this long counts as stable: its slot's restart count resets.
constexpr auto stable_uptime = std::chrono::seconds(10);

}  // namespace

// A pool member died: replace it, at once the first time, then backing off.
void manager_core::schedule_restart(group& g, const entry& e, bool was_member) {
  pool_slot& slot = g.slots[e.slot];
  if (was_member && clock::now() - e.up_since > stable_uptime) slot.restarts = 0;
  ++slot.restarts;
  slot.restart_at = clock::now() + restart_delay(slot.restarts);
  log_->warn("pool '{}' member {} {}; restart {} in {} ms", g.name, e.slot, e.info.exit_reason, slot.restarts,
             restart_delay(slot.restarts).count());
}

void manager_core::start_slot(group& g, std::size_t slot, bool with_promise) {
  spawn_options o = g.opts;
  o.name = g.name + "-" + std::to_string(slot);
  entry& e = start_host(g.plugin, o, g.name, static_cast<int>(slot));
  e.info.restarts = g.slots[slot].restarts;
  g.slots[slot].host = e.info.id;
  g.slots[slot].restart_at.reset();
  if (with_promise) e.ready.emplace();
}

std::vector<process_info> manager_core::start_pool(const std::string& plugin, const pool_options& o,
                                                   std::string_view expected) {
  if (o.name.empty()) throw Error(status_code::invalid_argument, "a pool needs a name");
  if (o.host.transport != "ipc" && o.host.transport != "tcp")
    throw Error(status_code::invalid_argument, "transport must be \"ipc\" or \"tcp\", not \"" + o.host.transport + "\"");
  const std::size_t size = o.size != 0 ? o.size : std::max(1u, std::thread::hardware_concurrency());
  std::vector<std::pair<std::uint64_t, std::future<process_info>>> ready;
  run_on_loop([&] {
    if (groups_.count(o.name)) throw Error(status_code::failed_precondition, "'" + o.name + "' is already registered");
    group& g = groups_[o.name];
    g.name = o.name;
    g.plugin = plugin;
    g.opts = o.host;
    g.pool = true;
    g.slots.resize(size);
    for (std::size_t i = 0; i < size; ++i) {
      start_slot(g, i, true);
      entry* e = find(g.slots[i].host);
      ready.emplace_back(e->info.id, e->ready->get_future());
    }
  });
  std::vector<process_info> out;
  std::optional<Error> first_error;
  for (auto& [id, f] : ready) {
    if (f.wait_for(o.host.ready_timeout) != std::future_status::ready) {
      run_on_loop([&, id = id] {
        if (entry* e = find(id); e && e->ready) {
          e->child->signal_group(SIGKILL);
          fail_start(*e, Error(status_code::deadline_exceeded, "a member of pool '" + o.name +
                                                                   "' did not report READY in time"));
        }
      });
    }
    try {
      out.push_back(f.get());
    } catch (const Error& e) {
      if (!first_error) first_error = e;
    }
  }
  if (!first_error && !expected.empty() && !out.empty() && out.front().service != expected)
    first_error = Error(status_code::invalid_argument, plugin + " serves '" + out.front().service + "', not '" +
                                                           std::string(expected) + "' as the requested proxy expects");
  if (first_error) {
    scale(o.name, 0);
    run_on_loop([&] { groups_.erase(o.name); });
    throw *first_error;
  }
  return out;
}

std::vector<process_info> manager_core::scale(const std::string& name, std::size_t size) {
  std::vector<std::pair<std::uint64_t, std::future<process_info>>> started;
  std::vector<std::uint64_t> retiring;
  spawn_options opts;
  run_on_loop([&] {
    auto it = groups_.find(name);
    if (it == groups_.end() || !it->second.pool)
      throw Error(status_code::not_found, "no pool named '" + name + "'");
    group& g = it->second;
    opts = g.opts;
    std::size_t live = 0;
    for (auto& s : g.slots) live += s.retired ? 0 : 1;
    // Grow: reuse retired slots first (their keys keep consistent hashing stable).
    for (std::size_t i = 0; i < g.slots.size() && live < size; ++i) {
      if (!g.slots[i].retired) continue;
      g.slots[i] = pool_slot{};
      start_slot(g, i, true);
      ++live;
      started.emplace_back(g.slots[i].host, find(g.slots[i].host)->ready->get_future());
    }
    while (live < size) {
      g.slots.emplace_back();
      start_slot(g, g.slots.size() - 1, true);
      ++live;
      started.emplace_back(g.slots.back().host, find(g.slots.back().host)->ready->get_future());
    }
    // Shrink from the highest slot: out of the membership first, so that
    // clients stop sending there, then drained and stopped.
    for (std::size_t i = g.slots.size(); i-- > 0 && live > size;) {
      if (g.slots[i].retired) continue;
      g.slots[i].retired = true;
      g.slots[i].restart_at.reset();
      --live;
      if (entry* e = find(g.slots[i].host); e && e->alive()) {
        e->intentional_stop = true;
        std::lock_guard lock(mu_);
        e->info.state = process_state::stopping;
        retiring.push_back(e->info.id);
      }
    }
    publish(name);
  });
  for (auto id : retiring) stop(id, opts.ready_timeout, false);
  for (auto& [id, f] : started) {
    if (f.wait_for(opts.ready_timeout) != std::future_status::ready) stop(id, std::chrono::milliseconds(0), true);
    f.get();  // throws the host's reason
  }
  return members(name);
}

std::optional<std::chrono::steady_clock::time_point> manager_core::next_restart() const {
  std::optional<clock::time_point> next;
  for (const auto& [name, g] : groups_)
    for (const auto& s : g.slots)
      if (s.restart_at && (!next || *s.restart_at < *next)) next = s.restart_at;
  return next;
}

void manager_core::run_due_restarts() {
  const auto now = clock::now();
  for (auto& [name, g] : groups_) {
    for (std::size_t i = 0; i < g.slots.size(); ++i) {
      if (!g.slots[i].restart_at || *g.slots[i].restart_at > now || shut_down_) continue;
      try {
        start_slot(g, i, false);
      } catch (const std::exception& ex) {
        log_->error("pool '{}': cannot restart member {}: {}", name, i, ex.what());
        g.slots[i].restart_at = now + std::chrono::seconds(5);
      }
    }
  }
}

}  // namespace titan::detail
