#!/usr/bin/env bash
# noinit_test.sh CC LIBSO OBJECT... - libintr runs no code at load time.
#
# Loading a library must not start threads, open descriptors or touch signal
# state: all of libintr's set-up happens on first use. Code that runs at load
# time reaches the loader through .init_array (constructors),
# .preinit_array, the old .ctors or an .init section, or a DT_INIT entry
# pointing elsewhere than the toolchain's _init.
#
# The check is in two parts. Each object file compiled from libintr's
# sources must have none of those sections: that is exact and needs no
# knowledge of the toolchain. The linked libintr.so may have only what any
# library gets from the toolchain's start files (gcc's crtbeginS.o puts
# frame_dummy in .init_array): exactly as many .init_array entries as a
# one-function library linked by the same compiler, and a DT_INIT, if any,
# that is _init. That part catches a constructor brought in by the link
# line (an archive, -Wl,-init).
set -euo pipefail

cc=$1
so=$2
shift 2
bad=0

fail() {
	echo "FAIL: $*" >&2
	bad=1
}

# Size in bytes of a dynamic-section entry (INIT_ARRAYSZ, ...), 0 if none.
dyn_size() {
	readelf -dW "$1" | awk -v tag="($2)" '$2 == tag { print $3; found = 1 }
		END { if (!found) print 0 }'
}

for obj in "$@"; do
	if readelf -SW "$obj" |
		grep -Eq '[[:space:]]\.(init_array|preinit_array|ctors|init)(\.[0-9]+)?[[:space:]]'; then
		fail "$(basename "$obj") has load-time code:" \
			"$(readelf -SW "$obj" | grep -Eo '\.(init_array|preinit_array|ctors|init)[.0-9]*' | sort -u | tr '\n' ' ')"
	fi
done
echo "$# objects checked"

work=$(mktemp -d "${TMPDIR:-/tmp}/intr-noinit.XXXXXX")
trap 'rm -rf "$work"' EXIT
echo 'int intr_ref_(void) { return 0; }' >"$work/ref.c"
"$cc" -shared -fPIC "$work/ref.c" -o "$work/libref.so"

want=$(dyn_size "$work/libref.so" INIT_ARRAYSZ)
got=$(dyn_size "$so" INIT_ARRAYSZ)
[[ $got == "$want" ]] ||
	fail "libintr.so .init_array: $got bytes; the toolchain's alone: $want"
[[ $(dyn_size "$so" PREINIT_ARRAYSZ) == 0 ]] || fail "libintr.so has .preinit_array"

# DT_INIT must be the toolchain's _init, when the symbol table says.
init=$(readelf -dW "$so" | awk '$2 == "(INIT)" { print $3 }')
sym=$(nm "$so" 2>/dev/null | awk '$3 == "_init" { print $1 }')
if [[ -n $init && -n $sym ]] && (( init != 16#$sym )); then
	fail "libintr.so DT_INIT $init is not _init (0x$sym)"
fi
echo "libintr.so: .init_array $got bytes (toolchain's: $want), DT_INIT ${init:-none}"
exit "$bad"
