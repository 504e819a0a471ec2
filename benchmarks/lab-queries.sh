#!/usr/bin/env bash
# The runs grid and the compare view at scale: a lab database seeded with 10,000 finished runs (15 categories each; 20 of
# them with 1000-epoch histories and a test evaluation every 10 epochs), the server-side queries timed in-process, then the
# same over HTTP against the real lab started on that data root.
#   benchmarks/lab-queries.sh [data-root=/tmp/uniad-bench-lab] [runs=10000] [sqlite|postgres]
# With "postgres" the database is a throwaway PostgreSQL cluster this script starts on loopback (initdb from
# /usr/lib/postgresql/*/bin, run as the postgres user when root) and stops at the end, seeded afresh each time.
set -euo pipefail
cd "$(dirname "$0")/.."
root=${1:-/tmp/uniad-bench-lab}
runs=${2:-10000}
database=${3:-sqlite}
cleanup=()
trap 'for step in "${cleanup[@]}"; do eval "$step"; done' EXIT
for project in benchmarks/LabQueries src/UniAD.Lab.Web; do dotnet build -c Release -v q -nologo "$project" >/dev/null; done
if [ "$database" = postgres ]; then
  bin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
  cluster=$(mktemp -d /tmp/uniad-bench-pg.XXXX)
  pg() { if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
  [ "$(id -u)" -eq 0 ] && chown postgres "$cluster"
  pg "$bin/initdb" -D "$cluster/data" -U postgres -A trust -E UTF8 --locale C --no-sync >/dev/null
  # PostgreSQL's default, durable settings, as a team's server has them (unlike the tests' throwaway clusters).
  pg "$bin/pg_ctl" start -D "$cluster/data" -l "$cluster/log" -w -o "-h 127.0.0.1 -p 55499 -k $cluster" >/dev/null
  cleanup+=("pg '$bin/pg_ctl' stop -D '$cluster/data' -m fast >/dev/null; rm -rf '$cluster'")
  export Lab__Database__Provider=Postgres Lab__Database__ConnectionString="Host=127.0.0.1;Port=55499;Database=uniad_bench;Username=postgres"
  dotnet run -c Release --no-build --project benchmarks/LabQueries -- seed "$root" "$runs"
else
  [ -f "$root/lab.db" ] || dotnet run -c Release --no-build --project benchmarks/LabQueries -- seed "$root" "$runs"
fi
dotnet run -c Release --no-build --project benchmarks/LabQueries -- measure "$root" 20

port=5123
Lab__DataRoot="$root" Lab__Device=cpu dotnet src/UniAD.Lab.Web/bin/Release/net10.0/UniAD.Lab.Web.dll --urls "http://127.0.0.1:$port" >"$root/lab.log" 2>&1 &
lab=$!
cleanup=("kill $lab; wait $lab || true" "${cleanup[@]}")   # the lab stops before its database does
for _ in $(seq 120); do curl -sf "http://127.0.0.1:$port/" >/dev/null && break; sleep 0.5; done
# Median of 10 requests after one warm-up (curl's total time: request, server, response on loopback).
time_url() {
  curl -s -o /dev/null "$2"
  for _ in $(seq 10); do curl -s -o /dev/null -w '%{time_total}\n' "$2"; done | sort -n | awk -v what="$1" '{ t[NR] = $1 } END { printf "%s: median %.1f ms over HTTP\n", what, 1000 * t[int((NR + 1) / 2)] }'
}
time_url "GET /api/runs (first page of 50)" "http://127.0.0.1:$port/api/runs?pageSize=50"
time_url "GET /api/runs (page 100, sorted by image AUROC)" "http://127.0.0.1:$port/api/runs?pageSize=50&page=100&sortBy=MeanImageAuroc"
time_url "GET /api/compare (20 runs, every metric's matrix, JSON)" "http://127.0.0.1:$port/api/compare?runs=$(seq -s, 1 20)"
time_url "GET /api/compare (20 runs, CSV)" "http://127.0.0.1:$port/api/compare?runs=$(seq -s, 1 20)&format=csv"
