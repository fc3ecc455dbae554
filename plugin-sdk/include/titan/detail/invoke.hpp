// How a call reaches a service method, the plugin's side of titan_method
// (plugin_abi.h): decoding the CALL body's bytes, converting the arguments,
// running the method (with its streams, for a streaming one), packing its
// result straight into the host's output, and its schema for $describe.
// Nothing thrown leaves a trampoline. Used by the method table that
// TITAN_SERVICE builds (titan/service.hpp).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <tuple>
#include <type_traits>
#include <utility>

#include <msgpack.hpp>

#include "titan/codec.hpp"
#include "titan/method_traits.hpp"
#include "titan/plugin_abi.h"
#include "titan/status.hpp"
#include "titan/stream.hpp"
#include "titan/wire.hpp"
#include "titan/detail/call_zone.hpp"
#include "titan/detail/output_writer.hpp"

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

// Runs `f` (which packs a result into `out` and returns a code); a throw
// becomes its code, with its message in `out`.
template <class F>
std::int32_t guarded_call(output_writer& out, F&& f) noexcept {
  try {
    return static_cast<std::int32_t>(f());
  } catch (const Error& e) {
    out.set_message(e.message());
    return static_cast<std::int32_t>(e.code());
  } catch (const std::exception& e) {
    out.set_message(e.what());
    return TITAN_INTERNAL;
  } catch (...) {
    out.set_message("the method threw something that is not a std::exception");
    return TITAN_UNKNOWN;
  }
}

// Converts the CALL body `args` into `values` (a tuple of the argument
// types); on mismatch writes why into `out` and returns false.
template <class Values>
bool convert_args(const msgpack::object& args, Values& values, output_writer& out) {
  constexpr std::size_t arity = std::tuple_size_v<Values>;
  if (args.type != msgpack::type::ARRAY) {
    out.set_message("arguments must be an array, got " + std::string(wire_type_name(args)));
    return false;
  }
  if (args.via.array.size != arity) {
    out.set_message("expected " + std::to_string(arity) + " argument" + (arity == 1 ? "" : "s") + " (" +
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
  if (!ok) out.set_message(why);
  return ok;
}

// Decodes the CALL body's bytes into `args` (in `zone`); the host has
// checked them, so this fails only for a caller that did not.
inline bool decode_args(const titan_call& call, msgpack::zone& zone, msgpack::object& args, output_writer& out) {
  if (auto err = wire::decode_body(call.args, call.args_size, zone, args)) {
    out.set_message("bad body: " + *err);
    return false;
  }
  return true;
}

template <auto M>
std::int32_t invoke_method(void* instance, const titan_call* call) noexcept {
  using traits = method_traits<decltype(M)>;
  using S = typename traits::class_type;
  output_writer out(*call->out);
  return guarded_call(out, [&] {
    call_zone zone;
    msgpack::object args;
    if (!decode_args(*call, zone.get(), args, out)) return status_code::invalid_argument;
    typename traits::values values;
    if (!convert_args(args, values, out)) return status_code::invalid_argument;
    S& self = *static_cast<S*>(instance);
    msgpack::packer<output_writer> packer(out);
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
std::int32_t invoke_stream_method(void* instance, const titan_call* call) noexcept {
  using traits = method_traits<decltype(M)>;
  using S = typename traits::class_type;
  static_assert(traits::stream_outs <= 1 && traits::stream_ins <= 1,
                "a method takes at most one titan::Stream<T>& and one titan::Source<T>&");
  static_assert(traits::stream_outs == 0 || std::is_void_v<typename traits::result>,
                "a method that streams its results (titan::Stream<T>&) returns void");
  output_writer out(*call->out);
  return guarded_call(out, [&] {
    if (call->stream == nullptr) {
      out.set_message("a streaming method was called without a stream");
      return status_code::failed_precondition;
    }
    call_zone zone;
    msgpack::object args;
    if (!decode_args(*call, zone.get(), args, out)) return status_code::invalid_argument;
    typename traits::wire_values values;
    if (!convert_args(args, values, out)) return status_code::invalid_argument;
    using out_t = std::conditional_t<traits::stream_outs == 1, Stream<typename traits::out_item>, int>;
    using in_t = std::conditional_t<traits::stream_ins == 1, Source<typename traits::in_item>, int>;
    stream_io io(*call->stream);
    auto make = [&io]<class T>(std::type_identity<T>) -> T {
      if constexpr (std::is_same_v<T, int>) return 0;
      else return T(io);
    };
    out_t writer = make(std::type_identity<out_t>{});
    in_t reader = make(std::type_identity<in_t>{});
    S& self = *static_cast<S*>(instance);
    msgpack::packer<output_writer> packer(out);
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

// The schema `$describe` shows: {"args": [type name, ...], "result": type name}.
template <auto M>
std::int32_t describe_method(const titan_output* sink) noexcept {
  using traits = method_traits<decltype(M)>;
  output_writer out(*sink);
  return guarded_call(out, [&] {
    constexpr std::size_t shown = []<std::size_t... I>(std::index_sequence<I...>) {
      return (std::size_t{!param_kind<std::tuple_element_t<I, typename traits::params>>::stream_out} + ... + 0);
    }(std::make_index_sequence<traits::arity>{});
    msgpack::packer<output_writer> p(out);
    p.pack_map(2);
    p.pack("args");
    p.pack_array(static_cast<std::uint32_t>(shown));
    [&]<std::size_t... I>(std::index_sequence<I...>) {
      (([&] {
         using P = std::tuple_element_t<I, typename traits::params>;
         if constexpr (!param_kind<P>::stream_out) p.pack(param_schema_name<P>());
       }()),
       ...);
    }(std::make_index_sequence<traits::arity>{});
    p.pack("result");
    if constexpr (traits::stream_outs > 0)
      p.pack("stream<" + type_name<typename traits::out_item>() + ">");
    else
      p.pack(type_name<typename traits::result>());
    return status_code::ok;
  });
}

}  // namespace titan::detail
