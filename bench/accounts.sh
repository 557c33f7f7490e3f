#!/bin/sh
# `accounts list` (each filter) and `report` on 1,000,000 accounts: seeds them in SQL (generate_series) into an
# embedded PostgreSQL, then times each command inside one JVM as `billing shell` runs it (medians), and prints
# PostgreSQL's plan of each filter's query. Not a test.
# Usage: bench/accounts.sh [accounts] [runs]   (BENCH_DATA=DIR keeps the seeded data dir for another run)
set -eu
root=$(CDPATH= cd -- "$(dirname -- "$0")/.." && pwd -P)
accounts=${1:-1000000}
runs=${2:-21}
cd "$root"
"$root/bin/billing" --version >/dev/null   # builds target/billing.jar when the sources changed
if [ -n "${BENCH_DATA:-}" ]; then
  data=$BENCH_DATA
else
  data=$(mktemp -d)
  trap 'rm -rf "$data"' EXIT
fi
java -Dbilling.embedded.durable=false -cp "$root/target/billing.jar" "$root/bench/AccountsBench.java" "$data" "$accounts" "$runs"
