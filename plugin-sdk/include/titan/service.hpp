// TITAN_SERVICE: lists a service's methods once. From that list come the
// typed proxy (titan::Proxy<S>), the method table and the schema.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <new>
#include <string>
#include <string_view>
#include <tuple>
#include <type_traits>
#include <utility>

#include "titan/codec.hpp"
#include "titan/descriptor.hpp"
#include "titan/method_traits.hpp"
#include "titan/version.hpp"
#include "titan/preprocessor.hpp"
#include "titan/proxy.hpp"
#include "titan/state.hpp"
#include "titan/stream.hpp"
#include "titan/detail/invoke.hpp"
#include "titan/detail/output_writer.hpp"
#include "titan/detail/plugin_context.hpp"

namespace titan {

class Context;

// Specialised by TITAN_SERVICE: `name` and `methods` (a tuple of method_ref).
template <class S>
struct service_traits;

namespace detail {
// Specialised by TITAN_SERVICE: one base class template per method.
template <class S>
struct proxy_methods;
}  // namespace detail

template <class S>
concept service = requires {
  { service_traits<S>::name } -> std::convertible_to<std::string_view>;
};

namespace detail {


template <auto M>
struct method_ref {
  static constexpr auto target = M;
  const char* name;
  method_options options{};
};

struct list_start {};
template <class... M>
constexpr std::tuple<M...> method_list(list_start, M... m) {
  return std::tuple<M...>(m...);
}

// The state hooks of titan/state.hpp, found by signature.
template <class S>
concept has_snapshot = requires(S& s) {
  { s.snapshot() } -> std::convertible_to<snapshot>;
};
template <class S>
concept has_restore = requires(S& s, const snapshot& in) { s.restore(in); };
template <class S>
concept has_health = requires(S& s) {
  { s.healthy() } -> std::convertible_to<bool>;
};

// Runs `f`: TITAN_OK when it returns true, else `failed`; a throw is
// `failed` with what() as the message in `out` (`other` for a throw of
// something that is not a std::exception).
template <class F>
std::int32_t guarded_hook(output_writer& out, F&& f, std::int32_t failed,
                          const char* other = "threw something that is not a std::exception") noexcept {
  try {
    return f() ? TITAN_OK : failed;
  } catch (const std::exception& e) {
    out.set_message(e.what());
  } catch (...) {
    out.set_message(other);
  }
  return failed;
}

// A service constructed with a titan::Context: the context (made from the
// host's titan_host) sits next to it and outlives it. The service comes
// first, so the instance the host holds is the service's own address, as
// for a service made without a context.
template <class S>
struct context_slot {
  alignas(S) unsigned char service[sizeof(S)];
  Context* context;
};

template <class S>
std::int32_t create_instance(const titan_host* host, void** instance, const titan_output* error) noexcept {
  output_writer out(*error);
  return guarded_hook(out, [&] {
    if constexpr (std::is_constructible_v<S, Context&>) {
      auto slot = std::make_unique<context_slot<S>>();
      std::unique_ptr<Context> ctx = make_plugin_context(*host);
      S* s = new (slot->service) S(*ctx);
      slot->context = ctx.release();
      slot.release();
      *instance = s;
    } else {
      *instance = new S();
    }
    return true;
  }, TITAN_INTERNAL, "the constructor threw something that is not a std::exception");
}

template <class S>
void destroy_instance(void* instance) noexcept {
  if constexpr (std::is_constructible_v<S, Context&>) {
    auto* slot = reinterpret_cast<context_slot<S>*>(instance);
    static_cast<S*>(instance)->~S();
    delete slot->context;
    delete slot;
  } else {
    delete static_cast<S*>(instance);
  }
}

template <class S>
std::int32_t snapshot_instance(void* instance, std::uint32_t* version, const titan_output* sink) noexcept {
  output_writer out(*sink);
  return guarded_hook(out, [&] {
    snapshot s = static_cast<S*>(instance)->snapshot();
    *version = s.version;
    out.write(s.data.data(), s.data.size());
    return true;
  }, TITAN_INTERNAL);
}

template <class S>
std::int32_t restore_instance(void* instance, std::uint32_t version, const char* data, std::size_t size,
                              const titan_output* error) noexcept {
  output_writer out(*error);
  return guarded_hook(out, [&] {
    static_cast<S*>(instance)->restore(snapshot{version, std::string(data, size)});
    return true;
  }, TITAN_FAILED_PRECONDITION);
}

template <class S>
std::int32_t health_of_instance(void* instance, const titan_output* reason) noexcept {
  output_writer out(*reason);
  return guarded_hook(out, [&] {
    if (static_cast<S*>(instance)->healthy()) return true;
    out.set_message("healthy() returned false");
    return false;
  }, TITAN_UNAVAILABLE);
}

// A hook's address only when the service has it (naming it instantiates it).
template <class S>
struct state_hooks {
  using snapshot_fn = decltype(titan_plugin_descriptor::snapshot);
  using restore_fn = decltype(titan_plugin_descriptor::restore);
  using health_fn = decltype(titan_plugin_descriptor::health);
  static constexpr snapshot_fn snapshot = [] {
    if constexpr (has_snapshot<S>) return snapshot_fn{&snapshot_instance<S>};
    else return snapshot_fn{nullptr};
  }();
  static constexpr restore_fn restore = [] {
    if constexpr (has_restore<S>) return restore_fn{&restore_instance<S>};
    else return restore_fn{nullptr};
  }();
  static constexpr health_fn health = [] {
    if constexpr (has_health<S>) return health_fn{&health_of_instance<S>};
    else return health_fn{nullptr};
  }();
};

template <auto M>
constexpr titan_method make_entry(const method_ref<M>& ref) {
  using traits = method_traits<decltype(M)>;
  if constexpr (traits::streams) {
    constexpr method_flags shape = (traits::stream_outs ? method_flags::streams_out : method_flags::none) |
                                   (traits::stream_ins ? method_flags::streams_in : method_flags::none);
    // The host passes it a titan_stream, as the flags tell it (plugin_abi.h).
    return titan_method{ref.name, static_cast<std::uint32_t>(ref.options.flags | shape), ref.options.key_arg,
                        &invoke_stream_method<M>, &describe_method<M>};
  } else {
    return titan_method{ref.name, static_cast<std::uint32_t>(ref.options.flags), ref.options.key_arg,
                        &invoke_method<M>, &describe_method<M>};
  }
}

// The options TITAN_SERVICE gave method M of S.
template <class S, auto M>
constexpr method_options options_of() {
  method_options found{};
  std::apply(
      [&](const auto&... refs) {
        ([&]<auto R>(const method_ref<R>& ref) {
          if constexpr (std::is_same_v<decltype(R), decltype(M)>) {
            if (R == M) found = ref.options;
          }
        }(refs),
         ...);
      },
      service_traits<S>::methods);
  return found;
}

// The C method table of S (plugin_abi.h), in TITAN_SERVICE's order.
template <class S>
constexpr auto method_table() {
  return std::apply([](const auto&... refs) { return std::array<titan_method, sizeof...(refs)>{make_entry(refs)...}; },
                    service_traits<S>::methods);
}

template <class S, std::size_t N>
constexpr titan_plugin_descriptor make_descriptor(const char* version, const std::array<titan_method, N>& table) {
  return titan_plugin_descriptor{
      sdk_abi_version,
      sizeof(titan_plugin_descriptor),
      TITAN_SDK_VERSION,
      service_traits<S>::name.data(),
      version,
      table.data(),
      static_cast<std::uint32_t>(N),
      sizeof(titan_method),
      &create_instance<S>,
      &destroy_instance<S>,
      state_hooks<S>::snapshot,
      state_hooks<S>::restore,
      state_hooks<S>::health,
  };
}

}  // namespace detail
}  // namespace titan

// One entry of the method list: `m` or `(m, options)`.
#define TITAN_DETAIL_REF(S, entry) TITAN_PP_CAT(TITAN_DETAIL_REF_, TITAN_PP_IS_PAREN(entry))(S, entry)
#define TITAN_DETAIL_REF_0(S, m) , ::titan::detail::method_ref<&S::m>{#m}
#define TITAN_DETAIL_REF_1(S, entry) TITAN_DETAIL_REF_OPTS(S, TITAN_PP_REMOVE_PARENS(entry))
#define TITAN_DETAIL_REF_OPTS(S, ...) TITAN_DETAIL_REF_OPTS_I(S, __VA_ARGS__)
#define TITAN_DETAIL_REF_OPTS_I(S, m, ...) , ::titan::detail::method_ref<&S::m>{#m, (__VA_ARGS__)}

// The proxy: for each method m, a base class with `m(const V&...)` taking
// the method's own parameter types (so conversions and braced lists work
// as in a local call, and anything else does not compile).
#define TITAN_DETAIL_NAME(entry) TITAN_PP_CAT(TITAN_DETAIL_NAME_, TITAN_PP_IS_PAREN(entry))(entry)
#define TITAN_DETAIL_NAME_0(m) m
#define TITAN_DETAIL_NAME_1(entry) TITAN_PP_FIRST(TITAN_PP_REMOVE_PARENS(entry))

#define TITAN_DETAIL_PROXY_METHOD(S, entry) TITAN_DETAIL_PROXY_METHOD_I(S, TITAN_DETAIL_NAME(entry))
#define TITAN_DETAIL_PROXY_METHOD_I(S, m) TITAN_DETAIL_PROXY_METHOD_II(S, m)  // expands m before #m
#define TITAN_DETAIL_PROXY_METHOD_II(S, m)                                              \
  template <class D, class V>                                                           \
  struct titan_##m;                                                                     \
  template <class D, class... V>                                                        \
  struct titan_##m<D, std::tuple<V...>> {                                               \
    auto m(const V&... args) const {                                                    \
      return static_cast<const D&>(*this).template titan_call_<&S::m,                   \
                                                               ::titan::detail::options_of<S, &S::m>()>( \
          #m, args...);                                                                 \
    }                                                                                   \
  };

#define TITAN_DETAIL_PROXY_BASE(S, entry) TITAN_DETAIL_PROXY_BASE_I(S, TITAN_DETAIL_NAME(entry))
#define TITAN_DETAIL_PROXY_BASE_I(S, m) TITAN_DETAIL_PROXY_BASE_II(S, m)
#define TITAN_DETAIL_PROXY_BASE_II(S, m)                                       \
  , public ::titan::detail::proxy_methods<S>::template titan_##m<              \
        ::titan::Proxy<S>, typename ::titan::detail::method_traits<decltype(&S::m)>::proxy_args>

// Use at global scope, after the class, with the class's qualified name.
#define TITAN_SERVICE(S, NAME, ...)                                                       \
  template <>                                                                             \
  struct titan::service_traits<S> {                                                       \
    static constexpr std::string_view name = NAME;                                        \
    static constexpr auto methods =                                                       \
        ::titan::detail::method_list(::titan::detail::list_start{}                        \
                                         TITAN_PP_FOR_EACH(TITAN_DETAIL_REF, S, __VA_ARGS__)); \
  };                                                                                      \
  template <>                                                                             \
  struct titan::detail::proxy_methods<S> {                                                \
    TITAN_PP_FOR_EACH(TITAN_DETAIL_PROXY_METHOD, S, __VA_ARGS__)                          \
  };                                                                                      \
  template <>                                                                             \
  class titan::Proxy<S> : public ::titan::ProxyBase                                       \
                          TITAN_PP_FOR_EACH(TITAN_DETAIL_PROXY_BASE, S, __VA_ARGS__) {    \
   public:                                                                                \
    using service_type = S;                                                               \
    using ::titan::ProxyBase::ProxyBase;                                                  \
  };
