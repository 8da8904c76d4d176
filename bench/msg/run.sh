#!/usr/bin/env bash
# run.sh - build the messaging benchmark and run every backend over every
# transport, test and size; print the machine, then one table of figures
# and ratios (throughput against libzmq, latency against raw sockets);
# write the figures as TSV and draw chart.gp from that TSV into a PNG.
#
# Usage: bench/msg/run.sh [-B BUILD_DIR] [--bin DIR] [-o OUT_DIR]
#                         [--seconds S] [--lat-count N] [--quick]
#   -B DIR       build tree to configure and build (Release, INTR_BENCH=ON)
#                [build-bench in the repository]
#   --bin DIR    use the bench_* binaries in DIR and build nothing
#   -o DIR       where results.tsv, chart.png and the logs go
#                [BUILD_DIR/bench-msg-results]
#   --seconds S  aim for S seconds per throughput run [2]
#   --lat-count N  round trips recorded per latency run [20000]
#   --quick      a smoke run: short and noisy
#
# Each throughput run's message count is calibrated: a short run of
# CAL_COUNT messages gives the rate, and the real run sends what that rate
# moves in S seconds (nng is about a hundred times slower than libzmq, so
# one count for all would be too short for one or too long for the other).
# Needs cmake, a C compiler, pkg-config, gnuplot and the Debian packages
# libnng-dev, libnanomsg-dev and libzmq3-dev.
set -euo pipefail

# The backends in table order. A backend whose binary was not built is
# skipped with a note, so libintr joins by its bench_intr.c alone.
BACKENDS=(zmq nanomsg nng raw intr)
TRANSPORTS=(inproc ipc tcp)
THR_SIZES=(64 1024)
LAT_SIZES=(64)
THR_BASE=zmq # throughput ratios are against this backend (higher: better)
LAT_BASE=raw # latency ratios are against this one (lower: better)
CAL_COUNT=10000
MIN_COUNT=10000
MAX_COUNT=5000000
RUN_LIMIT=300 # seconds before a hung run is killed

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)
build=$repo/build-bench
bin=
out=
seconds=2
lat_count=20000

usage() {
	sed -n '6,16p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//' >&2
	exit 2
}

note() {
	echo "run.sh: $*" >&2
}

parse_args() {
	while [[ $# -gt 0 ]]; do
		if [[ $1 != --quick && $# -lt 2 ]]; then
			usage
		fi
		case $1 in
		-B) build=$2; shift 2 ;;
		--bin) bin=$2; shift 2 ;;
		-o) out=$2; shift 2 ;;
		--seconds) seconds=$2; shift 2 ;;
		--lat-count) lat_count=$2; shift 2 ;;
		--quick) seconds=0.3; lat_count=2000; shift ;;
		*) usage ;;
		esac
	done
	out=${out:-$build/bench-msg-results}
}

# Release tree with the benchmarks and nothing else that takes time.
build_tree() {
	local log=$out/build.log

	note "building $build (log: $log)"
	if ! cmake -S "$repo" -B "$build" -DCMAKE_BUILD_TYPE=Release \
		-DINTR_BENCH=ON -DINTR_TESTS=OFF -DINTR_TOOLS=OFF >"$log" 2>&1 ||
		! cmake --build "$build" -j"$(nproc)" >>"$log" 2>&1; then
		tail -20 "$log" >&2
		exit 1
	fi
	bin=$build/bench/msg
}

# The backends whose binary exists, one per line.
present_backends() {
	local b

	for b in "${BACKENDS[@]}"; do
		if [[ -x $bin/bench_$b ]]; then
			echo "$b"
		else
			note "bench_$b not built: $b skipped"
		fi
	done
}

# The Debian package (and its version) that installed a file, if any.
package_of() {
	local pkg

	# Debian 12 lists /lib files under /lib though /lib is /usr/lib.
	pkg=$(dpkg-query -S "$1" "${1#/usr}" 2>/dev/null | head -1 |
		cut -d: -f1) || true
	if [[ -n $pkg ]]; then
		echo "$pkg $(dpkg-query -W -f='${Version}' "$pkg")"
	else
		echo "(no package)"
	fi
}

# The machine, then for each backend what answers it: the library's own
# version, the file its probe symbol resolved to, and that file's package.
print_machine() {
	local b name version sym file

	echo "machine"
	printf '  %-8s %s\n' cpus "$(nproc)" \
		cpu "$(awk -F': ' '/^model name/ {print $2; exit}' /proc/cpuinfo)" \
		kernel "$(uname -srm)" \
		glibc "$(getconf GNU_LIBC_VERSION | cut -d' ' -f2)" \
		load "$(cut -d' ' -f1-3 /proc/loadavg) (1, 5, 15 min)" \
		date "$(date -u '+%Y-%m-%d %H:%M UTC')"
	echo "libraries (the file that answered each probe symbol, via dladdr)"
	for b in "${present[@]}"; do
		IFS=$'\t' read -r name version sym file < <("$bin/bench_$b" --info)
		printf '  %-8s %-7s %-20s %s [%s]\n' "$name" "$version" "$sym" \
			"$file" "$(package_of "$file")"
	done
	echo
}

# One run; its TSV line on stdout, or a note and nothing on failure.
run_one() {
	local b=$1 err=$out/last-error.txt line

	shift
	if line=$(timeout "$RUN_LIMIT" "$bin/bench_$b" "$@" 2>"$err"); then
		echo "$line"
	else
		note "FAILED: bench_$b $*: $(tr '\n' ' ' <"$err")"
	fi
}

# Messages that take about $seconds at the rate a short run shows.
thr_count() {
	local rate

	rate=$(run_one "$@" --count "$CAL_COUNT" | cut -f5)
	awk -v r="${rate:-0}" -v s="$seconds" -v lo="$MIN_COUNT" \
		-v hi="$MAX_COUNT" 'BEGIN {
		n = int(r * s); print (n < lo ? lo : n > hi ? hi : n) }'
}

run_all() {
	local b t size n

	for b in "${present[@]}"; do
		for t in "${TRANSPORTS[@]}"; do
			for size in "${THR_SIZES[@]}"; do
				n=$(thr_count "$b" --test thr --transport "$t" \
					--size "$size")
				run_one "$b" --test thr --transport "$t" \
					--size "$size" --count "$n"
			done
			for size in "${LAT_SIZES[@]}"; do
				run_one "$b" --test lat --transport "$t" \
					--size "$size" --count "$lat_count"
			done
		done
	done
}

# The table: one row per test, size and transport, one column per backend,
# each cell the figure and its ratio to the base backend of that test.
print_table() {
	awk -F'\t' -v libs="${present[*]}" -v transports="${TRANSPORTS[*]}" \
		-v thr_base="$THR_BASE" -v lat_base="$LAT_BASE" '
	function human(v, test) {
		if (test == "lat") return sprintf("%.2f", v)
		if (v >= 1e6) return sprintf("%.2fM", v / 1e6)
		if (v >= 1e3) return sprintf("%.1fk", v / 1e3)
		return sprintf("%.0f", v)
	}
	function cell(l, t, test, size, base,   k, b) {
		k = l SUBSEP t SUBSEP test SUBSEP size
		b = base SUBSEP t SUBSEP test SUBSEP size
		if (!(k in v)) return "-"
		if (!(b in v) || v[b] == 0) return human(v[k], test)
		return sprintf("%s (%.2f)", human(v[k], test), v[k] / v[b])
	}
	function section(test, title, base,   s, i, j, n) {
		print title
		printf "  %-5s %-9s", "size", "transport"
		for (i = 1; i <= nl; i++) printf " %-16s", L[i]
		printf "\n"
		n = split(sizes[test], S, " ")
		for (s = 1; s <= n; s++) for (j = 1; j <= nt; j++) {
			printf "  %-5s %-9s", S[s], T[j]
			for (i = 1; i <= nl; i++)
				printf " %-16s", cell(L[i], T[j], test, S[s], base)
			printf "\n"
		}
		printf "\n"
	}
	/^#/ { next }
	{
		v[$1, $2, $3, $4] = $5
		if (!seen[$3, $4]++) sizes[$3] = sizes[$3] " " $4
	}
	END {
		nl = split(libs, L, " ")
		nt = split(transports, T, " ")
		section("thr", "PUSH->PULL throughput, msg/s (ratio to " \
		    thr_base ", higher is better)", thr_base)
		section("lat", "PAIR one-way latency, half the median round " \
		    "trip, us (ratio to " lat_base ", lower is better)", lat_base)
	}' "$1"
}

# What the figures mean, under the table.
print_notes() {
	cat <<-EOF
	notes
	  thr: one process, a sender and a receiver thread; the receiver times
	       first to last message and checks each one's size and sequence.
	  lat: one process, a PAIR ping-pong between two threads; one way is
	       half the median of $lat_count round trips after a warm-up.
	  raw: kernel sockets without a library; thr frames each message with
	       an 8-byte length and writes it with one writev, lat sends bare
	       payloads; its inproc is an AF_UNIX socketpair.
	  TCP_NODELAY: libzmq sets it itself; asked of nanomsg (off by default),
	       nng (on by default) and raw.
	EOF
	if [[ " ${present[*]} " == *" intr "* ]]; then
		echo "  aim for intr (issue 3): thr ratio >= 1.50, lat ratio <= 1.30"
	fi
	echo
}

main() {
	local tsv started

	parse_args "$@"
	mkdir -p "$out"
	if [[ -z $bin ]]; then
		build_tree
	fi
	mapfile -t present < <(present_backends)
	if [[ ${#present[@]} -eq 0 ]]; then
		note "no bench_* binary in $bin"
		exit 1
	fi
	tsv=$out/results.tsv
	print_machine | tee "$out/machine.txt"
	started=$(date +%s)
	{
		printf '# machine: %s cpus, %s, %s\n' "$(nproc)" \
			"$(awk -F': ' '/^model name/ {print $2; exit}' /proc/cpuinfo)" \
			"$(uname -sr)"
		printf '# lib\ttransport\ttest\tsize\tvalue\tunit\n'
		run_all
	} >"$tsv"
	print_table "$tsv"
	print_notes
	note "$(($(date +%s) - started)) s of runs; figures in $tsv"
	if gnuplot -e "tsv='$tsv'; png='$out/chart.png'" "$here/chart.gp"; then
		note "chart in $out/chart.png"
	else
		note "gnuplot failed: no chart"
	fi
}

main "$@"
