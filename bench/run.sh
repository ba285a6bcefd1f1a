#!/usr/bin/env bash
# Reproduces BENCHMARKS.md: the go test benchmarks, in ROUNDS interleaved
# rounds of one sample each (so that the kit and its baselines see the same
# machine when other work comes and goes), into results/go-bench.txt
# (benchstat-comparable), then the load harness on each store into
# results/harness-*.txt (on MySQL or MariaDB and on PostgreSQL twice, with
# OnPaid and without: results/harness-*-no-onpaid.txt), then the scale
# scenario on PostgreSQL (the payments table at each of SCALE's sizes) into
# results/scale-postgres.txt, with its plans
# (results/scale-plans-postgres-*.txt) and its plot (results/scale.png); it
# fails when a statement the kit makes scans the payments or events table
# sequentially at 100,000 payments or more.
# Everything runs on loopback and stops by itself.
#
#   cd bench && ./run.sh                # ROUNDS=6, all four stores, SCALE=10000,100000,1000000
#   ROUNDS=10 STORES="memory postgres" SCALE= ./run.sh     # no scale run
#   STORES= SCALE= ./run.sh             # the go benchmarks only
#
# PostgreSQL: $CAURI_TEST_POSTGRES_DSN, or the local test database; MySQL
# or MariaDB: $CAURI_TEST_MYSQL_DSN, or the local test database with
# interpolateParams=true, as stores/sql recommends.
set -euo pipefail
cd "$(dirname "$0")"

rounds=${ROUNDS:-6}
stores=${STORES-memory sqlite mysql postgres}
scale=${SCALE-10000,100000,1000000}
out=${OUT:-results}
mkdir -p "$out"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

go test -c -o "$tmp/bench.test" .
go build -o "$tmp/cauri-bench" ./cmd/cauri-bench

{
	echo "# $(go version); $(nproc) cores; $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')"
	echo "# load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
} > "$out/go-bench.txt"
for i in $(seq "$rounds"); do
	echo "round $i of $rounds" >&2
	"$tmp/bench.test" -test.run '^$' -test.bench . -test.benchmem -test.count 1 -test.timeout 30m |
		if [ "$i" = 1 ]; then cat; else grep '^Benchmark'; fi >> "$out/go-bench.txt"
done
echo "# load average after: $(cut -d' ' -f1-3 /proc/loadavg)" >> "$out/go-bench.txt"

for s in $stores; do
	echo "harness: $s" >&2
	scen=webhook
	[ "$s" = memory ] && scen=webhook,breaker,slow,reconcile
	"$tmp/cauri-bench" -q -store "$s" -scenarios "$scen" -duration 20s -concurrency 32 -requests 20000 > "$out/harness-$s.txt"
	if [ "$s" = mysql ] || [ "$s" = postgres ]; then
		echo "harness: $s, no OnPaid" >&2
		"$tmp/cauri-bench" -q -store "$s" -scenarios webhook -no-onpaid -duration 20s -concurrency 32 -requests 20000 > "$out/harness-$s-no-onpaid.txt"
	fi
done

if [ -n "$scale" ]; then
	echo "harness: scale, $scale payments" >&2
	"$tmp/cauri-bench" -q -store postgres -scenarios scale -sizes "$scale" -scale-pending 500 -duration 20s -concurrency 32 -requests 5000 -results "$out" > "$out/scale-postgres.txt"
fi
