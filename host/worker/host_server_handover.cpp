// host_server: the host's side of a hot reload. The manager asks the old
// host for `$snapshot` (it stops taking calls, finishes those it has, then
// hands its state over), gives it to the new host with `$restore`, and
// either stops the old host or, when the new one is not kept, `$resume`s it.
#include "host_server.hpp"

#include "titan/codec.hpp"
#include "titan/control.hpp"

namespace titan::host {

void host_server::begin_snapshot(zmq::message_t& rid, const wire::header& h) {
  if (snapshot_request_) {
    send_error(rid, h.id, status_code::failed_precondition, "a $snapshot is already in progress");
    return;
  }
  if (!frozen_) log_.info("handing over: refusing new calls, {} in flight", counters_.in_flight.load());
  frozen_ = true;
  zmq::message_t copy;
  copy.copy(rid);
  snapshot_request_ = snapshot_request{std::move(copy), h.id};
  // Taken by the socket thread once every call received so far is answered.
}

void host_server::finish_snapshot() {
  snapshot_request r = std::move(*snapshot_request_);
  snapshot_request_.reset();
  msgpack::sbuffer out;
  msgpack::packer<msgpack::sbuffer> p(out);
  if (!service_.has_snapshot()) {
    p.pack_nil();  // nothing to hand over: the new version starts fresh
    send_reply(r.routing_id, wire::kind::reply, r.id, out.data(), out.size());
    return;
  }
  snapshot s;
  std::string error;
  if (!service_.take_snapshot(s, error)) {
    send_error(r.routing_id, r.id, status_code::internal, "snapshot() threw: " + error);
    return;
  }
  p.pack_map(2);
  p.pack("version");
  p.pack(s.version);
  p.pack("data");
  p.pack_bin(static_cast<std::uint32_t>(s.data.size()));
  p.pack_bin_body(s.data.data(), static_cast<std::uint32_t>(s.data.size()));
  log_.info("handed over a snapshot: version {}, {} bytes", s.version, s.data.size());
  send_reply(r.routing_id, wire::kind::reply, r.id, out.data(), out.size());
}

// Body: [{"version": uint, "data": bin}].
void host_server::handle_restore(zmq::message_t& rid, const wire::header& h, const zmq::message_t& body) {
  if (counters_.in_flight.load() != 0) {
    send_error(rid, h.id, status_code::failed_precondition, "$restore must come before the first call");
    return;
  }
  msgpack::object args;
  snapshot s;
  bool have_version = false, have_data = false;
  if (!wire::decode_body(static_cast<const char*>(body.data()), body.size(), zone_, args) &&
      args.type == msgpack::type::ARRAY && args.via.array.size == 1 && args.via.array.ptr[0].type == msgpack::type::MAP) {
    for (const auto& kv : args.via.array.ptr[0].via.map) {
      if (kv.key.type != msgpack::type::STR) continue;
      const std::string_view key(kv.key.via.str.ptr, kv.key.via.str.size);
      if (key == "version" && kv.val.type == msgpack::type::POSITIVE_INTEGER && kv.val.via.u64 <= UINT32_MAX) {
        s.version = static_cast<std::uint32_t>(kv.val.via.u64);
        have_version = true;
      } else if (key == "data" && (kv.val.type == msgpack::type::BIN || kv.val.type == msgpack::type::STR)) {
        s.data.assign(kv.val.type == msgpack::type::BIN ? kv.val.via.bin.ptr : kv.val.via.str.ptr,
                      kv.val.type == msgpack::type::BIN ? kv.val.via.bin.size : kv.val.via.str.size);
        have_data = true;
      }
    }
  }
  if (!have_version || !have_data) {
    send_error(rid, h.id, status_code::invalid_argument, "$restore takes [{\"version\": uint, \"data\": bin}]");
    return;
  }
  if (!service_.has_restore()) {
    log_.warn("a snapshot (version {}) was offered, but this version has no restore(): starting fresh", s.version);
    send_reply(rid, wire::kind::reply, h.id, "\xc2", 1);  // false: not restored
    return;
  }
  std::string error;
  if (!service_.restore(s, error)) {
    send_error(rid, h.id, status_code::failed_precondition,
               "restore() refused the snapshot (version " + std::to_string(s.version) + "): " + error);
    return;
  }
  log_.info("restored a snapshot: version {}, {} bytes", s.version, s.data.size());
  send_reply(rid, wire::kind::reply, h.id, "\xc3", 1);  // true
}

void host_server::send_health(zmq::message_t& rid, std::uint64_t id) {
  std::string reason;
  const bool healthy = service_.healthy(reason);
  control::health_report r{.status = draining_ ? "DRAINING" : frozen_ ? "HANDING_OVER" : healthy ? "SERVING" : "NOT_SERVING",
                           .reason = healthy ? std::nullopt : std::optional(reason)};
  buf_.clear();
  msgpack::pack(buf_, r);
  std::string body(buf_.data(), buf_.size());
  send_reply(rid, wire::kind::reply, id, body.data(), body.size());
}

}  // namespace titan::host
