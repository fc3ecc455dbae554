#include "manager_core.hpp"

#include <signal.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include "host_binary.hpp"
#include "titan/wire.hpp"

namespace titan::detail {
namespace {

using clock = std::chrono::steady_clock;

std::string str_field(const msgpack::object& map, std::string_view key) {
  if (map.type != msgpack::type::MAP) return {};
  for (const auto& kv : map.via.map)
    if (kv.key.type == msgpack::type::STR && std::string_view(kv.key.via.str.ptr, kv.key.via.str.size) == key &&
        kv.val.type == msgpack::type::STR)
      return std::string(kv.val.via.str.ptr, kv.val.via.str.size);
  return {};
}

const msgpack::object* field(const msgpack::object& map, std::string_view key) {
  if (map.type != msgpack::type::MAP) return nullptr;
  for (const auto& kv : map.via.map)
    if (kv.key.type == msgpack::type::STR && std::string_view(kv.key.via.str.ptr, kv.key.via.str.size) == key)
      return &kv.val;
  return nullptr;
}

// titan-host's exit codes (host/worker/exit_code.hpp) as call status codes.
status_code code_for_host_exit(int exit_code) {
  return exit_code == 3 ? status_code::not_found : status_code::failed_precondition;
}

std::shared_ptr<spdlog::logger> default_logger() {
  auto log = std::make_shared<spdlog::logger>("titan-manager", std::make_shared<spdlog::sinks::stderr_color_sink_mt>());
  log->set_level(spdlog::level::warn);
  return log;
}

}  // namespace

manager_core::manager_core(ProcessManager::options opts)
    : opts_(std::move(opts)),
      log_(opts_.logger ? opts_.logger : default_logger()),
      runtime_(std::make_unique<runtime_dir>(opts_.runtime_dir)),
      control_endpoint_("ipc://" + runtime_->path() + "/control.sock"),
      control_(ctx_, zmq::socket_type::router),
      wake_fd_(::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC)) {
  opts_.host_binary = find_host_binary(opts_.host_binary);
  control_.set(zmq::sockopt::linger, 0);
  control_.set(zmq::sockopt::maxmsgsize, int64_t{1} << 20);
  control_.bind(control_endpoint_);
  thread_ = std::thread([this] { loop(); });
}

manager_core::~manager_core() {
  shutdown({});
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  std::uint64_t one = 1;
  [[maybe_unused]] auto n = ::write(wake_fd_, &one, sizeof one);
  thread_.join();
  entries_.clear();  // every child is reaped by now
  ::close(wake_fd_);
}

void manager_core::run_on_loop(std::function<void()> fn) {
  if (std::this_thread::get_id() == thread_.get_id()) return fn();
  std::promise<void> done;
  auto fut = done.get_future();
  {
    std::lock_guard lock(mu_);
    commands_.push_back([&] {
      try {
        fn();
        done.set_value();
      } catch (...) {
        done.set_exception(std::current_exception());
      }
    });
  }
  std::uint64_t one = 1;
  [[maybe_unused]] auto n = ::write(wake_fd_, &one, sizeof one);
  fut.get();
}

manager_core::entry* manager_core::find(std::uint64_t id) {
  auto it = entries_.find(id);
  return it == entries_.end() ? nullptr : it->second.get();
}

process_info manager_core::spawn(const std::string& plugin, const spawn_options& o, std::string_view expected) {
  if (o.transport != "ipc" && o.transport != "tcp")
    throw Error(status_code::invalid_argument, "transport must be \"ipc\" or \"tcp\", not \"" + o.transport + "\"");
  if (o.concurrency == 0) throw Error(status_code::invalid_argument, "concurrency must be at least 1");
  std::future<process_info> ready;
  std::uint64_t id = 0;
  run_on_loop([&] {
    if (shut_down_) throw Error(status_code::failed_precondition, "the process manager has been shut down");
    id = next_id_++;
    auto e = std::make_unique<entry>();
    e->info.id = id;
    e->info.plugin = plugin;
    e->info.name = o.name;
    e->info.started = std::chrono::system_clock::now();
    std::string bind = o.transport == "tcp" ? "tcp://127.0.0.1:*"
                                            : "ipc://" + runtime_->path() + "/host-" + std::to_string(id) + ".sock";
    std::vector<std::string> args{"--plugin",  plugin,           "--bind", bind, "--manager", control_endpoint_,
                                  "--id",      std::to_string(id), "--log-level", o.log_level, "--concurrency",
                                  std::to_string(o.concurrency)};
    if (!o.name.empty()) args.insert(args.end(), {"--name", o.name});
    if (!o.config_file.empty()) args.insert(args.end(), {"--config", o.config_file});
    e->child = std::make_unique<child_process>(opts_.host_binary, args,
                                               std::vector<std::string>{"TITAN_PARENT_PID=" + std::to_string(::getpid())});
    e->info.pid = e->child->pid();
    e->ready.emplace();
    ready = e->ready->get_future();
    std::lock_guard lock(mu_);
    entries_.emplace(id, std::move(e));
  });

  if (ready.wait_for(o.ready_timeout) != std::future_status::ready) {
    run_on_loop([&] {
      if (entry* e = find(id); e && e->ready) {
        e->child->signal_group(SIGKILL);
        fail_start(*e, Error(status_code::deadline_exceeded, "host for " + plugin + " did not report READY within " +
                                                                 std::to_string(o.ready_timeout.count()) + " ms"));
      }
    });
  }
  process_info info = ready.get();  // throws the host's reason
  if (!expected.empty() && info.service != expected) {
    stop(id, std::chrono::milliseconds(1000), false);
    throw Error(status_code::invalid_argument, plugin + " serves '" + info.service + "', not '" +
                                                   std::string(expected) + "' as the requested proxy expects");
  }
  return info;
}

void manager_core::fail_start(entry& e, Error error) {
  if (!e.ready) return;
  e.ready->set_exception(std::make_exception_ptr(std::move(error)));
  e.ready.reset();
}

void manager_core::loop() {
  // Keep SIGTERM/SIGINT for the application; children get a clean mask.
  for (;;) {
    std::vector<zmq::pollitem_t> items{{control_.handle(), 0, ZMQ_POLLIN, 0}, {nullptr, wake_fd_, ZMQ_POLLIN, 0}};
    std::vector<entry*> watched;
    {
      std::lock_guard lock(mu_);
      if (stopping_) return;
      for (auto& [id, e] : entries_) {
        if (e->child->reaped()) continue;
        items.push_back({nullptr, e->child->pidfd(), ZMQ_POLLIN, 0});
        watched.push_back(e.get());
      }
    }
    zmq::poll(items.data(), items.size(), std::chrono::milliseconds(-1));
    if (items[1].revents & ZMQ_POLLIN) {
      std::uint64_t n;
      [[maybe_unused]] auto r = ::read(wake_fd_, &n, sizeof n);
    }
    for (std::size_t i = 0; i < watched.size(); ++i)
      if (items[i + 2].revents & ZMQ_POLLIN) on_exit(*watched[i]);
    if (items[0].revents & ZMQ_POLLIN) on_control_message();
    std::deque<std::function<void()>> cmds;
    {
      std::lock_guard lock(mu_);
      cmds.swap(commands_);
    }
    for (auto& c : cmds) c();
  }
}

void manager_core::on_control_message() {
  for (int budget = 0; budget < 64; ++budget) {
    std::vector<zmq::message_t> frames;
    auto r = zmq::recv_multipart(control_, std::back_inserter(frames), zmq::recv_flags::dontwait);
    if (!r) return;
    if (frames.size() != 3) continue;
    msgpack::zone zone;
    wire::header h;
    if (wire::decode_header(static_cast<const char*>(frames[1].data()), frames[1].size(), zone, h)) continue;
    if (h.msg_kind != wire::kind::call) continue;
    msgpack::object body;
    if (wire::decode_body(static_cast<const char*>(frames[2].data()), frames[2].size(), zone, body) ||
        body.type != msgpack::type::ARRAY || body.via.array.size != 1)
      continue;
    const msgpack::object& report = body.via.array.ptr[0];
    std::string id_text = str_field(report, "id");
    std::uint64_t id = 0;
    try {
      id = std::stoull(id_text);
    } catch (const std::exception&) {
      log_->warn("control message {} with an unknown host id '{}'", h.method, id_text);
      continue;
    }
    entry* e = find(id);
    if (e == nullptr) continue;
    if (h.method == "$ready")
      on_ready(*e, report);
    else if (h.method == "$failed")
      on_failed(*e, report);
    // Acknowledge, so the host knows it was heard.
    msgpack::sbuffer header;
    wire::encode_header(header, wire::kind::reply, h.id, "");
    control_.send(frames[0], zmq::send_flags::sndmore);
    control_.send(zmq::const_buffer(header.data(), header.size()), zmq::send_flags::sndmore);
    control_.send(zmq::const_buffer("\xc0", 1), zmq::send_flags::none);
  }
}

void manager_core::on_ready(entry& e, const msgpack::object& report) {
  {
    std::lock_guard lock(mu_);
    e.info.name = str_field(report, "name");
    e.info.service = str_field(report, "service");
    e.info.version = str_field(report, "version");
    if (const msgpack::object* eps = field(report, "endpoints");
        eps && eps->type == msgpack::type::ARRAY && eps->via.array.size > 0 &&
        eps->via.array.ptr[0].type == msgpack::type::STR)
      e.info.endpoint.assign(eps->via.array.ptr[0].via.str.ptr, eps->via.array.ptr[0].via.str.size);
    e.info.state = process_state::running;
  }
  log_->info("host {} ({} {}) ready on {} as pid {}", e.info.id, e.info.service, e.info.version, e.info.endpoint,
             e.info.pid);
  if (e.ready) {
    e.ready->set_value(e.info);
    e.ready.reset();
  }
}

void manager_core::on_failed(entry& e, const msgpack::object& report) {
  e.failure = str_field(report, "message");
  if (const msgpack::object* c = field(report, "exit_code"); c && c->type == msgpack::type::POSITIVE_INTEGER)
    e.failure_exit_code = static_cast<int>(c->via.u64);
  fail_start(e, Error(code_for_host_exit(e.failure_exit_code), e.failure));
}

void manager_core::on_exit(entry& e) {
  auto status = e.child->try_reap();
  if (!status) return;
  e.child->signal_group(SIGKILL);  // leave no grandchildren behind
  {
    std::lock_guard lock(mu_);
    e.info.state = process_state::exited;
    e.info.exit_reason = describe_wait_status(*status);
  }
  exited_cv_.notify_all();
  if (e.ready) {
    std::string why = e.failure.empty() ? "titan-host " + e.info.exit_reason + " before it was ready" : e.failure;
    fail_start(e, Error(code_for_host_exit(WIFEXITED(*status) ? WEXITSTATUS(*status) : 0), why));
  } else {
    log_->info("host {} ({}) {}", e.info.id, e.info.name, e.info.exit_reason);
  }
}

std::vector<process_info> manager_core::list() const {
  std::lock_guard lock(mu_);
  std::vector<process_info> out;
  for (const auto& [id, e] : entries_) out.push_back(e->info);
  return out;
}

std::optional<process_info> manager_core::get(std::uint64_t id) const {
  std::lock_guard lock(mu_);
  auto it = entries_.find(id);
  if (it == entries_.end()) return std::nullopt;
  return it->second->info;
}

bool manager_core::kill(std::uint64_t id, int sig) {
  bool sent = false;
  run_on_loop([&] {
    if (entry* e = find(id)) sent = e->child->signal(sig);
  });
  return sent;
}

bool manager_core::stop(std::uint64_t id, std::chrono::milliseconds timeout, bool force) {
  bool found = false;
  run_on_loop([&] {
    entry* e = find(id);
    if (e == nullptr || e->child->reaped()) return;
    found = true;
    std::lock_guard lock(mu_);
    e->info.state = process_state::stopping;
    e->child->signal(force ? SIGKILL : SIGTERM);  // SIGTERM: the host drains, then exits
  });
  if (!found) return false;
  auto exited = [&] {
    auto it = entries_.find(id);
    return it->second->info.state == process_state::exited;
  };
  std::unique_lock lock(mu_);
  if (!exited_cv_.wait_for(lock, timeout, exited)) {
    lock.unlock();
    run_on_loop([&] {
      if (entry* e = find(id)) e->child->signal_group(SIGKILL);
    });
    lock.lock();
    exited_cv_.wait(lock, exited);  // SIGKILL cannot be ignored
  }
  return true;
}

void manager_core::shutdown(const shutdown_options& o) {
  std::vector<std::uint64_t> ids;
  {
    std::lock_guard lock(mu_);
    if (shut_down_) return;
    for (auto it = entries_.rbegin(); it != entries_.rend(); ++it) ids.push_back(it->first);
  }
  run_on_loop([&] { shut_down_ = true; });
  for (auto id : ids) stop(id, o.timeout, o.force);
}

}  // namespace titan::detail
