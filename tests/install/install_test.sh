#!/usr/bin/env bash
# install_test.sh BUILD_DIR CC [FLAGS] - install the build tree into a
# temporary prefix, then build and run a small consumer against it the three
# ways a user would: pkg-config (shared library), pkg-config --static (static
# library) and a CMake project with find_package(intr). FLAGS are the
# sanitizer or coverage flags the library was built with, which its users
# must link with too.
set -euo pipefail

build=$1
cc=$2
flags=${3:-}
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
work=$(mktemp -d "${TMPDIR:-/tmp}/intr-install.XXXXXX")
trap 'rm -rf "$work"' EXIT
prefix=$work/prefix

fail() {
	echo "FAIL: $*" >&2
	exit 1
}

# Does the program load libintr.so at run time?
needs_libintr() {
	readelf -d "$1" | grep -q 'NEEDED.*\[libintr\.so'
}

run() {
	echo "--- $1"
	"$1" || fail "$1 exited with status $?"
}

echo "--- cmake --install $build --prefix $prefix"
cmake --install "$build" --prefix "$prefix" >/dev/null

pc=$(find "$prefix" -path '*/pkgconfig/intr.pc')
[[ -n $pc ]] || fail "no intr.pc under $prefix"
# Only ours: a libintr installed on the system must not stand in for it.
export PKG_CONFIG_LIBDIR
PKG_CONFIG_LIBDIR=$(dirname "$pc")
unset PKG_CONFIG_PATH
libdir=$(pkg-config --variable=libdir intr)
case $(realpath -m "$libdir") in
"$(realpath "$prefix")"/*) ;;
*) fail "intr.pc names libdir $libdir, outside the prefix $prefix it" \
	"was installed into (a .pc must not hard-code the configure-time" \
	"prefix)" ;;
esac

# 1. pkg-config, shared, under the strictest flags a user might pick.
# shellcheck disable=SC2046,SC2086
"$cc" $flags -std=c11 -D_POSIX_C_SOURCE=200809L -Wall -Wextra -Wpedantic \
	-Werror $(pkg-config --cflags intr) "$here/consumer.c" \
	-o "$work/pc_shared" $(pkg-config --libs intr) -Wl,-rpath,"$libdir"
needs_libintr "$work/pc_shared" || fail "pc_shared does not use libintr.so"
run "$work/pc_shared"

# 2. find_package(intr), both imported targets.
cmake -S "$here/consumer" -B "$work/cmake" -DCMAKE_PREFIX_PATH="$prefix" \
	-DCMAKE_FIND_USE_PACKAGE_REGISTRY=OFF -DCMAKE_C_COMPILER="$cc" \
	-DCMAKE_C_FLAGS="$flags" -DCMAKE_EXE_LINKER_FLAGS="$flags" >/dev/null
found=$(sed -n 's/^intr_DIR:PATH=//p' "$work/cmake/CMakeCache.txt")
[[ $found == "$prefix"/* ]] || fail "find_package found $found, not $prefix"
cmake --build "$work/cmake" >/dev/null
needs_libintr "$work/cmake/consumer_shared" ||
	fail "intr::intr did not link libintr.so"
! needs_libintr "$work/cmake/consumer_static" ||
	fail "intr::intr_static linked libintr.so"
run "$work/cmake/consumer_shared"
run "$work/cmake/consumer_static"

# 3. pkg-config --static. With the shared library gone, as in a static-only
# install, -lintr can only mean libintr.a.
rm -f "$libdir"/libintr.so*
# shellcheck disable=SC2046,SC2086
"$cc" $flags $(pkg-config --static --cflags intr) "$here/consumer.c" \
	-o "$work/pc_static" $(pkg-config --static --libs intr)
! needs_libintr "$work/pc_static" || fail "pc_static uses libintr.so"
run "$work/pc_static"
echo "install: all three consumers built and ran"
