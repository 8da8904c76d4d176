#!/usr/bin/env bash
# symbols_test.sh LIBSO LIBA [INSTRUMENTED] - the libraries show only
# libintr's names.
#
# libintr.so must export the public API and nothing else: every dynamic
# symbol it defines matches ^intr_[a-z0-9] (so no intr__ internals, no
# helper that escaped the version script). libintr.a cannot hide anything,
# so there the rule is the naming one of STYLE.md: every defined global
# symbol starts with intr_, leaving applications the rest of the namespace.
# In a sanitizer or coverage build (INSTRUMENTED=1) the compiler adds globals
# of its own to the archive (ASan's __odr_asan.NAME); those are not ours.
set -euo pipefail

so=$1
a=$2
instrumented=${3:-0}
bad=0

# A defined symbol's name is the last field of nm's line.
so_names=$(nm -D --defined-only "$so" | awk 'NF >= 3 { print $NF }')
a_names=$(nm -g --defined-only "$a" | awk 'NF >= 3 { print $NF }')

if ! grep -qx 'intr_version' <<<"$so_names"; then
	echo "FAIL: $so does not export intr_version (nm broken?)" >&2
	exit 1
fi
while read -r name; do
	if [[ ! $name =~ ^intr_[a-z0-9] ]]; then
		echo "FAIL: $so exports $name" >&2
		bad=1
	fi
done <<<"$so_names"
while read -r name; do
	if [[ $instrumented == 1 &&
		$name =~ ^__(odr_asan|asan|tsan|ubsan|gcov|llvm_gcov|llvm_prf) ]]; then
		continue
	fi
	if [[ $name != intr_* ]]; then
		echo "FAIL: $a defines the global $name" >&2
		bad=1
	fi
done <<<"$a_names"
echo "$(wc -l <<<"$so_names") exported, $(wc -l <<<"$a_names") global" \
	"in the archive"
exit "$bad"
