#include "service_instance.hpp"

#include "host_error.hpp"
#include "titan/detail/method_call.hpp"
#include "titan/detail/sbuffer_output.hpp"
#include "titan/wire.hpp"

namespace titan::host {
namespace {

std::string text_of(const msgpack::sbuffer& b) { return std::string(b.data(), b.size()); }

// A method's schema as its describe() wrote it: {"args": [str], "result": str}.
void pack_schema(msgpack::packer<msgpack::sbuffer>& p, const titan_method& m) {
  msgpack::sbuffer buf;
  titan::detail::sbuffer_output sink(buf);
  msgpack::zone zone;
  msgpack::object schema;
  const msgpack::object* args = nullptr;
  const msgpack::object* result = nullptr;
  if (m.describe(sink.get()) == TITAN_OK && !wire::decode_body(buf.data(), buf.size(), zone, schema) &&
      schema.type == msgpack::type::MAP) {
    for (const auto& kv : schema.via.map) {
      if (kv.key.type != msgpack::type::STR) continue;
      const std::string_view key(kv.key.via.str.ptr, kv.key.via.str.size);
      if (key == "args" && kv.val.type == msgpack::type::ARRAY) args = &kv.val;
      if (key == "result" && kv.val.type == msgpack::type::STR) result = &kv.val;
    }
  }
  // A plugin whose schema is unreadable still lists the method.
  p.pack("args");
  if (args != nullptr) p.pack(*args);
  else p.pack_array(0);
  p.pack("result");
  if (result != nullptr) p.pack(*result);
  else p.pack("any");
}

}  // namespace

service_instance::service_instance(std::unique_ptr<plugin_library> library, const host_context& ctx)
    : library_(std::move(library)) {
  const plugin_descriptor& d = descriptor();
  for (std::size_t i = 0; i < d.method_count; ++i) index_.emplace(d.methods[i].name, static_cast<int>(i));
  msgpack::sbuffer error;
  titan::detail::sbuffer_output sink(error);
  void* instance = nullptr;
  if (d.create(&ctx.abi(), &instance, sink.get()) != TITAN_OK || instance == nullptr)
    throw host_error(exit_code::constructor_threw,
                     std::string("the constructor of service '") + d.service_name + "' threw: " + text_of(error));
  instance_ = instance;
}

service_instance::~service_instance() {
  if (instance_ != nullptr) descriptor().destroy(instance_);
}

int service_instance::find(std::string_view method) const {
  auto it = index_.find(method);
  return it == index_.end() ? -1 : it->second;
}

std::string service_instance::method_list() const {
  std::string out;
  for (std::size_t i = 0; i < descriptor().method_count; ++i) {
    if (!out.empty()) out += ", ";
    out += descriptor().methods[i].name;
  }
  return out;
}

status_code service_instance::invoke(int index, const char* body, std::size_t size, msgpack::sbuffer& out,
                                     const titan_stream* stream) noexcept {
  return titan::detail::run_method(method(index), instance_, body, size, stream, out);
}

bool service_instance::take_snapshot(snapshot& out, std::string& error) {
  if (!has_snapshot()) {
    error = "the service has no snapshot() hook";
    return false;
  }
  msgpack::sbuffer buf;
  titan::detail::sbuffer_output sink(buf);
  std::uint32_t version = 0;
  if (descriptor().snapshot(instance_, &version, sink.get()) != TITAN_OK) {
    error = text_of(buf);
    return false;
  }
  out.version = version;
  out.data = text_of(buf);
  return true;
}

bool service_instance::restore(const snapshot& in, std::string& error) {
  if (!has_restore()) {
    error = "the service has no restore() hook";
    return false;
  }
  msgpack::sbuffer buf;
  titan::detail::sbuffer_output sink(buf);
  if (descriptor().restore(instance_, in.version, in.data.data(), in.data.size(), sink.get()) != TITAN_OK) {
    error = text_of(buf);
    return false;
  }
  return true;
}

bool service_instance::healthy(std::string& reason) {
  if (descriptor().health == nullptr) return true;
  msgpack::sbuffer buf;
  titan::detail::sbuffer_output sink(buf);
  if (descriptor().health(instance_, sink.get()) == TITAN_OK) return true;
  reason = text_of(buf);
  return false;
}

void service_instance::pack_describe(msgpack::sbuffer& out, std::string_view name) const {
  const plugin_descriptor& d = descriptor();
  msgpack::packer<msgpack::sbuffer> p(out);
  p.pack_map(6);
  p.pack("service");
  p.pack(d.service_name);
  p.pack("version");
  p.pack(d.service_version);
  p.pack("sdk_version");
  p.pack(d.sdk_version);
  p.pack("abi");
  p.pack(d.abi_version);
  p.pack("name");
  p.pack(name);
  p.pack("methods");
  p.pack_array(static_cast<std::uint32_t>(d.method_count));
  for (std::size_t i = 0; i < d.method_count; ++i) {
    const titan_method& m = d.methods[i];
    p.pack_map(4);
    p.pack("name");
    p.pack(m.name);
    pack_schema(p, m);
    p.pack("idempotent");
    p.pack(has_flag(m.flags, method_flags::idempotent));
  }
}

}  // namespace titan::host
