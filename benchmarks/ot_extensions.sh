#!/usr/bin/env bash
# IKNP vs SoftSpokenOT (k = 2, 4, 8; 1 or 2 threads) on the issue-19 workloads, two processes
# over TLS: W1 (1M element-wise triples, jointly-bench --op mul), W4 (logistic regression
# through jointly-sim: offline + online) and W2 (one 128x784·784x128 matrix triple). One JSON
# line per run on stdout, for the tables in docs/ot.md and benchmarks/RESULTS.md.
#   benchmarks/ot_extensions.sh [w1] [w4] [w2]     (default: all three)
set -euo pipefail
BENCH=${JOINTLY_BUILD_DIR:-build}/benchmarks/jointly-bench
which=("$@")
[ ${#which[@]} -eq 0 ] && which=(w1 w4 w2)
configs=("iknp 4 1" "softspoken 2 1" "softspoken 4 1" "softspoken 8 1" "iknp 4 2" "softspoken 4 2")
run() {
  local ext=$1 k=$2 threads=$3
  shift 3
  local row
  row=$("$BENCH" --protocol additive --parties 2 --triples ot --ot-extension "$ext" --ot-k "$k" \
    --ot-threads "$threads" "$@" --json | tail -1)
  echo "{\"ot\":\"$ext k=$k threads=$threads\",\"args\":\"$*\",\"row\":$row}"
}
for w in "${which[@]}"; do
  for c in "${configs[@]}"; do
    case $w in
      w1) run $c --op mul --n 1000000 ;;
      w4) run $c --op logreg ;;
      w2) [ "$c" = "softspoken 8 1" ] || [ "$c" = "softspoken 2 1" ] || run $c --op matmul --shape 128x784x128 ;;
    esac
  done
done
