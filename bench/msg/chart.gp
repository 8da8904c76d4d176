# chart.gp - draws the messaging benchmark's figures from its TSV alone
# (lib, transport, test, size, value, unit per line; '#' lines are comments,
# and the "# machine:" one becomes the subtitle). Three panels side by
# side: PUSH->PULL throughput at 64 B and at 1 KiB (log scale: the libraries
# differ a hundredfold), and PAIR one-way latency at 64 B. One bar per
# library in each transport group, the figure written above it.
#
# Usage: gnuplot -e "tsv='results.tsv'; png='chart.png'" chart.gp
if (!exists("tsv")) tsv = "results.tsv"
if (!exists("png")) png = "chart.png"

# The libraries in the order the TSV first names them (run.sh's order).
libs = system(sprintf("awk -F'\t' '!/^#/ && !s[$1]++ {printf \"%%s \", $1}' '%s'", tsv))
machine = system(sprintf("sed -n 's/^# machine: //p' '%s' | head -1", tsv))
nl = words(libs)

set terminal pngcairo size 1500,560 font "sans,10"
set output png
set datafile separator "\t"
set datafile commentschars "#"

transports = "inproc ipc tcp"
tx(s) = s eq "inproc" ? 0 : s eq "ipc" ? 1 : s eq "tcp" ? 2 : -10
bw = 0.8 / nl
xpos(i) = tx(strcol(2)) + (i - (nl + 1) / 2.0) * bw
is(i, test, size) = strcol(1) eq word(libs, i) && strcol(3) eq test && \
	column(4) == size
human(v) = v >= 1e6 ? sprintf("%.1fM", v / 1e6) : \
	v >= 1e3 ? sprintf("%.0fk", v / 1e3) : sprintf("%.1f", v)

# Rows of other panels and other libraries go to x = -10, outside the
# x range, rather than to NaN: gnuplot refuses a plot whose every point is
# undefined, which a library missing from one panel would cause.
X(i, test, size) = is(i, test, size) ? xpos(i) : -10
Y(i, test, size) = is(i, test, size) ? column(5) : 1
L(i, test, size) = is(i, test, size) ? human(column(5)) : ""

set style fill solid 0.85 border -1
set boxwidth bw * 0.9 absolute
set xrange [-0.5:2.5]
set xtics ("inproc" 0, "ipc" 1, "tcp" 2) scale 0
set grid ytics
# Below each panel, so that no bar or figure hides under it; the offset
# leaves room above the tallest bar for its figure.
set key outside below center horizontal font ",9"
set offsets 0, 0, graph 0.12, 0

set multiplot layout 1,3 title "libintr messaging benchmark\n{/*0.8 " . machine . "}"

set logscale y
set format y "10^{%T}"
set yrange [1e3:*]
set ylabel "messages per second"
set title "PUSH -> PULL throughput, 64 B"
plot for [i=1:nl] tsv using (X(i, "thr", 64)):(Y(i, "thr", 64)) \
	with boxes lc i title word(libs, i), \
	for [i=1:nl] tsv using (X(i, "thr", 64)):(Y(i, "thr", 64)): \
	(L(i, "thr", 64)) with labels rotate by 90 left offset 0,0.4 \
	font ",8" notitle

set title "PUSH -> PULL throughput, 1 KiB"
plot for [i=1:nl] tsv using (X(i, "thr", 1024)):(Y(i, "thr", 1024)) \
	with boxes lc i title word(libs, i), \
	for [i=1:nl] tsv using (X(i, "thr", 1024)):(Y(i, "thr", 1024)): \
	(L(i, "thr", 1024)) with labels rotate by 90 left offset 0,0.4 \
	font ",8" notitle

unset logscale y
set format y "%g"
set yrange [0:*]
set ylabel "microseconds, one way"
set title "PAIR latency, 64 B (half the median round trip)"
plot for [i=1:nl] tsv using (X(i, "lat", 64)):(Y(i, "lat", 64)) \
	with boxes lc i title word(libs, i), \
	for [i=1:nl] tsv using (X(i, "lat", 64)):(Y(i, "lat", 64)): \
	(L(i, "lat", 64)) with labels rotate by 90 left offset 0,0.4 \
	font ",8" notitle

unset multiplot
