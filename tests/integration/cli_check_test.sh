#!/usr/bin/env bash
# titan check and titan-host --check: the demo topology passes; each file in
# tests/topologies/broken fails with the problem its first line expects
# ("# expect: LINE:COL: KEY: message"); missing and wrong-ABI plugins are
# reported at their plugin key.
# Usage: cli_check_test.sh TITAN TITAN_HOST SOURCE_DIR
# Environment: TITAN_PLUGIN_DIR (echo.so, ...), TITAN_TEST_PLUGIN_DIR (wrong_abi.so).
set -u
titan=$1 host=$2 src=$3
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
source "$(dirname "${BASH_SOURCE[0]}")/test_lib.sh"

# titan-host --check
out=$("$host" --plugin "$TITAN_PLUGIN_DIR/echo.so" --check 2>"$dir/err"); rc=$?
check "host check passes" 0 "$rc"
check "host check prints SERVICE VERSION" "echo 1.0.0" "$out"
"$host" --plugin "$TITAN_TEST_PLUGIN_DIR/wrong_abi.so" --check >/dev/null 2>"$dir/err"; rc=$?
check "host check: wrong ABI exit code" 6 "$rc"
contains "host check: wrong ABI reason" "ABI mismatch: $TITAN_TEST_PLUGIN_DIR/wrong_abi.so" "$(cat "$dir/err")"
"$host" --plugin "$dir/none.so" --check >/dev/null 2>"$dir/err"; rc=$?
check "host check: missing plugin exit code" 3 "$rc"
check "host check: missing plugin reason" "plugin not found: $dir/none.so" "$(cat "$dir/err")"
"$host" --plugin "$TITAN_PLUGIN_DIR/echo.so" >/dev/null 2>&1; rc=$?
check "host without --bind or --check is a usage error" 2 "$rc"

# The demo
out=$("$titan" check "$src/config/demo.toml" 2>"$dir/err"); rc=$?
check "demo passes" 0 "$rc"
check "demo: nothing on stderr" "" "$(cat "$dir/err")"
contains "demo: the root" "main" "$(head -n1 <<<"$out")"
contains "demo: a pool in a nested supervisor" "│  ├─ compute" "$out"
contains "demo: a significant child" "transient, significant" "$out"

# Each broken file
for f in "$src"/tests/topologies/broken/*.toml; do
  expect=$(head -n1 "$f" | sed -n 's/^# expect: //p')
  [ -n "$expect" ] || { check "$f has an expect line" yes no; continue; }
  err=$("$titan" check "$f" 2>&1 >/dev/null); rc=$?
  check "$(basename "$f") exit code" 3 "$rc"
  contains "$(basename "$f") problem" "$f:$expect" "$err"
done

# Plugins that cannot be loaded, reported at their plugin key
cat >"$dir/plugins.toml" <<TOML
[services.echo]
plugin = "$TITAN_PLUGIN_DIR/echo.so"
[services.gone]
plugin = "missing/gone.so"
[pools.old]
plugin = "\${TITAN_TEST_PLUGIN_DIR}/wrong_abi.so"
TOML
err=$("$titan" check "$dir/plugins.toml" 2>&1 >/dev/null); rc=$?
check "bad plugins exit code" 3 "$rc"
contains "missing plugin" "$dir/plugins.toml:4:10: services.gone.plugin: plugin not found: $dir/missing/gone.so" "$err"
contains "wrong ABI" "$dir/plugins.toml:6:10: pools.old.plugin: ABI mismatch: $TITAN_TEST_PLUGIN_DIR/wrong_abi.so" "$err"
check "only the two bad plugins" 2 "$(grep -c '\.plugin: ' <<<"$err")"
out=$("$titan" check --no-plugins "$dir/plugins.toml" 2>/dev/null); rc=$?
check "--no-plugins skips them" 0 "$rc"

"$titan" check "$dir/nothing.toml" 2>"$dir/err"; rc=$?
check "missing file exit code" 3 "$rc"
contains "missing file message" "$dir/nothing.toml: cannot read the topology" "$(cat "$dir/err")"
"$titan" check 2>/dev/null; rc=$?
check "no file is a usage error" 2 "$rc"

finish
