// What a member-function pointer takes and returns.
#pragma once

#include <cstddef>
#include <tuple>
#include <type_traits>

namespace titan::detail {

template <class F>
struct method_traits;

#define TITAN_DETAIL_METHOD_TRAITS(QUALIFIERS)                \
  template <class C, class R, class... A>                     \
  struct method_traits<R (C::*)(A...) QUALIFIERS> {           \
    using class_type = C;                                     \
    using result = std::remove_cvref_t<R>;                    \
    using params = std::tuple<A...>;                          \
    using values = std::tuple<std::remove_cvref_t<A>...>;     \
    static constexpr std::size_t arity = sizeof...(A);        \
  };
TITAN_DETAIL_METHOD_TRAITS()
TITAN_DETAIL_METHOD_TRAITS(const)
TITAN_DETAIL_METHOD_TRAITS(noexcept)
TITAN_DETAIL_METHOD_TRAITS(const noexcept)
#undef TITAN_DETAIL_METHOD_TRAITS

}  // namespace titan::detail
