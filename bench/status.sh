#!/bin/sh
# `status --account X`: one-shot with the embedded database (the command starts and stops it), one-shot
# against a running server (here the same embedded server held up by another process, which billing
# attaches to), and inside `billing shell` (warm, shared pool); a hello-world jar in the same run.
# Medians. Not a test. Usage: bench/status.sh [runs]
set -eu
root=$(CDPATH= cd -- "$(dirname -- "$0")/.." && pwd -P)
runs=${1:-11}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$root"
"$root/bin/billing" --version >/dev/null
jar="$root/target/billing.jar"
. "$root/bench/lib.sh"
hello_jar "$work"
data="$work/data"
java -cp "$jar" bench/ShellBench.java seed "$data" acme 2>/dev/null
cp plans.yaml "$work/"


: > "$work/h"; : > "$work/e"
i=0
while [ "$i" -lt "$runs" ]; do
  time_ms java -jar "$work/hello.jar" >> "$work/h"
  (cd "$work" && time_ms "$root/bin/billing" --data-dir "$data" status --account acme) >> "$work/e"
  i=$((i + 1))
done
mkfifo "$work/hold"
java -cp "$jar" bench/ShellBench.java hold "$data" < "$work/hold" > "$work/held" 2>/dev/null &
exec 3> "$work/hold"
while [ ! -s "$work/held" ]; do sleep 0.2; done
: > "$work/s"
i=0
while [ "$i" -lt "$runs" ]; do
  (cd "$work" && time_ms "$root/bin/billing" --data-dir "$data" status --account acme) >> "$work/s"
  i=$((i + 1))
done
(cd "$work" && java -cp "$jar" "$root/bench/ShellBench.java" 101 --data-dir "$data" -- status --account acme) > "$work/shell"
exec 3>&-
wait
h=$(median < "$work/h"); e=$(median < "$work/e"); s=$(median < "$work/s")
echo "java $(java -version 2>&1 | head -1 | cut -d'"' -f2), $runs runs each, medians:"
echo "  hello-world jar                          ${h} ms"
echo "  status, embedded database (starts it)    ${e} ms  ($(awk "BEGIN {printf \"%.1f\", $e/$h}")x)"
echo "  status, running server (attaches)        ${s} ms  ($(awk "BEGIN {printf \"%.1f\", $s/$h}")x)"
echo "  in billing shell:"
cat "$work/shell"
