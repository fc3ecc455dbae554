// How a call reaches a service method: converting the CALL body's
// arguments, running the method (with its streams, for a streaming one),
// packing its result, and its schema for $describe. Used by the method
// table that TITAN_SERVICE builds (titan/service.hpp).
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <tuple>
#include <type_traits>
#include <utility>

#include <msgpack.hpp>

#include "titan/codec.hpp"
#include "titan/descriptor.hpp"
#include "titan/method_traits.hpp"
#include "titan/status.hpp"
#include "titan/stream.hpp"

namespace titan::detail {

// Passes a converted argument on: as an lvalue to a non-const reference
// parameter, moved otherwise.
template <class P, class V>
decltype(auto) pass_arg(V& v) {
  if constexpr (std::is_lvalue_reference_v<P> && !std::is_const_v<std::remove_reference_t<P>>)
    return (v);
  else
    return std::move(v);
}

template <class... T>
std::string join_names(const T&...) {
  return join_type_names<T...>();
}

inline void pack_message(msgpack::sbuffer& out, std::string_view message) {
  out.clear();
  msgpack::packer<msgpack::sbuffer>(out).pack(message);
}

// Runs `f` (which packs a result into `out`); a throw becomes its code
// and a message packed into `out`.
template <class F>
status_code guarded_call(msgpack::sbuffer& out, F&& f) noexcept {
  try {
    return f();
  } catch (const Error& e) {
    pack_message(out, e.message());
    return e.code();
  } catch (const std::exception& e) {
    pack_message(out, e.what());
    return status_code::internal;
  } catch (...) {
    pack_message(out, "the method threw something that is not a std::exception");
    return status_code::unknown;
  }
}

// Converts the CALL body `args` into `values` (a tuple of the argument
// types); on mismatch packs why into `out` and returns false.
template <class Values>
bool convert_args(const msgpack::object& args, Values& values, msgpack::sbuffer& out) {
  constexpr std::size_t arity = std::tuple_size_v<Values>;
  if (args.type != msgpack::type::ARRAY) {
    pack_message(out, "arguments must be an array, got " + std::string(wire_type_name(args)));
    return false;
  }
  if (args.via.array.size != arity) {
    pack_message(out, "expected " + std::to_string(arity) + " argument" + (arity == 1 ? "" : "s") + " (" +
                          std::apply([](const auto&... v) { return join_names(v...); }, Values{}) + "), got " +
                          std::to_string(args.via.array.size));
    return false;
  }
  std::string why;
  bool ok = [&]<std::size_t... I>(std::index_sequence<I...>) {
    return ([&] {
      if (try_convert(args.via.array.ptr[I], std::get<I>(values), why)) return true;
      why = "argument " + std::to_string(I + 1) + ": " + why;
      return false;
    }() && ...);
  }(std::make_index_sequence<arity>{});
  if (!ok) pack_message(out, why);
  return ok;
}

template <auto M>
status_code invoke_method(void* instance, const msgpack::object& args, msgpack::sbuffer& out) noexcept {
  using traits = method_traits<decltype(M)>;
  using S = typename traits::class_type;
  return guarded_call(out, [&] {
    typename traits::values values;
    if (!convert_args(args, values, out)) return status_code::invalid_argument;
    S& self = *static_cast<S*>(instance);
    msgpack::packer<msgpack::sbuffer> packer(out);
    [&]<std::size_t... I>(std::index_sequence<I...>) {
      using params = typename traits::params;
      if constexpr (std::is_void_v<typename traits::result>) {
        (self.*M)(pass_arg<std::tuple_element_t<I, params>>(std::get<I>(values))...);
        packer.pack_nil();
      } else {
        packer.pack((self.*M)(pass_arg<std::tuple_element_t<I, params>>(std::get<I>(values))...));
      }
    }(std::make_index_sequence<traits::arity>{});
    return status_code::ok;
  });
}

// Where parameter I of Params sits in the CALL body: how many parameters
// before it are not streams.
template <class Params, std::size_t I>
constexpr std::size_t wire_index() {
  return []<std::size_t... J>(std::index_sequence<J...>) {
    return (std::size_t{!param_kind<std::tuple_element_t<J, Params>>::stream_out &&
                        !param_kind<std::tuple_element_t<J, Params>>::stream_in} + ... + 0);
  }(std::make_index_sequence<I>{});
}

// Parameter I of a streaming method: its stream, or its CALL argument.
template <class Params, std::size_t I, class Values, class Out, class In>
decltype(auto) stream_method_arg(Values& values, Out& out, In& in) {
  using P = std::tuple_element_t<I, Params>;
  if constexpr (param_kind<P>::stream_out)
    return (out);
  else if constexpr (param_kind<P>::stream_in)
    return (in);
  else
    return pass_arg<P>(std::get<wire_index<Params, I>()>(values));
}

template <auto M>
status_code invoke_stream_method(void* call, const msgpack::object& args, msgpack::sbuffer& out) noexcept {
  using traits = method_traits<decltype(M)>;
  using S = typename traits::class_type;
  static_assert(traits::stream_outs <= 1 && traits::stream_ins <= 1,
                "a method takes at most one titan::Stream<T>& and one titan::Source<T>&");
  static_assert(traits::stream_outs == 0 || std::is_void_v<typename traits::result>,
                "a method that streams its results (titan::Stream<T>&) returns void");
  return guarded_call(out, [&] {
    typename traits::wire_values values;
    if (!convert_args(args, values, out)) return status_code::invalid_argument;
    using out_t = std::conditional_t<traits::stream_outs == 1, Stream<typename traits::out_item>, int>;
    using in_t = std::conditional_t<traits::stream_ins == 1, Source<typename traits::in_item>, int>;
    stream_io& io = *static_cast<stream_call*>(call)->io;
    auto make = [&io]<class T>(std::type_identity<T>) -> T {
      if constexpr (std::is_same_v<T, int>) return 0;
      else return T(io);
    };
    out_t writer = make(std::type_identity<out_t>{});
    in_t reader = make(std::type_identity<in_t>{});
    S& self = *static_cast<S*>(static_cast<stream_call*>(call)->instance);
    msgpack::packer<msgpack::sbuffer> packer(out);
    [&]<std::size_t... I>(std::index_sequence<I...>) {
      using params = typename traits::params;
      if constexpr (std::is_void_v<typename traits::result>) {
        (self.*M)(stream_method_arg<params, I>(values, writer, reader)...);
        packer.pack_nil();
      } else {
        packer.pack((self.*M)(stream_method_arg<params, I>(values, writer, reader)...));
      }
    }(std::make_index_sequence<traits::arity>{});
    return status_code::ok;
  });
}

// A stream shows as stream<T>: in `args` where the method reads one (its
// items come as STREAM_ITEMs, not in the CALL body), as `result` when it
// writes one.
template <class P>
std::string param_schema_name() {
  if constexpr (param_kind<P>::stream_in) return "stream<" + type_name<typename param_kind<P>::item>() + ">";
  else return type_name<P>();
}

template <auto M>
void describe_method(method_schema& out) {
  using traits = method_traits<decltype(M)>;
  out.args.clear();
  [&]<std::size_t... I>(std::index_sequence<I...>) {
    (([&] {
       using P = std::tuple_element_t<I, typename traits::params>;
       if constexpr (!param_kind<P>::stream_out) out.args.push_back(param_schema_name<P>());
     }()),
     ...);
  }(std::make_index_sequence<traits::arity>{});
  if constexpr (traits::stream_outs > 0)
    out.result = "stream<" + type_name<typename traits::out_item>() + ">";
  else
    out.result = type_name<typename traits::result>();
}

}  // namespace titan::detail
