#!/bin/sh
# Start-up benchmark: `bin/billing --version` and `bin/billing plans list` against a plain Java
# hello-world jar, in the same run, interleaved, medians of N runs (default 21). Not a test.
# Usage: bench/startup.sh [runs]
set -eu
root=$(CDPATH= cd -- "$(dirname -- "$0")/.." && pwd -P)
runs=${1:-21}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

. "$root/bench/lib.sh"
hello_jar "$work"

"$root/bin/billing" --version >/dev/null   # builds the jar and trains the CDS archive if needed

: > "$work/hello.txt"; : > "$work/version.txt"; : > "$work/plans.txt"
i=0
while [ "$i" -lt "$runs" ]; do
  time_ms java -jar "$work/hello.jar" >> "$work/hello.txt"
  time_ms "$root/bin/billing" --version >> "$work/version.txt"
  (cd "$root" && time_ms "$root/bin/billing" plans list) >> "$work/plans.txt"
  i=$((i + 1))
done
h=$(median < "$work/hello.txt"); v=$(median < "$work/version.txt"); p=$(median < "$work/plans.txt")
echo "java $(java -version 2>&1 | head -1 | cut -d'"' -f2), $runs runs each, medians:"
echo "  hello-world jar          ${h} ms"
echo "  billing --version        ${v} ms  ($(awk "BEGIN {printf \"%.2f\", $v/$h}")x)"
echo "  billing plans list       ${p} ms  ($(awk "BEGIN {printf \"%.2f\", $p/$h}")x)"
