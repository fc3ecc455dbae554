// titan-host: loads one plugin and serves its methods over ZeroMQ.
#include <signal.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <optional>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include "host_context.hpp"
#include "host_error.hpp"
#include "host_options.hpp"
#include "host_server.hpp"
#include "manager_link.hpp"
#include "plugin_library.hpp"
#include "service_instance.hpp"
#include "toml_config.hpp"

using namespace titan::host;

namespace {

// The --help footer: the exit codes, from the enum the manager reads too.
std::string exit_codes_help() {
  return "\n" + titan::control::exit_codes_help() + "With --check: 0 if the plugin loads, else 3 to 6.\n";
}

void write_endpoint_file(const std::string& path, const std::vector<std::string>& endpoints) {
  // Written whole, then renamed: a reader never sees half a file.
  std::string tmp = path + ".tmp." + std::to_string(::getpid());
  {
    std::ofstream f(tmp);
    for (const auto& e : endpoints) f << e << '\n';
    if (!f) throw host_error(exit_code::failure, "cannot write " + tmp);
  }
  if (std::rename(tmp.c_str(), path.c_str()) != 0) throw host_error(exit_code::failure, "cannot rename to " + path);
}

// Spawned by a manager (it sets TITAN_PARENT_PID): die with it, and never
// outlive a parent that is already gone. A host started by hand with
// --manager is only adopted; it lives on its own.
bool follow_parent() {
  const char* expected = std::getenv("TITAN_PARENT_PID");
  if (expected == nullptr) return false;
  ::prctl(PR_SET_PDEATHSIG, SIGTERM);
  if (std::to_string(::getppid()) != expected) std::_Exit(1);
  ::unsetenv("TITAN_PARENT_PID");  // not for this host's own children
  return true;
}

// --check: load the plugin as serving would (file, dlopen, descriptor, ABI),
// construct nothing, print "SERVICE VERSION". The reason of a failure is the
// one line on stderr (titan check shows it).
int check_plugin(const std::string& path) {
  try {
    auto library = plugin_library::load(path);
    std::printf("%s %s\n", library->descriptor().service_name, library->descriptor().service_version);
    return 0;
  } catch (const host_error& e) {
    std::fprintf(stderr, "%s\n", e.what());
    return to_int(e.code());
  } catch (const std::exception& e) {
    std::fprintf(stderr, "%s\n", e.what());
    return to_int(exit_code::failure);
  }
}

int serve(const host_options& opts, std::shared_ptr<spdlog::logger> log, int stop_fd) {
  zmq::context_t ctx(1);
  std::optional<manager_link> manager;
  if (!opts.manager.empty()) manager.emplace(ctx, opts.manager, opts.id);
  try {
    msgpack::zone config_zone;
    msgpack::object config;
    if (!opts.config_file.empty()) config = load_toml_config(opts.config_file, config_zone);
    auto library = plugin_library::load(opts.plugin);
    const std::string name = opts.name.empty() ? library->descriptor().service_name : opts.name;
    host_context context(name, config, log, opts.manager);
    service_instance service(std::move(library), context);

    const long beat_ms = opts.heartbeat_ms >= 0 ? opts.heartbeat_ms : (manager ? 1000 : 0);
    host_server server(ctx, service,
                       {.name = name, .concurrency = opts.concurrency, .max_message_size = opts.max_message_size,
                        .heartbeat = std::chrono::milliseconds(manager ? beat_ms : 0)},
                       *log);
    if (manager)
      server.on_heartbeat([&](const server_counters& c) { manager->heartbeat(c.calls.load(), c.in_flight.load()); });
    std::vector<std::string> endpoints;
    for (const auto& b : opts.bind) endpoints.push_back(server.bind(b));
    if (!opts.spawned) {  // a spawning manager has them from $ready; its log needs no copy
      for (const auto& e : endpoints) std::printf("%s\n", e.c_str());
      std::fflush(stdout);
    }
    if (!opts.endpoint_file.empty()) write_endpoint_file(opts.endpoint_file, endpoints);
    log->info("serving {} {} on {}", service.descriptor().service_name, service.descriptor().service_version,
              fmt::join(endpoints, ", "));
    if (manager) manager->ready(service, name, endpoints);
    server.run(stop_fd);
    log->info("stopped after {} call(s)", server.counters().calls.load());
    return 0;
  } catch (const host_error& e) {
    log->error("{}", e.what());
    if (manager) manager->failed(e.code(), e.what());
    return to_int(e.code());
  } catch (const std::exception& e) {
    log->error("{}", e.what());
    if (manager) manager->failed(exit_code::failure, e.what());
    return to_int(exit_code::failure);
  }
}

}  // namespace

int main(int argc, char** argv) {
  host_options opts;
  bool check = false;
  CLI::App app{"titan-host: serves one Titan plugin over ZeroMQ until SIGTERM or SIGINT."};
  app.footer(exit_codes_help());
  app.add_option("--plugin", opts.plugin, "Plugin file (.so) to load")->required();
  app.add_option("--bind", opts.bind,
                 "Endpoint to serve on (repeatable): ipc://PATH, tcp://HOST:PORT, tcp://127.0.0.1:* (required unless --check)");
  app.add_flag("--check", check,
               "Only load the plugin (checking its ABI), print SERVICE VERSION and exit 0; no service is constructed");
  app.add_option("--name", opts.name, "Instance name (default: the service name)");
  app.add_option("--config", opts.config_file, "TOML file whose table is handed to the service (titan::Context)");
  app.add_option("--log-level", opts.log_level, "trace, debug, info, warn, error, critical or off")
      ->check(CLI::IsMember({"trace", "debug", "info", "warn", "error", "critical", "off"}));
  app.add_option("--manager", opts.manager, "Manager control endpoint to report READY to (set by spawn)");
  app.add_option("--heartbeat", opts.heartbeat_ms, "Milliseconds between heartbeats to the manager (0 = none; default 1000)")
      ->check(CLI::Range(0L, 3600000L));
  app.add_option("--id", opts.id, "Token echoed to the manager in READY (set by spawn)");
  app.add_option("--endpoint-file", opts.endpoint_file, "Also write the bound endpoints, one per line, to this file");
  app.add_option("--concurrency", opts.concurrency, "Calls run at once (1 = one at a time; >1 needs a thread-safe service)")
      ->check(CLI::Range(1u, 1024u));
  app.add_option("--max-message-size", opts.max_message_size, "Largest accepted message in bytes")
      ->check(CLI::Range(std::size_t{64}, std::size_t{1} << 31));
  try {
    app.parse(argc, argv);
    if (!check && opts.bind.empty()) throw CLI::RequiredError("--bind");
  } catch (const CLI::ParseError& e) {
    int rc = app.exit(e);
    return rc == 0 ? 0 : to_int(exit_code::usage);
  }

  if (check) return check_plugin(opts.plugin);
  opts.spawned = follow_parent();

  // Signals are read from a signalfd by the socket thread; block them in
  // every thread (threads inherit this mask).
  sigset_t mask;
  sigemptyset(&mask);
  sigaddset(&mask, SIGTERM);
  sigaddset(&mask, SIGINT);
  pthread_sigmask(SIG_BLOCK, &mask, nullptr);
  int stop_fd = ::signalfd(-1, &mask, SFD_CLOEXEC | SFD_NONBLOCK);
  ::signal(SIGPIPE, SIG_IGN);

  auto log = std::make_shared<spdlog::logger>("titan-host", std::make_shared<spdlog::sinks::stderr_color_sink_mt>());
  log->set_level(spdlog::level::from_str(opts.log_level));
  log->set_pattern(std::string("[%Y-%m-%d %H:%M:%S.%e] [") + (opts.name.empty() ? "titan-host" : opts.name) +
                   ":%P] [%^%l%$] %v");
  return serve(opts, log, stop_fd);
}
