#include "titan/detail/method_call.hpp"

#include <string>

#include "titan/codec.hpp"
#include "titan/detail/sbuffer_output.hpp"
#include "titan/wire.hpp"

namespace titan::detail {
namespace {

void set_text(msgpack::sbuffer& out, std::string_view text) {
  out.clear();
  out.write(text.data(), text.size());
}

}  // namespace

const titan_method* find_method(const titan_method* table, std::size_t count, std::string_view name) noexcept {
  for (std::size_t i = 0; i < count; ++i)
    if (table[i].name != nullptr && name == table[i].name) return &table[i];
  return nullptr;
}

bool check_call_body(const char* body, std::size_t size, msgpack::sbuffer& out) {
  msgpack::type::object_type top = msgpack::type::NIL;
  if (auto err = wire::check_body(body, size, top)) {
    set_text(out, "bad body: " + *err);
    return false;
  }
  if (top != msgpack::type::ARRAY) {
    msgpack::object o;
    o.type = top;
    set_text(out, "arguments must be an array, got " + std::string(wire_type_name(o)));
    return false;
  }
  return true;
}

status_code run_method(const titan_method& m, void* instance, const char* body, std::size_t size,
                       const titan_stream* stream, msgpack::sbuffer& out) noexcept {
  out.clear();
  sbuffer_output sink(out);
  const titan_call call{sizeof(titan_call), body, size, sink.get(), stream};
  const std::int32_t code = m.invoke(instance, &call);
  if (auto known = status_code_from_int(code)) return *known;
  try {
    std::string message = "the method returned status " + std::to_string(code) + ": ";
    message.append(out.data(), out.size());
    set_text(out, message);
  } catch (...) {
    out.clear();  // out of memory: an empty message rather than none at all
  }
  return status_code::unknown;
}

status_code call_method(const titan_method& m, void* instance, const char* body, std::size_t size,
                        msgpack::sbuffer& out) noexcept {
  try {
    if (!check_call_body(body, size, out)) return status_code::invalid_argument;
  } catch (...) {
    out.clear();
    return status_code::resource_exhausted;
  }
  return run_method(m, instance, body, size, nullptr, out);
}

}  // namespace titan::detail
