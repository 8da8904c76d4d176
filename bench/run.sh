#!/bin/sh
# run.sh - build the benchmarks in a Release tree and run every one of them,
# after describing the machine: the figures mean nothing without it.
#
# Usage: bench/run.sh [options of the *_bench programs]
#        bench/run.sh --quick            # smoke run
# The tree is $BUILD_DIR, by default build-bench beside the sources. Paste
# the whole output into docs/performance.md. The messaging benchmark
# (bench/msg) has its own driver script: it is run last on the same tree,
# and of the options it is given only --quick.
set -eu

root=$(cd "$(dirname "$0")/.." && pwd)
build=${BUILD_DIR:-$root/build-bench}
log=$build/bench-build.log

"$root/scripts/install-deps" "$root/scripts/deps-bench.txt"
mkdir -p "$build"
if ! { cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=Release \
	-DINTR_BENCH=ON -DINTR_TESTS=OFF -DINTR_TOOLS=OFF &&
	cmake --build "$build" -j"$(nproc)"; } >"$log" 2>&1; then
	cat "$log" >&2
	echo "run.sh: the build failed (log: $log)" >&2
	exit 1
fi

cpu=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1)
glibc=$(getconf GNU_LIBC_VERSION 2>/dev/null || echo unknown)
commit=$(git -C "$root" describe --always --dirty 2>/dev/null || echo unknown)
cc=$(sed -n 's/^CMAKE_C_COMPILER:[A-Z]*=//p' "$build/CMakeCache.txt")
echo "cpus:     $(nproc) (${cpu:-unknown model})"
echo "kernel:   $(uname -srm)"
echo "libc:     $glibc"
echo "compiler: $($cc --version | head -n 1), Release"
echo "source:   $commit"
echo "load:     $(cut -d ' ' -f 1-3 /proc/loadavg) (1, 5, 15 min)"

status=0
quick=
for arg in "$@"; do
	if [ "$arg" = --quick ]; then
		quick=--quick
	fi
done
for bench in "$build"/bench/*_bench; do
	echo
	echo "\$ $(basename "$bench")${*:+ $*}"
	"$bench" "$@" || status=1
done
if [ -x "$root/bench/msg/run.sh" ] && [ -d "$build/bench/msg" ]; then
	echo
	echo "\$ bench/msg/run.sh -B $build --bin $build/bench/msg${quick:+ $quick}"
	"$root/bench/msg/run.sh" -B "$build" --bin "$build/bench/msg" $quick ||
		status=1
fi
exit $status
