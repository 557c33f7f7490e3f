#!/bin/sh
# sync benchmark: `bin/billing sync --all` of N subscriptions from the test suite's Stripe stand-in
# (its own JVM, every request validated against Stripe's OpenAPI description) into a fresh embedded
# PostgreSQL. Reports list requests, wall time, rows/s and the billing process's peak RSS, with the
# heap capped (BILLING_JAVA_OPTS=-Xmx128m) so that memory growing with N would fail. Not a test.
# Usage: bench/sync.sh [N ...]   (default: 10000 100000)
set -eu
root=$(CDPATH= cd -- "$(dirname -- "$0")/.." && pwd -P)
cd "$root"
mvn -q -B -Dstyle.color=never -DskipTests -Dman.skip=true package >&2
mvn -q -B -Dstyle.color=never dependency:build-classpath -Dmdep.outputFile=target/bench-classpath.txt -Dmdep.includeScope=test >&2
cp="target/classes:target/test-classes:$(cat target/bench-classpath.txt)"
[ $# -gt 0 ] || set -- 10000 100000
"$root/bin/billing" --version >/dev/null
for n in "$@"; do
  work=$(mktemp -d)
  mkfifo "$work/in"
  java -Xmx3g -Dbilling.openapi.spec="$root/../shared/stripe-openapi/spec3.json" -cp "$cp" bench/SyncStandIn.java "$n" \
    < "$work/in" > "$work/url" 2> "$work/standin.err" &
  standin=$!
  exec 3> "$work/in"
  while [ ! -s "$work/url" ]; do sleep 0.2; done
  url=$(head -1 "$work/url")
  cp plans.yaml "$work/plans.yaml"
  (cd "$work" && STRIPE_SECRET_KEY=sk_test_FAKE_bench STRIPE_API_BASE="$url" BILLING_JAVA_OPTS=-Xmx128m \
    /usr/bin/time -f "%e %M" -o "$work/time" "$root/bin/billing" -o json sync --all > "$work/out.json" 2> "$work/err") \
    || { cat "$work/err" >&2; exit 1; }
  exec 3>&-
  wait "$standin" || { cat "$work/standin.err" >&2; exit 1; }
  read -r secs kb < "$work/time"
  reqs=$(sed -n 's/.*"listRequests" : \([0-9]*\).*/\1/p' "$work/out.json")
  created=$(sed -n 's/.*"created" : \([0-9]*\).*/\1/p' "$work/out.json")
  ms=$(sed -n 's/.*"elapsedMs" : \([0-9]*\).*/\1/p' "$work/out.json")
  echo "N=$n: $created rows created, $reqs list requests (ceil(N/100) = $(( (n + 99) / 100 ))), sync ${ms} ms" \
    "($(awk "BEGIN {printf \"%.0f\", $created*1000/$ms}") rows/s), ${secs} s for the whole command (JVM, embedded" \
    "PostgreSQL initdb and start included), peak RSS $((kb / 1024)) MiB with -Xmx128m;" \
    "$(tail -1 "$work/standin.err")"
  rm -rf "$work"
done
