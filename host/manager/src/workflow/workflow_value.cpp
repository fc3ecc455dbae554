#include "titan/workflow_value.hpp"

#include <cmath>
#include <cstdio>

namespace titan {
namespace {

void append_json_string(std::string& out, const std::string& s) {
  out += '"';
  for (unsigned char c : s) {
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      default:
        if (c < 0x20) {
          char buf[8];
          std::snprintf(buf, sizeof buf, "\\u%04x", c);
          out += buf;
        } else {
          out += static_cast<char>(c);
        }
    }
  }
  out += '"';
}

void append_json(std::string& out, const workflow_value& v) {
  switch (v.type()) {
    case workflow_value::kind::nil: out += "null"; return;
    case workflow_value::kind::boolean: out += *v.if_bool() ? "true" : "false"; return;
    case workflow_value::kind::integer:
      out += v.if_negative() ? std::to_string(*v.if_negative()) : std::to_string(*v.if_unsigned());
      return;
    case workflow_value::kind::floating: {
      const double d = *v.if_double();
      if (!std::isfinite(d)) {
        out += "null";
        return;
      }
      char buf[32];
      std::snprintf(buf, sizeof buf, "%.17g", d);
      out += buf;
      return;
    }
    case workflow_value::kind::string: append_json_string(out, *v.if_string()); return;
    case workflow_value::kind::bytes: {
      out += '[';
      bool first = true;
      for (auto b : *v.if_bytes()) out += (first ? "" : ",") + std::to_string(b), first = false;
      out += ']';
      return;
    }
    case workflow_value::kind::array: {
      out += '[';
      bool first = true;
      for (const auto& e : *v.if_array()) {
        if (!first) out += ',';
        first = false;
        append_json(out, e);
      }
      out += ']';
      return;
    }
    case workflow_value::kind::object: {
      out += '{';
      bool first = true;
      for (const auto& [k, e] : *v.if_object()) {
        if (!first) out += ',';
        first = false;
        append_json_string(out, k);
        out += ':';
        append_json(out, e);
      }
      out += '}';
      return;
    }
  }
}

}  // namespace

workflow_value::kind workflow_value::type() const {
  switch (v_.index()) {
    case 0: return kind::nil;
    case 1: return kind::boolean;
    case 2:
    case 3: return kind::integer;
    case 4: return kind::floating;
    case 5: return kind::string;
    case 6: return kind::bytes;
    case 7: return kind::array;
    default: return kind::object;
  }
}

const workflow_value* workflow_value::find(std::string_view key) const {
  if (const object* o = if_object())
    for (const auto& [k, v] : *o)
      if (k == key) return &v;
  return nullptr;
}

const workflow_value* workflow_value::at(std::size_t index) const {
  if (const array* a = if_array(); a && index < a->size()) return &(*a)[index];
  return nullptr;
}

std::size_t workflow_value::size() const {
  if (const array* a = if_array()) return a->size();
  if (const object* o = if_object()) return o->size();
  if (const bytes* b = if_bytes()) return b->size();
  return 0;
}

std::string workflow_value::to_json() const {
  std::string out;
  append_json(out, *this);
  return out;
}

std::string_view type_name(workflow_value::kind k) {
  switch (k) {
    case workflow_value::kind::nil: return "nil";
    case workflow_value::kind::boolean: return "bool";
    case workflow_value::kind::integer: return "int";
    case workflow_value::kind::floating: return "float";
    case workflow_value::kind::string: return "string";
    case workflow_value::kind::bytes: return "bytes";
    case workflow_value::kind::array: return "array";
    case workflow_value::kind::object: return "map";
  }
  return "?";
}

}  // namespace titan
