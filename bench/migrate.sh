#!/bin/sh
# prices migrate benchmark: `bin/billing prices migrate --plan pro --cycle monthly` of N subscriptions against the
# test suite's Stripe stand-in (its own JVM, every request validated against Stripe's OpenAPI description) made
# Stripe-like: every answer takes 300 ms and the account allows 25 requests/s (test mode's limit; over it, 429).
# The database (a fresh embedded PostgreSQL) first gets the subscriptions through `billing sync --all`, as webhooks
# would have put them there. The floor is what the limit allows: N updates / 25 per second; the run's wall time
# (the command's own elapsedMs: the list, the N updates, the database) is reported against it. Not a test.
# Usage: bench/migrate.sh [N ...]   (default: 2500 10000)
set -eu
root=$(CDPATH= cd -- "$(dirname -- "$0")/.." && pwd -P)
cd "$root"
mvn -q -B -o -Dstyle.color=never -DskipTests -Dman.skip=true package >&2
mvn -q -B -o -Dstyle.color=never dependency:build-classpath -Dmdep.outputFile=target/bench-classpath.txt -Dmdep.includeScope=test >&2
cp="target/classes:target/test-classes:$(cat target/bench-classpath.txt)"
[ $# -gt 0 ] || set -- 2500 10000
"$root/bin/billing" --version >/dev/null
rate=25
for n in "$@"; do
  work=$(mktemp -d)
  mkfifo "$work/in"
  java -Xmx3g -Dbilling.openapi.spec="$root/../shared/stripe-openapi/spec3.json" -cp "$cp" bench/MigrateStandIn.java "$n" \
    --latency 300-300 --rate-limit "$rate" < "$work/in" > "$work/url" 2> "$work/standin.err" &
  standin=$!
  exec 3> "$work/in"
  while [ ! -s "$work/url" ]; do sleep 0.2; done
  url=$(head -1 "$work/url")
  cp plans.yaml "$work/plans.yaml"
  (cd "$work" && STRIPE_SECRET_KEY=sk_test_FAKE_bench STRIPE_API_BASE="$url" \
    "$root/bin/billing" -o json sync --all --rate "$rate" > "$work/sync.json" 2> "$work/err") || { cat "$work/err" >&2; exit 1; }
  (cd "$work" && STRIPE_SECRET_KEY=sk_test_FAKE_bench STRIPE_API_BASE="$url" \
    /usr/bin/time -f "%e %M" -o "$work/time" "$root/bin/billing" -o json prices migrate --plan pro --cycle monthly --rate "$rate" \
    --reason bench > "$work/out.json" 2> "$work/err") || { cat "$work/err" >&2; exit 1; }
  exec 3>&-
  wait "$standin" || { cat "$work/standin.err" >&2; exit 1; }
  read -r secs kb < "$work/time"
  field() { sed -n "s/^  \"$1\" : \([0-9]*\).*/\1/p" "$work/out.json"; }
  moved=$(field moved); lists=$(field listRequests); ms=$(field elapsedMs); skipped=$(field skipped); failed=$(field failed)
  echo "N=$n at ${rate}/s, 300 ms a request: moved $moved (skipped $skipped, failed $failed), $lists list requests; run ${ms} ms," \
    "floor N/$rate = $((n / rate)) s, ratio $(awk "BEGIN {printf \"%.3f\", $ms/1000/($n/$rate)}")" \
    "(floor of every request, (N + lists + 2)/$rate = $(awk "BEGIN {printf \"%.1f\", ($n+$lists+2)/$rate}") s);" \
    "whole command ${secs} s, peak RSS $((kb / 1024)) MiB; $(tail -1 "$work/standin.err")"
  rm -rf "$work"
done
