// manager_core: the control socket. Hosts report `$ready` / `$failed`;
// clients `$watch` a name for its membership; other methods are the
// titan.manager service, run by the service handler on its own thread.
#include <sys/syscall.h>
#include <unistd.h>

#include <spdlog/spdlog.h>

#include "manager_core.hpp"
#include "titan/detail/msgpack_fields.hpp"

namespace titan::detail {
namespace {

using detail::map_field;
std::string_view str(const msgpack::object& o) { return detail::str_of(o); }
const msgpack::object* field(const msgpack::object& map, std::string_view key) { return map_field(map, key); }

std::string str_field(const msgpack::object& map, std::string_view key) {
  const msgpack::object* v = field(map, key);
  return v ? std::string(str(*v)) : std::string();
}

std::string first_endpoint(const msgpack::object& report) {
  const msgpack::object* eps = field(report, "endpoints");
  if (eps && eps->type == msgpack::type::ARRAY && eps->via.array.size > 0) return std::string(str(eps->via.array.ptr[0]));
  return {};
}

std::string as_string(const zmq::message_t& m) { return std::string(static_cast<const char*>(m.data()), m.size()); }

}  // namespace

void manager_core::set_service_handler(service_handler handler) {
  handler_ = std::move(handler);
  auto serve = [this](std::deque<std::function<void()>>& jobs) {
    std::unique_lock lock(mu_);
    for (;;) {
      service_cv_.wait(lock, [&] { return service_stopping_ || !jobs.empty(); });
      if (service_stopping_) return;
      auto job = std::move(jobs.front());
      jobs.pop_front();
      lock.unlock();
      job();
      lock.lock();
    }
  };
  service_thread_ = std::thread(serve, std::ref(service_jobs_));
  slow_thread_ = std::thread(serve, std::ref(slow_jobs_));
}

void manager_core::on_control_message() {
  for (int budget = 0; budget < 64; ++budget) {
    std::vector<zmq::message_t> frames;
    if (!zmq::recv_multipart(control_, std::back_inserter(frames), zmq::recv_flags::dontwait)) return;
    if (frames.size() != 3) continue;
    msgpack::zone zone;
    wire::header h;
    if (wire::decode_header(static_cast<const char*>(frames[1].data()), frames[1].size(), zone, h)) continue;
    if (h.msg_kind == wire::kind::cancel) {  // a client stops watching
      const std::string rid = as_string(frames[0]);
      std::erase_if(watchers_, [&](const watcher& w) { return w.routing_id == rid && w.call_id == h.id; });
      continue;
    }
    if (h.msg_kind == wire::kind::ping) {
      reply(as_string(frames[0]), wire::kind::pong, h.id, "\xc0", 1);
      continue;
    }
    if (h.msg_kind != wire::kind::call) continue;
    if (h.method.empty() || h.method[0] != '$') {
      on_service_call(frames[0], h.id, h.method, std::move(frames[2]));
      continue;
    }
    msgpack::object body;
    if (wire::decode_body(static_cast<const char*>(frames[2].data()), frames[2].size(), zone, body) ||
        body.type != msgpack::type::ARRAY || body.via.array.size != 1)
      continue;
    const msgpack::object& arg = body.via.array.ptr[0];
    if (h.method == "$watch") {
      on_watch(frames[0], h.id, arg);
      continue;
    }
    if (h.method == "$heartbeat") {
      on_heartbeat(arg);
      reply(as_string(frames[0]), wire::kind::reply, h.id, "\xc0", 1);
      continue;
    }
    if (h.method != "$ready" && h.method != "$failed") continue;
    const std::string id_text = str_field(arg, "id");
    entry* e = nullptr;
    if (!id_text.empty()) {
      try {
        e = find(std::stoull(id_text));
      } catch (const std::exception&) {
      }
    }
    if (e == nullptr && h.method == "$ready")
      adopt(arg);  // started by hand: titan-host --manager
    else if (e != nullptr && h.method == "$ready" && !e->abandoned && e->alive())
      on_ready(*e, arg);
    else if (e != nullptr)
      on_failed(*e, arg);
    reply(as_string(frames[0]), wire::kind::reply, h.id, "\xc0", 1);  // heard
  }
}

void manager_core::on_ready(entry& e, const msgpack::object& report) {
  {
    std::lock_guard lock(mu_);
    e.info.name = str_field(report, "name");
    e.info.service = str_field(report, "service");
    e.info.version = str_field(report, "version");
    e.info.build_id = str_field(report, "build_id");
    if (const msgpack::object* st = field(report, "stateful"); st && st->type == msgpack::type::BOOLEAN)
      e.stateful = st->via.boolean;
    e.info.endpoint = first_endpoint(report);
    if (e.info.group.empty()) e.info.group = e.info.name;
    e.info.state = e.intentional_stop ? process_state::stopping : process_state::running;
    e.up_since = clock::now();
    e.last_heartbeat = e.up_since;
  }
  log_->info("host {} ({} {}) ready on {} as pid {}", e.info.id, e.info.service, e.info.version, e.info.endpoint,
             e.info.pid);
  publish(e.info.group);
  if (e.ready) {
    e.ready->set_value(e.info);
    e.ready.reset();
  }
  if (e.supervised) supervision_->host_ready(e.info.id);
}

void manager_core::on_failed(entry& e, const msgpack::object& report) {
  e.failure = str_field(report, "message");
  // spawn() throws this reason once the host has exited and been reaped
  // (on_exit), so that no failed host is still around when it returns.
}

void manager_core::adopt(const msgpack::object& report) {
  const msgpack::object* pid = field(report, "pid");
  if (!pid || pid->type != msgpack::type::POSITIVE_INTEGER) return;
  const int fd = static_cast<int>(::syscall(SYS_pidfd_open, static_cast<pid_t>(pid->via.u64), 0));
  if (fd < 0) {
    log_->warn("a host (pid {}) reported READY but is not visible from here; ignored", pid->via.u64);
    return;
  }
  auto e = std::make_unique<entry>();
  e->adopted_pidfd = fd;
  e->info.id = next_id_++;
  e->info.adopted = true;
  e->info.pid = static_cast<pid_t>(pid->via.u64);
  e->info.name = str_field(report, "name");
  e->info.group = e->info.name;
  e->info.service = str_field(report, "service");
  e->info.version = str_field(report, "version");
  e->info.endpoint = first_endpoint(report);
  e->info.started = std::chrono::system_clock::now();
  e->info.state = process_state::running;
  e->up_since = clock::now();
  log_->info("adopted host pid {} ({}) on {}", e->info.pid, e->info.name, e->info.endpoint);
  const std::string name = e->info.group;
  {
    std::lock_guard lock(mu_);
    entries_.emplace(e->info.id, std::move(e));
  }
  publish(name);
}

void manager_core::on_watch(const zmq::message_t& routing_id, std::uint64_t call_id, const msgpack::object& name) {
  watcher w{as_string(routing_id), call_id, std::string(str(name))};
  const std::string body = membership_body(w.group);
  watchers_.push_back(w);
  reply(w.routing_id, wire::kind::stream_item, call_id, body.data(), body.size());
}

void manager_core::publish(const std::string& group_name) {
  ++versions_[group_name];
  const std::string body = membership_body(group_name);
  for (const auto& w : std::vector<watcher>(watchers_))
    if (w.group == group_name) reply(w.routing_id, wire::kind::stream_item, w.call_id, body.data(), body.size());
}

std::string manager_core::membership_body(const std::string& group_name) {
  auto v = versions_.find(group_name);
  msgpack::sbuffer out;
  msgpack::packer<msgpack::sbuffer> p(out);
  std::vector<const entry*> live;
  {
    std::lock_guard lock(mu_);
    for (const auto& [id, e] : entries_)
      if (e->info.group == group_name && e->info.state == process_state::running && !e->info.endpoint.empty() &&
          !e->unlisted)
        live.push_back(e.get());
  }
  auto call_timeout = call_timeouts_.find(group_name);
  p.pack_map(call_timeout == call_timeouts_.end() ? 3 : 4);
  if (call_timeout != call_timeouts_.end()) {
    p.pack("call_timeout_ms");
    p.pack(static_cast<std::uint64_t>(call_timeout->second.count()));
  }
  p.pack("name");
  p.pack(group_name);
  p.pack("version");
  p.pack(v == versions_.end() ? std::uint64_t{0} : v->second);
  p.pack("members");
  p.pack_array(static_cast<std::uint32_t>(live.size()));
  for (const entry* e : live) {
    // A pool slot keeps its key across restarts, so consistent hashing
    // sends the same keys to its replacement.
    const std::string key = e->slot >= 0 ? group_name + "#" + std::to_string(e->slot)
                                         : group_name + "@" + std::to_string(e->info.id);
    p.pack_map(3);
    p.pack("id");
    p.pack(e->info.id);
    p.pack("key");
    p.pack(key);
    p.pack("endpoint");
    p.pack(e->info.endpoint);
  }
  return std::string(out.data(), out.size());
}

void manager_core::on_service_call(const zmq::message_t& routing_id, std::uint64_t call_id, std::string_view method,
                                   zmq::message_t body) {
  std::string rid = as_string(routing_id);
  if (!handler_) {
    msgpack::sbuffer err;
    wire::encode_error_body(err, "UNIMPLEMENTED", "this manager serves no titan.manager methods (run `titan daemon`)");
    reply(rid, wire::kind::error, call_id, err.data(), err.size());
    return;
  }
  {
    std::lock_guard lock(mu_);
    // A reload takes seconds: on its own thread, so that `ps` answers meanwhile.
    (method == "reload" ? slow_jobs_ : service_jobs_).push_back([this, rid, call_id, m = std::string(method), b = as_string(body)]() mutable {
      wire::kind k = wire::kind::reply;
      std::string out;
      try {
        out = handler_(m, b.data(), b.size());
      } catch (const Error& e) {
        msgpack::sbuffer err;
        wire::encode_error_body(err, to_string(e.code()), e.message());
        out.assign(err.data(), err.size());
        k = wire::kind::error;
      } catch (const std::exception& e) {
        msgpack::sbuffer err;
        wire::encode_error_body(err, "INTERNAL", e.what());
        out.assign(err.data(), err.size());
        k = wire::kind::error;
      }
      try {
        run_on_loop([&] { reply(rid, k, call_id, out.data(), out.size()); });
      } catch (const std::exception&) {
      }
    });
  }
  service_cv_.notify_all();
}

void manager_core::reply(const std::string& routing_id, wire::kind k, std::uint64_t id, const char* body,
                         std::size_t size) {
  msgpack::sbuffer header;
  wire::encode_header(header, k, id, "");
  try {
    control_.send(zmq::const_buffer(routing_id.data(), routing_id.size()), zmq::send_flags::sndmore);
    control_.send(zmq::const_buffer(header.data(), header.size()), zmq::send_flags::sndmore);
    control_.send(zmq::const_buffer(body, size), zmq::send_flags::none);
  } catch (const zmq::error_t& e) {
    if (e.num() != EHOSTUNREACH) throw;
    // That peer is gone: forget what it watched.
    std::erase_if(watchers_, [&](const watcher& w) { return w.routing_id == routing_id; });
  }
}

}  // namespace titan::detail
