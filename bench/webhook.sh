#!/bin/sh
# Webhook load benchmark (not a test): webhook-serve on the embedded PostgreSQL (durable: fsync on),
# the Java load generator bench/WebhookLoad.java on the same machine, over loopback.
# Run 1: 2,000 subscriptions at concurrency 1, 8, 32. Run 2: a fresh database with 1,000,000
# subscriptions (and as many stored events) already there, concurrency 8. Numbers: bench/README-webhook.md.
# A warm-up level (half the time, not reported) runs first: the JIT compiles before anything is measured.
# Usage: [THREADS=16] [RUNS=1 (only run 1)] [LEVELS=w8,1,8,32 (run 1's levels; wN: a warm-up)] bench/webhook.sh [seconds per level, default 20]
set -eu
root=$(CDPATH= cd -- "$(dirname -- "$0")/.." && pwd -P)
seconds=${1:-20}
work=$(mktemp -d)
secret="whsec_bench_$(od -An -N8 -tx1 /dev/urandom | tr -d ' \n')"
server=""
cleanup() {
  [ -n "$server" ] && kill -TERM "$server" 2>/dev/null && wait "$server" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

"$root/bin/billing" --version >/dev/null   # builds the jar if needed

serve() { # data dir, port
  STRIPE_WEBHOOK_SECRET=$secret BILLING_DATA_DIR=$1 "$root/bin/billing" --plans "$root/plans.yaml" \
    webhook-serve --port "$2" --threads "${THREADS:-16}" 2> "$1.log" &
  server=$!
  i=0
  until curl -fs "http://127.0.0.1:$2/healthz" >/dev/null 2>&1; do
    i=$((i + 1)); [ $i -gt 300 ] && { echo "webhook-serve did not start:"; cat "$1.log"; exit 3; }
    sleep 0.1
  done
}
stop() {
  kill -TERM "$server"; wait "$server" || true; server=""
}
load() { # data dir, port, levels, [seed rows]
  postmaster=$(sed -n 1p "$1/pg/postmaster.pid"); pgport=$(sed -n 4p "$1/pg/postmaster.pid")
  java -cp "$root/target/billing.jar" "$root/bench/WebhookLoad.java" "http://127.0.0.1:$2/webhook" "$secret" \
    "jdbc:postgresql://127.0.0.1:$pgport/postgres" "$server" "$postmaster" 2000 "$seconds" "$3" ${4:-}
}

echo "== run 1: 2,000 subscriptions, empty tables"
serve "$work/one" 4299
load "$work/one" 4299 "${LEVELS:-w8,1,8,32}"
stop
echo "server log: $(wc -l < "$work/one.log") lines; last: $(tail -n 1 "$work/one.log")"

[ "${RUNS:-2}" = 1 ] && exit 0
echo "== run 2: the same, with 1,000,000 subscriptions and events already stored"
serve "$work/two" 4298
load "$work/two" 4298 w8,1,8 1000000 # the same levels as run 1 up to 8: as warm a JIT
stop
