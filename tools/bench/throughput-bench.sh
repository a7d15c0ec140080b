#!/usr/bin/env bash
# The throughput part of the `bench` target: ingestion + aggregation end to end (acknowledged and
# applied, authentication on, durable writes) at several workload shapes, beside DuckDB building
# the same 27-level lattice from the same CSV files in the same run.
#   OMNIA_BENCH_MOBILITIES   mobility percents to run (default "0 50 100")
#   OMNIA_BENCH_REPEATS      ingests on their own per shape, each on fresh services (default 3):
#                            this machine's speed drifts by a quarter within a sitting, so the
#                            summary gives their median and their range, never one run alone
#   OMNIA_BENCH_STREAMS      StreamEvents streams of the client (default 4)
#   and the variables of bench-lib.sh (workload size, scratch space, the DuckDB peer).
# Every dataset has 1 % exact duplicate rows and 1 worker id in 13 written in lower case.
# Per shape: the ingest on its own (throughput), idle query latency at concurrency 1 and 8 (once
# the background work the ingest left has finished; three runs each), peak memory, disk and
# restart time; the further ingests on their own; then two more ingests on fresh services with 1
# and 8 query clients running beside them (query latency during a full-speed ingest).
# Prints JSON lines, then a summary table.
set -euo pipefail
source "$(dirname "$0")/bench-lib.sh"
mobilities=${OMNIA_BENCH_MOBILITIES:-0 50 100}
repeats=${OMNIA_BENCH_REPEATS:-3}
streams=${OMNIA_BENCH_STREAMS:-4}
for setting in "OMNIA_BENCH_REPEATS=$repeats" "OMNIA_BENCH_STREAMS=$streams"; do
  if ! [[ ${setting#*=} =~ ^[1-9][0-9]*$ ]]; then
    echo "throughput-bench: $setting: a whole number from 1 is expected" >&2
    exit 2
  fi
done
results=$work/throughput-results.jsonl
: >"$results"
ensure_duckdb_peer
"$build/tools/bench/omnia-apply-bench" --codelists_dir="$work"

emit() { echo "$1" | tee -a "$results"; }
field() { sed -n "s/.*\"$2\": \([0-9.]*\).*/\1/p" <<<"$1"; }

# start_services STATE_DIR: a fresh aggregation and ingestion on free loopback ports; sets agg,
# ing, agg_pid and ing_pid.
start_services() {
  local state=$1 base=$((20000 + RANDOM % 20000))
  rm -rf "$state" && mkdir -p "$state"
  agg=127.0.0.1:$((base + 1)) ing=127.0.0.1:$((base + 2))
  make_secrets "$state/secrets"
  start_aggregation "$agg" "$state" "$state/secrets"
  start_ingestion "$ing" "$state/ingestion" "$agg" "$state/secrets" "$state/ingestion.log"
  wait_serving "$agg"
  wait_serving "$ing"
}

# ingest_data DATA_DIR [omnia-bench flags...]: streams the workload's two files, prints JSON lines.
ingest_data() {
  "$build/tools/bench/omnia-bench" ingest --ingestion="$ing" --aggregation="$agg" \
    --streams="$streams" "${@:2}" --applications="$1/applications.csv" \
    --payments="$1/payments.csv"
}

# emit_peak_rss MOBILITY REPEAT: both services' peak resident memory so far.
emit_peak_rss() {
  local s pid_var
  for s in agg ing; do
    pid_var=${s}_pid
    emit "{\"step\": \"peak_rss_$s\", \"mib\": $(peak_rss_mib "${!pid_var}"), \"repeat\": $2, \"mobility_percent\": $1}"
  done
}

run_shape() {
  local mobility=$1 data=$work/data-$payments-$applications-$workers-m$1
  generate_data "$data" --mobility_percent="$mobility" --duplicate_per_mille=10 \
    --lowercase_per_mille=77
  local state=$work/state-m$mobility
  trap 'kill $agg_pid $ing_pid 2>/dev/null || true' RETURN EXIT
  start_services "$state"

  # Throughput on its own: nothing else competes for the processors.
  local line l
  line=$(ingest_data "$data")
  while read -r l; do emit "${l%\}}, \"repeat\": 1, \"mobility_percent\": $mobility}"; done <<<"$line"
  # Idle means idle: the flushes and compactions the ingest left running finish first (how long
  # that took is reported too).
  emit "{\"step\": \"settle_after_ingest\", \"seconds\": $(wait_quiet $agg_pid $ing_pid), \"mobility_percent\": $mobility}"
  local run
  for run in 1 2 3; do
    for c in 1 8; do
      l=$("$build/tools/bench/omnia-bench" query --aggregation="$agg" --kind=cell \
        --concurrency=$c --duration=3s)
      emit "${l%\}}, \"repeat\": $run, \"mobility_percent\": $mobility}"
    done
  done
  emit_peak_rss "$mobility" 1
  local events disk_agg disk_ing
  events=$(field "$(head -1 <<<"$line")" events)
  kill -TERM $ing_pid $agg_pid && wait $ing_pid $agg_pid || true
  disk_agg=$(du -sb "$state/aggregation" | cut -f1)
  disk_ing=$(du -sb "$state/ingestion" | cut -f1)
  emit "{\"step\": \"disk_bytes_per_event\", \"aggregation\": $((disk_agg / events)), \"ingestion\": $((disk_ing / events)), \"mobility_percent\": $mobility}"
  # Restart: how long aggregation takes to serve again with every event applied.
  local t0 t1
  t0=$(date +%s.%N)
  start_aggregation "$agg" "$state" "$state/secrets"
  wait_serving "$agg" 120s
  t1=$(date +%s.%N)
  emit "{\"step\": \"aggregation_restart_to_serving\", \"seconds\": $(awk -v a="$t0" -v b="$t1" 'BEGIN {printf "%.3f", b - a}'), \"mobility_percent\": $mobility}"
  kill -TERM $agg_pid && wait $agg_pid || true

  # The further ingests on their own, each on fresh services.
  local rep
  for rep in $(seq 2 "$repeats"); do
    start_services "$state"
    line=$(ingest_data "$data")
    while read -r l; do
      emit "${l%\}}, \"repeat\": $rep, \"mobility_percent\": $mobility}"
    done <<<"$line"
    emit_peak_rss "$mobility" "$rep"
    kill -TERM $ing_pid $agg_pid && wait $ing_pid $agg_pid || true
  done

  # Query latency during a full-speed ingest, on fresh services, one ingest per concurrency: the
  # query clients send back to back and take their share of the two processors, so the ingest
  # beside them is slower and is reported under its own name.
  for c in 1 8; do
    start_services "$state"
    line=$(ingest_data "$data" --queries_during=$c)
    while read -r l; do
      l=${l/\"ingest_end_to_end\"/\"ingest_end_to_end_with_queries_c$c\"}
      emit "${l%\}}, \"mobility_percent\": $mobility}"
    done <<<"$line"
    kill -TERM $ing_pid $agg_pid && wait $ing_pid $agg_pid || true
  done

  if [ -n "$duckdb_modules" ]; then
    l=$(NODE_PATH=$duckdb_modules node "$root/tools/bench/duckdb_lattice.mjs" "$data/applications.csv" \
      "$data/payments.csv" "$work/regions.csv" "$work/types.csv" 2)
    emit "${l%\}}, \"mobility_percent\": $mobility}"
  fi
  rm -rf "$state"
}

for mobility in $mobilities; do
  echo "== mobility $mobility %: $payments payments, $applications applications, $workers workers"
  run_shape "$mobility"
done

echo "== summary (per shape: medians of the ingests on their own, their range in brackets, and of"
echo "   the three idle query runs; ratio = omnia's median seconds / DuckDB's seconds)"
python3 - "$results" <<'PY'
import json, statistics, sys
rows = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
by = {}
for r in rows:
    by.setdefault(r["mobility_percent"], {}).setdefault(r["step"], []).append(r)

def median(steps, name, key):
    return statistics.median(r[key] for r in steps[name])

def spread(steps, name, key):
    values = [r[key] for r in steps[name]]
    return f"[{min(values):.2f}-{max(values):.2f}]"

print(f"{'mobility':>8} {'runs':>4} {'events/s':>10} {'omnia s':>20} {'acked/s':>10} "
      f"{'acked s':>20} {'duckdb s':>9} {'ratio':>6} {'q p99 ingest c1/c8':>19} "
      f"{'q p99 idle c1/c8':>17} {'rss agg/ing MiB':>16} {'disk B/ev':>10} {'restart s':>9}")
for m in sorted(by):
    s = by[m]
    e = "ingest_end_to_end"
    events = s[e][0]["events"]
    seconds = median(s, e, "seconds")
    acked = median(s, e, "acked_seconds")
    d = s.get("duckdb_lattice")
    ratio = f"{seconds / d[0]['seconds']:.2f}" if d else "-"
    during = "/".join(f"{s.get(f'query_cell_c{c}_during_ingest', [{}])[0].get('p99_us', 0) / 1000:.2f}"
                      for c in (1, 8)) + " ms"
    idle = "/".join(f"{median(s, f'query_cell_c{c}', 'p99_us') / 1000:.2f}" for c in (1, 8)) + " ms"
    rss = "/".join(str(max(r["mib"] for r in s[f"peak_rss_{p}"])) for p in ("agg", "ing"))
    disk = s["disk_bytes_per_event"][0]
    print(f"{m:>8} {len(s[e]):>4} {events / seconds:>10.0f} "
          f"{seconds:>7.2f} {spread(s, e, 'seconds'):>12} {events / acked:>10.0f} "
          f"{acked:>7.2f} {spread(s, e, 'acked_seconds'):>12} "
          f"{(d[0]['seconds'] if d else 0):>9.2f} {ratio:>6} {during:>19} {idle:>17} {rss:>16} "
          f"{disk['aggregation'] + disk['ingestion']:>10} "
          f"{s['aggregation_restart_to_serving'][0]['seconds']:>9}")
PY
