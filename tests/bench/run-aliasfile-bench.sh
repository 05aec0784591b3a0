#!/bin/sh
# Runs the alias file benchmark from an existing build and prints the
# machine details followed by its tables (Markdown). Builds nothing.
#
# Usage: tests/bench/run-aliasfile-bench.sh [BUILD_DIR] [bench_aliasfile options]
#   BUILD_DIR defaults to build/ in the repository. Options such as
#   --sizes, --repetitions and --work-dir go to bench_aliasfile; see --help.
# Times from a build without optimisation are not representative, so
# configure one with -DCMAKE_BUILD_TYPE=Release or RelWithDebInfo and run
# `ninja -C BUILD_DIR bench_aliasfile` first.
set -eu

repository=$(cd "$(dirname "$0")/../.." && pwd)
build_dir="$repository/build"
if [ $# -gt 0 ] && [ "${1#-}" = "$1" ]; then
    build_dir=$1
    shift
fi

program="$build_dir/tests/bench/bench_aliasfile"
if [ ! -x "$program" ]; then
    echo "run-aliasfile-bench.sh: $program not found; build it with: ninja -C $build_dir bench_aliasfile" >&2
    exit 1
fi

build_type=$(sed -n 's/^CMAKE_BUILD_TYPE:[A-Z]*=//p' "$build_dir/CMakeCache.txt" 2>/dev/null || true)
model=$(lscpu 2>/dev/null | sed -n 's/^Model name:[[:space:]]*//p' | head -n 1)
postfix_version=$(/usr/sbin/postconf -d -h mail_version 2>/dev/null || echo unknown)

echo "date:        $(date -u '+%Y-%m-%d %H:%M UTC')"
echo "CPU:         ${model:-unknown}, $(nproc) cores"
echo "system:      $(. /etc/os-release && echo "$PRETTY_NAME"), kernel $(uname -r)"
echo "Postfix:     $postfix_version"
echo "build:       $build_dir (CMAKE_BUILD_TYPE=${build_type:-<empty>})"
echo "command:     $program $*"
echo
exec "$program" "$@"
