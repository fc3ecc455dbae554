// Fields whose wire form is not the member's own, for wire_record<T>::fields
// (titan/msgpack_adaptors.hpp): each wraps a reference to the member(s) and
// packs and reads them in the form the wire has.
#pragma once

#include <type_traits>

#include <msgpack.hpp>

#include "titan/msgpack_adaptors.hpp"
#include "titan/status.hpp"

namespace titan::wire_field {

// An optional duration as its milliseconds, 0 = none.
template <class O>
struct zero_when_unset_t {
  O& opt;
  template <class S>
  void wire_pack(msgpack::packer<S>& p) const {
    opt ? p.pack(*opt) : p.pack(0);
  }
  void wire_read(const msgpack::object& o) const {
    typename std::remove_const_t<O>::value_type d{};
    detail::read_value(o, d);
    if (d == decltype(d)::zero())
      opt.reset();
    else
      opt = d;
  }
};
template <class O>
zero_when_unset_t<O> zero_when_unset(O& opt) {
  return {opt};
}

// A string, nil when empty.
template <class S>
struct nil_when_empty_t {
  S& text;
  template <class Stream>
  void wire_pack(msgpack::packer<Stream>& p) const {
    text.empty() ? p.pack_nil() : p.pack(text);
  }
  void wire_read(const msgpack::object& o) const {
    if (o.type == msgpack::type::NIL)
      text.clear();
    else
      detail::read_value(o, text);
  }
};
template <class S>
nil_when_empty_t<S> nil_when_empty(S& text) {
  return {text};
}

// Whether an optional holds a value, as a bool. Decoding true gives it a
// default value, which member_when_engaged() fields visited after it fill.
template <class O>
struct engaged_t {
  O& opt;
  template <class S>
  void wire_pack(msgpack::packer<S>& p) const {
    p.pack(opt.has_value());
  }
  void wire_read(const msgpack::object& o) const {
    bool engaged = false;
    detail::read_value(o, engaged);
    if (!engaged)
      opt.reset();
    else if (!opt)
      opt.emplace();
  }
};
template <class O>
engaged_t<O> engaged(O& opt) {
  return {opt};
}

// A member of an optional's value: its type's default when there is none;
// decoded only into a value that is there.
template <class O, class P>
struct member_when_engaged_t {
  O& opt;
  P member;
  template <class S>
  void wire_pack(msgpack::packer<S>& p) const {
    using M = std::remove_cvref_t<decltype((*opt).*member)>;
    opt ? p.pack((*opt).*member) : p.pack(M{});
  }
  void wire_read(const msgpack::object& o) const {
    if (opt) detail::read_value(o, (*opt).*member);
  }
};
template <class O, class T, class M>
member_when_engaged_t<O, M T::*> member_when_engaged(O& opt, M T::*member) {
  return {opt, member};
}

// An error as an ERROR body has it, {"code": NAME, "message": str}; nil for status_code::ok.
template <class C, class M>
struct error_or_nil_t {
  C& code;
  M& message;
  template <class V, class Self>
  static void fields(V& v, Self& self) {
    v("code", self.code);
    v("message", self.message);
  }
  template <class S>
  void wire_pack(msgpack::packer<S>& p) const {
    if (code == status_code::ok)
      p.pack_nil();
    else
      detail::pack_fields(p, [this](auto& v) { fields(v, *this); });
  }
  void wire_read(const msgpack::object& o) const {
    code = status_code::ok;
    message.clear();
    if (o.type != msgpack::type::NIL) detail::read_fields(o, "error", [this](auto& v) { fields(v, *this); });
  }
};
template <class C, class M>
error_or_nil_t<C, M> error_or_nil(C& code, M& message) {
  return {code, message};
}

}  // namespace titan::wire_field
