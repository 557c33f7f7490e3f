#!/bin/sh
# A/B in one run: the webhook (run 1 only), status and start-up benchmarks on an old checkout and on this
# one, interleaved round by round, so both sides see the same noise of this shared 2-core machine.
# Usage: [BENCHES="webhook status startup"] bench/ab.sh OLD_CHECKOUT [rounds, default 2] [seconds per webhook level, default 10]
set -eu
root=$(CDPATH= cd -- "$(dirname -- "$0")/.." && pwd -P)
old=$(CDPATH= cd -- "$1" && pwd -P)
rounds=${2:-2}
seconds=${3:-10}
r=1
while [ "$r" -le "$rounds" ]; do
  for side in old new; do
    dir=$root; [ "$side" = old ] && dir=$old
    echo "== round $r, $side ($(git -C "$dir" rev-parse --short HEAD))"
    case " ${BENCHES:-webhook status startup} " in *" webhook "*)
      RUNS=1 "$dir/bench/webhook.sh" "$seconds" 2>&1 | grep -E "^(concurrency|1 |8 |32 |check:)" || true ;; esac
    case " ${BENCHES:-webhook status startup} " in *" status "*) "$dir/bench/status.sh" 7 2>&1 | grep -E "ms" || true ;; esac
    case " ${BENCHES:-webhook status startup} " in *" startup "*) "$dir/bench/startup.sh" 11 2>&1 | grep -E "ms" || true ;; esac
  done
  r=$((r + 1))
done
