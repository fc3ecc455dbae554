#include "titan/wire.hpp"

#include <algorithm>
#include <array>

#include "msgpack_reader.hpp"

namespace titan::wire {
namespace {

std::optional<std::string> unpack_exact(const char* data, std::size_t size, msgpack::zone& zone,
                                        msgpack::object& out, const decode_limits& limits) {
  if (size == 0) return "empty frame";
  const detail::reader_limits rl{limits.max_depth, limits.max_container, limits.max_string};
  detail::msgpack_reader reader(data, size, zone, rl);
  if (!reader.read(out)) return reader.error();
  if (!reader.at_end()) return "frame has " + std::to_string(reader.remaining()) + " trailing bytes";
  return std::nullopt;
}

std::string_view as_str(const msgpack::object& o) { return {o.via.str.ptr, o.via.str.size}; }

void pack_str(msgpack::packer<msgpack::sbuffer>& p, std::string_view s) {
  p.pack_str(static_cast<std::uint32_t>(s.size()));
  p.pack_str_body(s.data(), static_cast<std::uint32_t>(s.size()));
}

}  // namespace

std::string_view to_string(kind k) noexcept {
  static constexpr std::array<std::string_view, 10> names{
      "?", "CALL", "REPLY", "ERROR", "STREAM_ITEM", "STREAM_END", "CANCEL", "CREDIT", "PING", "PONG"};
  auto i = static_cast<std::size_t>(k);
  return i < names.size() ? names[i] : "?";
}

void encode_header(msgpack::sbuffer& out, kind k, std::uint64_t id, std::string_view method, const meta& m) {
  msgpack::packer<msgpack::sbuffer> p(out);
  p.pack_array(5);
  p.pack_uint64(protocol_version);
  p.pack_uint8(static_cast<std::uint8_t>(k));
  p.pack_uint64(id);
  pack_str(p, method);
  p.pack_map((m.deadline_ms != 0 ? 1 : 0) + (m.traceparent.empty() ? 0 : 1) + (m.credit != 0 ? 1 : 0));
  if (m.credit != 0) {
    pack_str(p, "credit");
    p.pack_uint64(m.credit);
  }
  if (m.deadline_ms != 0) {
    pack_str(p, "deadline_ms");
    p.pack_uint64(m.deadline_ms);
  }
  if (!m.traceparent.empty()) {
    pack_str(p, "traceparent");
    pack_str(p, m.traceparent);
  }
}

std::optional<decode_error> decode_header(const char* data, std::size_t size, msgpack::zone& zone, header& out,
                                          const decode_limits& limits) {
  msgpack::object o;
  if (auto err = unpack_exact(data, size, zone, o, limits)) return decode_error{"bad header: " + *err, std::nullopt};
  if (o.type != msgpack::type::ARRAY || o.via.array.size < 5)
    return decode_error{"bad header: expected an array [version, kind, id, method, meta]", std::nullopt};
  const msgpack::object* f = o.via.array.ptr;
  if (f[2].type != msgpack::type::POSITIVE_INTEGER)
    return decode_error{"bad header: call id must be an unsigned integer", std::nullopt};
  out.id = f[2].via.u64;
  auto fail = [&](std::string m) { return decode_error{"bad header: " + std::move(m), out.id}; };
  if (f[0].type != msgpack::type::POSITIVE_INTEGER || f[0].via.u64 != protocol_version)
    return fail("unsupported protocol version (this peer speaks version 1)");
  if (f[1].type != msgpack::type::POSITIVE_INTEGER || f[1].via.u64 < 1 || f[1].via.u64 > 9)
    return fail("unknown message kind");
  out.msg_kind = static_cast<kind>(f[1].via.u64);
  if (f[3].type != msgpack::type::STR) return fail("method must be a string");
  out.method = as_str(f[3]);
  out.meta = {};
  if (f[4].type == msgpack::type::NIL) return std::nullopt;
  if (f[4].type != msgpack::type::MAP) return fail("meta must be a map");
  for (const auto& kv : f[4].via.map) {
    if (kv.key.type != msgpack::type::STR) continue;
    std::string_view key = as_str(kv.key);
    if (key == "deadline_ms") {
      if (kv.val.type != msgpack::type::POSITIVE_INTEGER) return fail("meta deadline_ms must be an unsigned integer");
      out.meta.deadline_ms = kv.val.via.u64;
    } else if (key == "traceparent") {
      if (kv.val.type != msgpack::type::STR) return fail("meta traceparent must be a string");
      out.meta.traceparent = as_str(kv.val);
    } else if (key == "credit") {
      if (kv.val.type != msgpack::type::POSITIVE_INTEGER || kv.val.via.u64 == 0)
        return fail("meta credit must be an unsigned integer above 0");
      out.meta.credit = kv.val.via.u64;
    }
  }
  return std::nullopt;
}

std::optional<std::string> decode_body(const char* data, std::size_t size, msgpack::zone& zone, msgpack::object& out,
                                       const decode_limits& limits) {
  return unpack_exact(data, size, zone, out, limits);
}

std::optional<std::string> check_body(const char* data, std::size_t size, msgpack::type::object_type& top,
                                      const decode_limits& limits) {
  if (size == 0) return "empty frame";
  const detail::reader_limits rl{limits.max_depth, limits.max_container, limits.max_string};
  detail::msgpack_reader reader(data, size, rl);
  msgpack::object o;
  if (!reader.read(o)) return reader.error();
  if (!reader.at_end()) return "frame has " + std::to_string(reader.remaining()) + " trailing bytes";
  top = o.type;
  return std::nullopt;
}

void encode_error_body(msgpack::sbuffer& out, std::string_view code, std::string_view message, bool not_executed) {
  msgpack::packer<msgpack::sbuffer> p(out);
  p.pack_map(not_executed ? 3 : 2);
  pack_str(p, "code");
  pack_str(p, code);
  pack_str(p, "message");
  pack_str(p, message);
  if (not_executed) {
    pack_str(p, "not_executed");
    p.pack_true();
  }
}

}  // namespace titan::wire

namespace titan::wire {

bool decode_error_body(const char* data, std::size_t size, msgpack::zone& zone, std::string& code,
                       std::string& message, bool* not_executed) {
  msgpack::object o;
  if (not_executed) *not_executed = false;
  code = "UNKNOWN";
  message = "malformed ERROR body";
  if (unpack_exact(data, size, zone, o, {}) || o.type != msgpack::type::MAP) return false;
  bool have_code = false;
  for (const auto& kv : o.via.map) {
    if (kv.key.type == msgpack::type::STR && kv.val.type == msgpack::type::BOOLEAN && as_str(kv.key) == "not_executed") {
      if (not_executed) *not_executed = kv.val.via.boolean;
      continue;
    }
    if (kv.key.type != msgpack::type::STR || kv.val.type != msgpack::type::STR) continue;
    std::string_view key = as_str(kv.key);
    if (key == "code") {
      code = std::string(as_str(kv.val));
      have_code = true;
    } else if (key == "message") {
      message = std::string(as_str(kv.val));
    }
  }
  return have_code;
}

}  // namespace titan::wire
