#!/bin/sh
# sync benchmark: `bin/billing sync --all` of N subscriptions from the test suite's Stripe stand-in
# (its own JVM, every request validated against Stripe's OpenAPI description) into a fresh embedded
# PostgreSQL. Reports list requests, wall time, rows/s and the billing process's peak RSS, with the
# heap capped (BILLING_JAVA_OPTS=-Xmx128m) so that memory growing with N would fail. Not a test.
#
# Usage: bench/sync.sh [N ...]   (default: 10000 100000)
#   STRIPE_LIKE=1   the stand-in answers like Stripe: 300–700 ms per request (random), and its rate limit
#                   answers 429 over 25 requests/s; billing runs with --rate 25. Checks 0 missing and 0
#                   duplicated (created = N, unchanged = 0, N distinct rows), the time against the floor
#                   (N/100 requests at 25/s), and then a kill -9 in the middle followed by --resume. The stand-in
#                   then validates every request but only 1 answer in VALIDATE_EVERY (default 20): validating
#                   every 100-subscription answer costs it ~80 ms of CPU, more than this 2-core machine has
#                   at 25 pages/s beside the sync and PostgreSQL.
#   SKIP_KILL=1     (with STRIPE_LIKE=1) only the full sync, no kill and --resume.
#   OLD=DIR         also runs the same N with the jar of another checkout (built there), in the same run
#                   (A/B; the old sequential sync pays every page's latency one after another).
set -eu
root=$(CDPATH= cd -- "$(dirname -- "$0")/.." && pwd -P)
cd "$root"
mvn -q -B -o -Dstyle.color=never -DskipTests -Dman.skip=true package >&2
mvn -q -B -o -Dstyle.color=never dependency:build-classpath -Dmdep.outputFile=target/bench-classpath.txt -Dmdep.includeScope=test >&2
cp="target/classes:target/test-classes:$(cat target/bench-classpath.txt)"
[ $# -gt 0 ] || set -- 10000 100000
"$root/bin/billing" --version >/dev/null
if [ -n "${OLD:-}" ]; then
  (cd "$OLD" && mvn -q -B -o -Dstyle.color=never -DskipTests -Dman.skip=true package >&2 && ./bin/billing --version >/dev/null)
fi
work=""; standin=""
cleanup() { # whatever happened: the stand-in gets EOF, the embedded server stops, the files go
  exec 3>&-
  [ -n "$standin" ] && wait "$standin" 2>/dev/null || true
  [ -n "$work" ] && [ -d "$work/.billing" ] && (cd "$work" && "$root/bin/billing" db stop >/dev/null 2>&1) || true
  [ -n "$work" ] && rm -rf "$work"
  true
}
trap cleanup EXIT
standin_opts=""; rate_opts=""
if [ "${STRIPE_LIKE:-0}" = 1 ]; then standin_opts="--latency 300-700 --rate-limit 25 --validate-every ${VALIDATE_EVERY:-20}"; rate_opts="--rate 25"; fi

standin() { # N: starts the stand-in, sets $url and $standin
  rm -f "$work/url"
  mkfifo "$work/in"
  java -Xmx3g -Dbilling.openapi.spec="$root/../shared/stripe-openapi/spec3.json" -cp "$cp" bench/SyncStandIn.java "$1" $standin_opts \
    < "$work/in" > "$work/url" 2> "$work/standin.err" &
  standin=$!
  exec 3> "$work/in"
  while [ ! -s "$work/url" ]; do sleep 0.2; done
  url=$(head -1 "$work/url")
}
standin_done() {
  exec 3>&-
  wait "$standin" || { cat "$work/standin.err" >&2; standin=""; exit 1; }
  standin=""
  rm -f "$work/in"
}
billing() { # bin, args...: runs in $work against the stand-in, JSON on $work/out.json, time on $work/time
  bin=$1; shift
  (cd "$work" && STRIPE_SECRET_KEY=sk_test_FAKE_bench STRIPE_API_BASE="$url" BILLING_JAVA_OPTS=-Xmx128m \
    /usr/bin/time -f "%e %M %U %S" -o "$work/time" "$bin" -o json "$@" > "$work/out.json" 2> "$work/err")
}
field() { sed -n "s/.*\"$1\" : \([0-9a-z]*\).*/\1/p" "$work/out.json" | head -1; }
rows() { # distinct and all subscription rows, through the embedded server that `db start` keeps up
  pgport=$(sed -n 4p "$work/.billing/pg/postmaster.pid")
  psql -h 127.0.0.1 -p "$pgport" -U postgres -d postgres -tAc \
    "select count(distinct stripe_subscription_id) || ' distinct of ' || count(*) from subscriptions"
}
report() { # label, N
  read -r secs kb usr sys < "$work/time"
  created=$(field created); unchanged=$(field unchanged); reqs=$(field listRequests); ms=$(field elapsedMs); windows=$(field windows)
  floor=$(awk "BEGIN {printf \"%.1f\", ($2 / 100) / 25}")
  echo "$1 N=$2: $created created, $unchanged unchanged, $reqs list requests in ${windows:-1} window(s) (ceil(N/100) = $(( ($2 + 99) / 100 ))),"\
    "sync $(awk "BEGIN {printf \"%.1f\", $ms/1000}") s ($(awk "BEGIN {printf \"%.0f\", $created*1000/$ms}") rows/s$( [ "${STRIPE_LIKE:-0}" = 1 ] &&
    echo ", $(awk "BEGIN {printf \"%.2f\", $ms/1000/$floor}")x the floor of $floor s")), ${secs} s for the whole command,"\
    "CPU $(awk "BEGIN {printf \"%.1f\", $usr + $sys}") s, peak RSS $((kb / 1024)) MiB with -Xmx128m"
}

for n in "$@"; do
  if [ -n "${OLD:-}" ]; then
    work=$(mktemp -d); cp plans.yaml "$work/plans.yaml"
    standin "$n"
    billing "$OLD/bin/billing" sync --all || { cat "$work/err" >&2; exit 1; }
    report "old ($(git -C "$OLD" rev-parse --short HEAD 2>/dev/null || echo "$OLD"))" "$n"
    standin_done; echo "  $(tail -1 "$work/standin.err")"
    rm -rf "$work"; work=""
  fi

  work=$(mktemp -d); cp plans.yaml "$work/plans.yaml"
  standin "$n"
  (cd "$work" && "$root/bin/billing" db start --idle 10m >/dev/null)
  billing "$root/bin/billing" sync --all $rate_opts || { cat "$work/err" >&2; exit 1; }
  [ -z "${KEEP_ERR:-}" ] || cp "$work/err" "$KEEP_ERR" # the sync's stderr, kept for a look
  report "new" "$n"
  echo "  rows: $(rows)"
  standin_done; echo "  $(tail -1 "$work/standin.err")"

  if [ "${STRIPE_LIKE:-0}" = 1 ] && [ "${SKIP_KILL:-0}" != 1 ]; then
    # kill -9 in the middle of a fresh sync, then --resume: the same rows, no page written twice
    psql -h 127.0.0.1 -p "$(sed -n 4p "$work/.billing/pg/postmaster.pid")" -U postgres -d postgres -qc "truncate subscriptions cascade; truncate sync_runs cascade" >/dev/null
    standin "$n"
    cd "$work"
    STRIPE_SECRET_KEY=sk_test_FAKE_bench STRIPE_API_BASE="$url" BILLING_JAVA_OPTS=-Xmx128m \
      "$root/bin/billing" -o json sync --all $rate_opts > "$work/killed.json" 2> "$work/killed.err" &
    victim=$! # bin/billing execs java: this is the sync's JVM
    cd "$root"
    sleep "${KILL_AFTER:-20}"
    kill -9 "$victim" 2>/dev/null || true
    wait "$victim" || true
    before=$(rows)
    billing "$root/bin/billing" sync --all --resume $rate_opts || { cat "$work/err" >&2; exit 1; }
    echo "  killed after ${KILL_AFTER:-20} s with $before rows; --resume: resumed=$(field resumed), $(field created) created," \
      "$(field unchanged) unchanged, $(field listRequests) list requests, $(awk "BEGIN {printf \"%.1f\", $(field elapsedMs)/1000}") s; rows: $(rows)"
    standin_done; echo "  $(tail -1 "$work/standin.err")"
  fi
  (cd "$work" && "$root/bin/billing" db stop >/dev/null)
  rm -rf "$work"; work=""
done
