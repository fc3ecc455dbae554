#include "service_instance.hpp"

#include "host_error.hpp"

namespace titan::host {

service_instance::service_instance(std::unique_ptr<plugin_library> library, Context& ctx)
    : library_(std::move(library)) {
  const plugin_descriptor& d = descriptor();
  for (std::size_t i = 0; i < d.method_count; ++i) index_.emplace(d.methods[i].name, static_cast<int>(i));
  std::string error;
  instance_ = d.create(ctx, error);
  if (instance_ == nullptr)
    throw host_error(exit_code::constructor_threw,
                     std::string("the constructor of service '") + d.service_name + "' threw: " + error);
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

bool service_instance::take_snapshot(snapshot& out, std::string& error) {
  auto fn = hook(&plugin_descriptor::snapshot);
  if (fn == nullptr) {
    error = "the service has no snapshot() hook";
    return false;
  }
  return fn(instance_, out.version, out.data, error);
}

bool service_instance::restore(const snapshot& in, std::string& error) {
  auto fn = hook(&plugin_descriptor::restore);
  if (fn == nullptr) {
    error = "the service has no restore() hook";
    return false;
  }
  return fn(instance_, in.version, in.data, error);
}

bool service_instance::healthy(std::string& reason) {
  auto fn = hook(&plugin_descriptor::health);
  return fn == nullptr || fn(instance_, reason);
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
  method_schema schema;
  for (std::size_t i = 0; i < d.method_count; ++i) {
    const method_entry& m = d.methods[i];
    m.describe(schema);
    p.pack_map(4);
    p.pack("name");
    p.pack(m.name);
    p.pack("args");
    p.pack(schema.args);
    p.pack("result");
    p.pack(schema.result);
    p.pack("idempotent");
    p.pack(has_flag(m.flags, method_flags::idempotent));
  }
}

}  // namespace titan::host
