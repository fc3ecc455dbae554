#include "titan/supervisor_spec.hpp"

#include <array>
#include <map>
#include <sstream>
#include <utility>

namespace titan {
namespace {

template <class E, std::size_t N>
std::optional<E> from_string(const std::array<std::pair<E, std::string_view>, N>& names, std::string_view s) {
  for (const auto& [value, name] : names)
    if (name == s) return value;
  return std::nullopt;
}

template <class E, std::size_t N>
std::string_view name_of(const std::array<std::pair<E, std::string_view>, N>& names, E e) {
  for (const auto& [value, name] : names)
    if (value == e) return name;
  return "?";
}

constexpr std::array<std::pair<supervisor_strategy, std::string_view>, 3> strategy_names{{
    {supervisor_strategy::one_for_one, "one_for_one"},
    {supervisor_strategy::one_for_all, "one_for_all"},
    {supervisor_strategy::rest_for_one, "rest_for_one"},
}};
constexpr std::array<std::pair<restart_type, std::string_view>, 3> restart_names{{
    {restart_type::permanent, "permanent"},
    {restart_type::transient, "transient"},
    {restart_type::temporary, "temporary"},
}};
constexpr std::array<std::pair<auto_shutdown_policy, std::string_view>, 3> auto_shutdown_names{{
    {auto_shutdown_policy::never, "never"},
    {auto_shutdown_policy::any_significant, "any_significant"},
    {auto_shutdown_policy::all_significant, "all_significant"},
}};
constexpr std::array<std::pair<child_kind, std::string_view>, 3> kind_names{{
    {child_kind::service, "service"},
    {child_kind::pool, "pool"},
    {child_kind::supervisor, "supervisor"},
}};

constexpr std::size_t max_name_length = 64;
constexpr std::array<std::string_view, 7> log_levels{"trace", "debug", "info", "warn", "error", "critical", "off"};

std::string ms(std::chrono::milliseconds d) { return std::to_string(d.count()) + " ms"; }

std::string number(double x) {
  std::ostringstream out;
  out << x;
  return out.str();
}

// Walks the tree once, in tree order, collecting every problem.
class spec_checker {
 public:
  std::vector<spec_error> run(const supervisor_spec& root) {
    const std::string path = root.name.empty() ? "root" : root.name;
    check_name(root.name, path + ".name", path);
    check_supervisor(root, path);
    return std::move(errors_);
  }

 private:
  void fail(std::string path, std::string message) { errors_.push_back({std::move(path), std::move(message)}); }

  void check_name(const std::string& name, const std::string& path, const std::string& owner) {
    if (name.empty()) return fail(path, "name must not be empty (letters, digits, '_', '.' and '-')");
    if (name.size() > max_name_length)
      return fail(path, "name '" + name + "' is too long (" + std::to_string(name.size()) + " characters, at most " +
                            std::to_string(max_name_length) + ")");
    for (char c : name) {
      bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '.' ||
                c == '-';
      if (!ok)
        return fail(path, "name '" + name + "' has the character '" + std::string(1, c) +
                              "': only letters, digits, '_', '.' and '-' are allowed");
    }
    auto [it, inserted] = seen_.emplace(name, owner);
    if (!inserted)
      fail(path, "name '" + name + "' is used twice (first at " + it->second + "): names must be unique in the tree");
  }

  void check_flags(const supervisor_flags& f, const std::string& path) {
    if (f.period <= std::chrono::milliseconds::zero())
      fail(path + ".period", "period must be greater than 0 (got " + ms(f.period) + ")");
  }

  void check_duration(std::chrono::milliseconds d, const std::string& path, std::string_view what) {
    if (d < std::chrono::milliseconds::zero())
      fail(path, std::string(what) + " must not be negative (got " + ms(d) + ")");
  }

  void check_positive(std::chrono::milliseconds d, const std::string& path, std::string_view what) {
    if (d <= std::chrono::milliseconds::zero())
      fail(path, std::string(what) + " must be greater than 0 (got " + ms(d) + ")");
  }

  void check_supervisor(const supervisor_spec& s, const std::string& path) {
    check_flags(s.flags, path + ".flags");
    if (s.children.empty())
      fail(path + ".children", "supervisor '" + s.name + "' has no children: a supervisor needs at least one");
    for (std::size_t i = 0; i < s.children.size(); ++i)
      check_child(s.children[i], s, path + ".children[" + std::to_string(i) + "]");
  }

  void check_backoff(const backoff_spec& b, const std::string& path) {
    check_duration(b.base, path + ".base", "backoff base");
    if (!(b.factor >= 1.0)) fail(path + ".factor", "backoff factor must be at least 1 (got " + number(b.factor) + ")");
    check_duration(b.max, path + ".max", "backoff max");
    if (b.max >= std::chrono::milliseconds::zero() && b.max < b.base)
      fail(path + ".max", "backoff max must be at least its base (got max " + ms(b.max) + ", base " + ms(b.base) + ")");
    check_duration(b.reset_after, path + ".reset_after", "backoff reset_after");
  }

  void check_host(const host_spec& h, const std::string& path) {
    if (h.plugin.empty()) fail(path + ".plugin", "plugin is required: the path of the service's .so file");
    if (!h.config.empty() && !h.config_file.empty())
      fail(path + ".config_file", "config and config_file are both set: give the table inline or a file, not both");
    if (h.concurrency < 1) fail(path + ".concurrency", "concurrency must be at least 1 (got 0)");
    if (h.transport != "ipc" && h.transport != "tcp")
      fail(path + ".transport", "transport must be ipc or tcp (got '" + h.transport + "')");
    bool level_ok = false;
    for (auto l : log_levels) level_ok = level_ok || l == h.log_level;
    if (!level_ok)
      fail(path + ".log_level",
           "log_level must be trace, debug, info, warn, error, critical or off (got '" + h.log_level + "')");
    check_positive(h.ready_timeout, path + ".ready_timeout", "ready_timeout");
    check_positive(h.call_timeout, path + ".call_timeout", "call_timeout");
  }

  void check_child(const child_spec& c, const supervisor_spec& parent, const std::string& path) {
    check_name(c.name, path + ".name", path);
    if (!c.shutdown.brutal_kill) check_duration(c.shutdown.timeout, path + ".shutdown.timeout", "shutdown timeout");
    check_backoff(c.backoff, path + ".backoff");
    if (c.significant && c.restart == restart_type::permanent)
      fail(path + ".significant",
           "a significant child must be transient or temporary (got permanent), as OTP requires");
    else if (c.significant && parent.flags.auto_shutdown == auto_shutdown_policy::never)
      fail(path + ".significant",
           "significant children need their supervisor's auto_shutdown to be any_significant "
           "or all_significant (supervisor '" +
               parent.name + "' has never)");
    if (c.kind == child_kind::supervisor) {
      if (!c.supervisor) return fail(path + ".supervisor", "a child of kind supervisor needs its supervisor spec");
      if (c.supervisor->name != c.name)
        fail(path + ".supervisor.name",
             "the supervisor's name '" + c.supervisor->name + "' differs from its child's '" + c.name + "'");
      return check_supervisor(*c.supervisor, path + ".supervisor");
    }
    if (c.supervisor)
      fail(path + ".supervisor", "only a child of kind supervisor has a supervisor spec (this one is a " +
                                     std::string(to_string(c.kind)) + ")");
    check_host(c.host, path + ".host");
    if (c.kind == child_kind::pool) check_flags(c.pool_flags, path + ".pool_flags");
  }

  std::vector<spec_error> errors_;
  std::map<std::string, std::string> seen_;  // name -> path of its first use
};

}  // namespace

std::string_view to_string(supervisor_strategy s) { return name_of(strategy_names, s); }
std::string_view to_string(restart_type r) { return name_of(restart_names, r); }
std::string_view to_string(auto_shutdown_policy a) { return name_of(auto_shutdown_names, a); }
std::string_view to_string(child_kind k) { return name_of(kind_names, k); }

std::optional<supervisor_strategy> supervisor_strategy_from_string(std::string_view s) {
  return from_string(strategy_names, s);
}
std::optional<restart_type> restart_type_from_string(std::string_view s) { return from_string(restart_names, s); }
std::optional<auto_shutdown_policy> auto_shutdown_from_string(std::string_view s) {
  return from_string(auto_shutdown_names, s);
}
std::optional<child_kind> child_kind_from_string(std::string_view s) { return from_string(kind_names, s); }

child_spec service_child(std::string name, std::string plugin, host_spec host) {
  child_spec c;
  c.name = std::move(name);
  c.kind = child_kind::service;
  c.host = std::move(host);
  c.host.plugin = std::move(plugin);
  return c;
}

child_spec pool_child(std::string name, std::string plugin, std::size_t size, balance strategy, host_spec host) {
  child_spec c = service_child(std::move(name), std::move(plugin), std::move(host));
  c.kind = child_kind::pool;
  c.size = size;
  c.strategy = strategy;
  return c;
}

child_spec supervisor_child(supervisor_spec spec) {
  child_spec c;
  c.name = spec.name;
  c.kind = child_kind::supervisor;
  c.supervisor = std::move(spec);
  return c;
}

std::vector<spec_error> validate(const supervisor_spec& spec) { return spec_checker{}.run(spec); }

}  // namespace titan
