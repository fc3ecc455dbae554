// What a member-function pointer takes and returns.
#pragma once

#include <cstddef>
#include <tuple>
#include <type_traits>

namespace titan {

template <class T>
class Stream;  // titan/stream.hpp
template <class T>
class Source;  // titan/stream.hpp
template <class T>
class input;  // titan/reader.hpp

namespace detail {

// How a method parameter travels: as a CALL argument, or as a stream
// (PROTOCOL.md "Streams"). `wire`: the argument in the CALL body (none for
// a stream); `proxy`: what the typed proxy takes in its place.
template <class P>
struct param_kind {
  static constexpr bool stream_out = false;
  static constexpr bool stream_in = false;
  using wire = std::tuple<std::remove_cvref_t<P>>;
  using proxy = std::tuple<std::remove_cvref_t<P>>;
  using item = void;
};
template <class T>
struct param_kind<Stream<T>&> {
  static constexpr bool stream_out = true;
  static constexpr bool stream_in = false;
  using wire = std::tuple<>;
  using proxy = std::tuple<>;  // the proxy returns a titan::Reader<T>
  using item = T;
};
template <class T>
struct param_kind<Source<T>&> {
  static constexpr bool stream_out = false;
  static constexpr bool stream_in = true;
  using wire = std::tuple<>;
  using proxy = std::tuple<input<T>>;  // any range of T
  using item = T;
};

template <class... T>
using tuple_cat_t = decltype(std::tuple_cat(std::declval<T>()...));

// The item type of the first parameter that is a stream of that direction.
template <bool Out, class... A>
struct stream_item {
  using type = void;
};
template <bool Out, class A, class... Rest>
struct stream_item<Out, A, Rest...> {
  using type = std::conditional_t<(Out ? param_kind<A>::stream_out : param_kind<A>::stream_in),
                                  typename param_kind<A>::item, typename stream_item<Out, Rest...>::type>;
};

template <class F>
struct method_traits;

#define TITAN_DETAIL_METHOD_TRAITS(QUALIFIERS)                                                        \
  template <class C, class R, class... A>                                                             \
  struct method_traits<R (C::*)(A...) QUALIFIERS> {                                                   \
    using class_type = C;                                                                             \
    using result = std::remove_cvref_t<R>;                                                            \
    using params = std::tuple<A...>;                                                                  \
    using values = std::tuple<std::remove_cvref_t<A>...>;                                             \
    static constexpr std::size_t arity = sizeof...(A);                                                \
    static constexpr std::size_t stream_outs = (std::size_t{param_kind<A>::stream_out} + ... + 0);    \
    static constexpr std::size_t stream_ins = (std::size_t{param_kind<A>::stream_in} + ... + 0);      \
    static constexpr bool streams = stream_outs + stream_ins > 0;                                     \
    /* the CALL body's arguments, and what the proxy method takes */                                  \
    using wire_values = tuple_cat_t<std::tuple<>, typename param_kind<A>::wire...>;                   \
    using proxy_args = tuple_cat_t<std::tuple<>, typename param_kind<A>::proxy...>;                   \
    using out_item = typename stream_item<true, A...>::type;                                          \
    using in_item = typename stream_item<false, A...>::type;                                          \
  };
TITAN_DETAIL_METHOD_TRAITS()
TITAN_DETAIL_METHOD_TRAITS(const)
TITAN_DETAIL_METHOD_TRAITS(noexcept)
TITAN_DETAIL_METHOD_TRAITS(const noexcept)
#undef TITAN_DETAIL_METHOD_TRAITS

}  // namespace detail
}  // namespace titan
