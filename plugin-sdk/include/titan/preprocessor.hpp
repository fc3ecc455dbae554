// Preprocessor helpers for TITAN_SERVICE: a FOR_EACH over a method list and a
// test for a parenthesised entry such as `(get_user, titan::idempotent)`.
#pragma once

#define TITAN_PP_PARENS ()
#define TITAN_PP_EXPAND(...) TITAN_PP_EXPAND3(TITAN_PP_EXPAND3(TITAN_PP_EXPAND3(TITAN_PP_EXPAND3(__VA_ARGS__))))
#define TITAN_PP_EXPAND3(...) TITAN_PP_EXPAND2(TITAN_PP_EXPAND2(TITAN_PP_EXPAND2(TITAN_PP_EXPAND2(__VA_ARGS__))))
#define TITAN_PP_EXPAND2(...) TITAN_PP_EXPAND1(TITAN_PP_EXPAND1(TITAN_PP_EXPAND1(TITAN_PP_EXPAND1(__VA_ARGS__))))
#define TITAN_PP_EXPAND1(...) __VA_ARGS__

// TITAN_PP_FOR_EACH(m, ctx, a, b, c) -> m(ctx, a) m(ctx, b) m(ctx, c)
#define TITAN_PP_FOR_EACH(macro, ctx, ...) \
  __VA_OPT__(TITAN_PP_EXPAND(TITAN_PP_FOR_EACH_HELPER(macro, ctx, __VA_ARGS__)))
#define TITAN_PP_FOR_EACH_HELPER(macro, ctx, a1, ...) \
  macro(ctx, a1) __VA_OPT__(TITAN_PP_FOR_EACH_AGAIN TITAN_PP_PARENS(macro, ctx, __VA_ARGS__))
#define TITAN_PP_FOR_EACH_AGAIN() TITAN_PP_FOR_EACH_HELPER

#define TITAN_PP_CAT(a, b) TITAN_PP_CAT_I(a, b)
#define TITAN_PP_CAT_I(a, b) a##b

// 1 if x is parenthesised, else 0.
#define TITAN_PP_IS_PAREN(x) TITAN_PP_IS_PAREN_CHECK(TITAN_PP_IS_PAREN_PROBE x)
#define TITAN_PP_IS_PAREN_PROBE(...) ~, 1,
#define TITAN_PP_IS_PAREN_CHECK(...) TITAN_PP_IS_PAREN_CHECK_N(__VA_ARGS__, 0, ~)
#define TITAN_PP_IS_PAREN_CHECK_N(x, n, ...) n

#define TITAN_PP_REMOVE_PARENS(x) TITAN_PP_REMOVE_PARENS_I x
#define TITAN_PP_REMOVE_PARENS_I(...) __VA_ARGS__
#define TITAN_PP_FIRST(...) TITAN_PP_FIRST_I(__VA_ARGS__, ~)
#define TITAN_PP_FIRST_I(a, ...) a
#define TITAN_PP_REST(a, ...) __VA_ARGS__
