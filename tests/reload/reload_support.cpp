#include "reload_support.hpp"

#include "manager_support.hpp"

#include <elf.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <sstream>

#include <spdlog/sinks/null_sink.h>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include "host_process.hpp"

namespace titan::test::reload {
namespace {

bool verbose() {
  const char* v = std::getenv("TITAN_TEST_VERBOSE");
  return v != nullptr && *v != '\0';
}

}  // namespace

bool poll_until(const std::function<bool()>& done, std::chrono::milliseconds timeout) {
  return titan::test::poll_until(done, timeout);
}

titan::ProcessManager::options manager_options() { return titan::test::manager_options("reload-test"); }

std::string host_log_level() { return verbose() ? "info" : "off"; }

titan::child_spec kv_child(const std::string& name, const std::string& plugin) {
  titan::host_spec h;
  h.log_level = host_log_level();
  titan::child_spec c = titan::service_child(name, plugin, h);
  c.backoff.base = 10ms;
  c.backoff.max = 50ms;
  return c;
}

void supervise_kv(titan::ProcessManager& pm, const std::string& name, const std::string& plugin) {
  titan::supervisor_spec spec;
  spec.name = name + "-sup";
  spec.flags.intensity = 10;
  spec.children.push_back(kv_child(name, plugin));
  pm.supervise(spec);
}

titan::reload_options reload_to(const std::string& plugin, std::chrono::milliseconds probation) {
  titan::reload_options o;
  o.plugin = plugin;
  o.probation = probation;
  return o;
}

std::optional<titan::Error> reload_error(titan::ProcessManager& pm, const std::string& name,
                                         const titan::reload_options& opts) {
  try {
    pm.reload(name, opts);
  } catch (const titan::Error& e) {
    return e;
  }
  return std::nullopt;
}

bool pid_gone(pid_t pid) {
  std::ifstream f("/proc/" + std::to_string(pid) + "/stat");
  std::string line;
  if (!std::getline(f, line)) return true;
  const auto open = line.find('('), close = line.rfind(')');
  if (open == std::string::npos || close == std::string::npos || close < open) return true;
  const std::string comm = line.substr(open + 1, close - open - 1);
  std::istringstream rest(line.substr(close + 1));
  char state = '?';
  pid_t ppid = 0;
  rest >> state >> ppid;
  return !rest || ppid != ::getpid() || comm != "titan-host";
}

std::vector<titan::process_info> live_hosts(const titan::ProcessManager& pm, const std::string& group) {
  std::vector<titan::process_info> out;
  for (auto& p : pm.list())
    if (p.group == group && (p.state != titan::process_state::exited || !pid_gone(p.pid))) out.push_back(p);
  return out;
}

std::vector<std::uint64_t> member_ids(const titan::ProcessManager& pm, const std::string& name) {
  std::vector<std::uint64_t> out;
  for (const auto& m : pm.members(name)) out.push_back(m.id);
  std::sort(out.begin(), out.end());
  return out;
}

std::optional<titan::supervision_row> row_of(const titan::ProcessManager& pm, const std::string& name) {
  for (auto& r : pm.tree())
    if (r.name == name) return r;
  return std::nullopt;
}

titan::client_options quick() {
  titan::client_options o;
  o.timeout = 5s;
  return o;
}

titan::Proxy<KvStore> kv_client(titan::ProcessManager& pm, const std::string& name) {
  return pm.discover<KvStore>(name, quick());
}

std::string version_at(const std::string& endpoint) { return titan::connect<KvStore>(endpoint, quick()).version().get(); }

std::string read_bytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

void write_in_place(const std::string& path, const std::string& bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  if (!out.flush()) throw std::runtime_error("cannot write " + path);
}

std::string copy_to(const titan::test::temp_dir& dir, const std::string& from, const std::string& name) {
  const auto to = dir / name;
  std::filesystem::copy_file(from, to, std::filesystem::copy_options::overwrite_existing);
  return to.string();
}

std::string half_written(const std::string& elf) {
  Elf64_Ehdr eh;
  if (elf.size() < sizeof eh) throw std::runtime_error("not an ELF file");
  std::memcpy(&eh, elf.data(), sizeof eh);
  if (std::memcmp(eh.e_ident, ELFMAG, SELFMAG) != 0 || eh.e_ident[EI_CLASS] != ELFCLASS64)
    throw std::runtime_error("not a 64-bit ELF file");
  std::uint64_t end = 0;
  for (unsigned i = 0; i < eh.e_phnum; ++i) {
    Elf64_Phdr ph;
    const std::uint64_t at = eh.e_phoff + std::uint64_t{i} * eh.e_phentsize;
    if (at + sizeof ph > elf.size()) throw std::runtime_error("truncated program headers");
    std::memcpy(&ph, elf.data() + at, sizeof ph);
    if (ph.p_type == PT_LOAD) end = std::max<std::uint64_t>(end, ph.p_offset + ph.p_filesz);
  }
  if (end == 0 || end > elf.size()) throw std::runtime_error("no loadable segments");
  return elf.substr(0, end / 2);
}

bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

// --- load --------------------------------------------------------------------

load::load(titan::ProcessManager& pm, load_options opts) : pm_(pm), opts_(std::move(opts)), logs_(opts_.clients) {
  for (unsigned c = 0; c < opts_.clients; ++c) threads_.emplace_back([this, c] { run(c); });
}

load::~load() { stop(); }

void load::stop() {
  if (stopped_) return;
  stopped_ = true;
  stop_ = true;
  for (auto& t : threads_) t.join();
}

void load::error(const std::string& what) {
  ++failed_;
  std::lock_guard lock(mu_);
  if (errors_.size() < 5) errors_.push_back(what);
}

std::vector<std::string> load::errors() const {
  std::lock_guard lock(mu_);
  return errors_;
}

std::set<std::string> load::versions_seen() const {
  std::lock_guard lock(mu_);
  std::set<std::string> out;
  for (const auto& [v, index] : latest_send_of_version_) out.insert(v);
  return out;
}

bool load::wait_progress(std::uint64_t n, std::chrono::milliseconds timeout) {
  const std::uint64_t target = replied_ + n;
  return poll_until([&] { return replied_ >= target; }, timeout);
}

bool load::wait_version(const std::string& version, std::chrono::milliseconds timeout) {
  const std::uint64_t from = sent_;
  return poll_until(
      [&] {
        std::lock_guard lock(mu_);
        auto it = latest_send_of_version_.find(version);
        return it != latest_send_of_version_.end() && it->second >= from;
      },
      timeout);
}

void load::run(unsigned c) {
  client_log log;
  try {
    titan::client_options co;
    co.timeout = opts_.timeout;
    auto kv = pm_.discover<KvStore>(opts_.name, co);
    const std::string key = "load-" + std::to_string(c);
    struct pending {
      bool write;
      std::string value;
      std::uint64_t index;
      titan::Future<std::string> reply;
    };
    std::deque<pending> in_flight;
    std::uint64_t seq = 0;
    for (;;) {
      while (!stop_ && in_flight.size() < opts_.depth) {
        ++seq;
        const std::uint64_t index = sent_++;
        if (opts_.writes && seq % 4 != 0) {
          std::string value = key + "#" + std::to_string(seq);
          auto f = kv.swap(key, value);
          in_flight.push_back({true, std::move(value), index, std::move(f)});
        } else {
          in_flight.push_back({false, {}, index, kv.version()});
        }
      }
      if (in_flight.empty()) break;
      pending p = std::move(in_flight.front());
      in_flight.pop_front();
      try {
        std::string r = p.reply.get();
        ++replied_;
        if (p.write) {
          log.writes.emplace_back(std::move(p.value), std::move(r));
        } else {
          std::lock_guard lock(mu_);
          auto& latest = latest_send_of_version_[r];
          latest = std::max(latest, p.index);
        }
      } catch (const std::exception& e) {
        error(std::string(p.write ? "swap" : "version") + " #" + std::to_string(p.index) + ": " + e.what());
      }
    }
    if (opts_.writes) {
      try {
        log.final_value = kv.get(key).get();
        log.final_read = true;
      } catch (const std::exception& e) {
        error("final get(" + key + "): " + e.what());
      }
    }
  } catch (const std::exception& e) {
    error(std::string("client ") + std::to_string(c) + ": " + e.what());
  }
  std::lock_guard lock(mu_);
  logs_[c] = std::move(log);
}

std::uint64_t load::writes() const {
  std::lock_guard lock(mu_);
  std::uint64_t n = 0;
  for (const auto& l : logs_) n += l.writes.size();
  return n;
}

std::uint64_t load::out_of_order() const {
  std::lock_guard lock(mu_);
  std::uint64_t n = 0;
  for (const auto& l : logs_)
    for (std::size_t i = 0; i < l.writes.size(); ++i)
      if (l.writes[i].second != (i == 0 ? std::string() : l.writes[i - 1].first)) ++n;
  return n;
}

std::string load::out_of_order_examples() const {
  std::lock_guard lock(mu_);
  std::string out;
  unsigned shown = 0;
  for (const auto& l : logs_)
    for (std::size_t i = 0; i < l.writes.size() && shown < 10; ++i) {
      const std::string before = i == 0 ? std::string() : l.writes[i - 1].first;
      if (l.writes[i].second != before) {
        out += "wrote " + l.writes[i].first + ", replaced '" + l.writes[i].second + "' (the write sent before it: '" +
               before + "')\n";
        ++shown;
      }
    }
  return out;
}

std::string load::write_history_problems() const {
  if (!opts_.writes) return {};
  std::lock_guard lock(mu_);
  std::string out;
  unsigned shown = 0;
  auto problem = [&](unsigned c, const std::string& what) {
    if (++shown <= 10) out += "client " + std::to_string(c) + ": " + what + "\n";
  };
  for (unsigned c = 0; c < logs_.size(); ++c) {
    const client_log& l = logs_[c];
    if (!l.final_read) {
      problem(c, "no final read");
      continue;
    }
    std::map<std::string, unsigned> returned;  // previous value -> times a swap returned it
    std::set<std::string> expected{""};        // each must be returned exactly once
    for (const auto& [value, previous] : l.writes) {
      ++returned[previous];
      if (!expected.insert(value).second) problem(c, "wrote " + value + " twice (test bug)");
    }
    // The last write of the history is what the key holds at the end.
    if (l.writes.empty() != !l.final_value.has_value() ||
        (l.final_value && expected.erase(*l.final_value) == 0)) {
      problem(c, "the key ends as '" + l.final_value.value_or("(none)") + "', which is none of its writes");
    }
    for (const auto& e : expected) {
      auto it = returned.find(e);
      const unsigned n = it == returned.end() ? 0 : it->second;
      if (n != 1)
        problem(c, (e.empty() ? std::string("the initial empty value") : "write " + e) + " was replaced " +
                       std::to_string(n) + " times (1 expected: " + (n == 0 ? "lost)" : "applied twice?)"));
    }
    for (const auto& [previous, n] : returned)
      if (!expected.count(previous) && (!l.final_value || previous != *l.final_value))
        problem(c, "a swap returned '" + previous + "', which is none of its writes");
      else if (l.final_value && previous == *l.final_value)
        problem(c, "the final value " + previous + " was also replaced " + std::to_string(n) + " times");
  }
  if (shown > 10) out += "... " + std::to_string(shown - 10) + " more\n";
  return out;
}

}  // namespace titan::test::reload
