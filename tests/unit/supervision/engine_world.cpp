#include "engine_world.hpp"

#include <spdlog/sinks/null_sink.h>
#include <spdlog/spdlog.h>

#include <catch2/catch.hpp>

namespace titan::test::engine {

engine_world::engine_world()
    : log_(std::make_unique<spdlog::logger>("engine", std::make_shared<spdlog::sinks::null_sink_mt>())),
      engine_(std::make_unique<titan::detail::supervision>(runner_, *log_, [this] { return clock_.now(); })) {
  engine_->set_exit_callback([this](const std::string& name, bool escalated, const std::string& reason) {
    exits_.push_back({name, escalated, reason});
    runner_.note(escalated ? "give_up" : "shut_down", name);
  });
}

engine_world::~engine_world() = default;

std::optional<std::string> engine_world::start(const titan::supervisor_spec& spec) {
  REQUIRE(titan::validate(spec).empty());
  bool called = false;
  std::optional<std::string> error;
  engine_->add_tree(titan::supervisor_child(spec), [&](std::optional<std::string> e) {
    called = true;
    error = std::move(e);
  });
  settle();
  // A tree whose children keep their READY back is still starting: the
  // test moves time on (ready_timeout) to see the end of it.
  for (int i = 0; i < 100 && !called; ++i) run_for(1s);
  REQUIRE(called);
  return error;
}

void engine_world::start_ok(const titan::supervisor_spec& spec) {
  auto error = start(spec);
  INFO(error.value_or(""));
  REQUIRE_FALSE(error);
}

void engine_world::deliver(const host_outcome& o) {
  switch (o.what) {
    case host_outcome::kind::ready: return engine_->host_ready(o.host);
    case host_outcome::kind::start_failed: return engine_->host_start_failed(o.host, o.reason);
    case host_outcome::kind::exited: return engine_->host_exited(o.host, o.normal, o.by_manager, o.reason);
  }
}

void engine_world::settle() {
  // A bound on the rounds: a bug that restarts for ever at one instant
  // fails the test instead of hanging it.
  for (int round = 0; round < 100000; ++round) {
    if (auto o = runner_.next_outcome()) {
      deliver(*o);
      continue;
    }
    auto due = engine_->next_deadline();
    if (!due || *due > clock_.now()) return;
    engine_->tick(clock_.now());
    if (runner_.idle() && engine_->next_deadline() == due) return;  // nothing moved: not a timer of ours
  }
  FAIL("the engine never settled");
}

void engine_world::run_for(std::chrono::milliseconds d) {
  const auto until = clock_.now() + d;
  settle();
  for (;;) {
    auto due = engine_->next_deadline();
    if (!due || *due > until) break;
    clock_.set(*due);
    engine_->tick(clock_.now());
    settle();
  }
  clock_.set(until);
  engine_->tick(clock_.now());
  settle();
}

void engine_world::crash(const std::string& name) { crash_together({name}); }

void engine_world::crash_together(const std::vector<std::string>& names) {
  for (const auto& n : names) {
    INFO("crash " << n);
    REQUIRE(runner_.end(n, false, "killed by SIGKILL"));
  }
  settle();
}

void engine_world::exit(const std::string& name, int code) {
  INFO("exit " << name);
  REQUIRE(runner_.end(name, code == 0, "exited with code " + std::to_string(code)));
  settle();
}

void engine_world::sigterm(const std::string& name) {
  INFO("sigterm " << name);
  REQUIRE(runner_.end(name, true, "exited with code 0"));
  settle();
}

void engine_world::stop_by_hand(const std::string& name) {
  INFO("stop " << name);
  REQUIRE(runner_.end(name, true, "exited with code 0", true));
  settle();
}

std::optional<titan::supervision_row> engine_world::row(const std::string& name) const {
  for (auto& r : engine_->rows())
    if (r.name == name) return r;
  return std::nullopt;
}

std::string engine_world::state(const std::string& name) const {
  auto r = row(name);
  return r ? r->state : std::string();
}

titan::child_spec child(const std::string& name, titan::restart_type restart) {
  titan::child_spec c = titan::service_child(name, "/nonexistent/" + name + ".so");
  c.restart = restart;
  return c;
}

titan::child_spec significant(const std::string& name, titan::restart_type restart) {
  titan::child_spec c = child(name, restart);
  c.significant = true;
  return c;
}

titan::child_spec no_backoff(titan::child_spec c) {
  c.backoff = titan::backoff_spec::none();
  return c;
}

titan::supervisor_spec supervisor(const std::string& name, titan::supervisor_strategy strategy, unsigned intensity,
                                  std::chrono::milliseconds period, std::vector<titan::child_spec> children,
                                  titan::auto_shutdown_policy auto_shutdown) {
  titan::supervisor_spec s;
  s.name = name;
  s.flags.strategy = strategy;
  s.flags.intensity = intensity;
  s.flags.period = period;
  s.flags.auto_shutdown = auto_shutdown;
  s.children = std::move(children);
  return s;
}

}  // namespace titan::test::engine
