#!/bin/bash
# MLP DP-SGD table (docs/dp.md "The MLP"; run from the repository root after building, under
# the build lock): digits (1438 training rows, 64-64-10, 3 epochs, batch 32, lr 0.5, clip 1,
# delta 1e-5), for each setup and epsilon RUNS runs (reference seeds 1..RUNS; the secure noise
# is fresh each run). Prints one line per run, then the medians.
#   flock /tmp/build.lock benchmarks/dp_mlp.sh [RUNS]
cd "$(dirname "$0")/.."
SIM=build/parties/jointly-sim
RUNS=${1:-5}
out=$(mktemp)
for setup in "2 additive dealer" "3 replicated prss"; do
  set -- $setup
  for eps in none 8 4 2 1 0.5; do
    for seed in $(seq 1 "$RUNS"); do
      extra=""
      [ "$eps" != none ] && extra="--dp-epsilon $eps --dp-reference-seed $seed"
      line=$($SIM --parties $1 --protocol $2 --triples $3 --model mlp --hidden 64 \
        --data data/digits_train.csv --test data/digits_test.csv --epochs 3 --lr 0.5 \
        $extra --json 2>/dev/null | tail -1)
      echo "$1 $2 $eps $seed $line" | tee -a "$out"
      [ "$eps" == none ] && [ "$seed" -ge 2 ] && break
    done
  done
done
python3 - "$out" <<'PY'
import json, statistics, sys
rows = {}
for line in open(sys.argv[1]):
    n, proto, eps, seed, js = line.split(" ", 4)
    j = json.loads(js)
    rows.setdefault((n, proto, eps), []).append(j)
print("| parties, protocol | epsilon | noise | secure accuracy (median, min-max) | plaintext DP-SGD (median, min-max) | training s (median) | rounds |")
print("| --- | --- | --- | --- | --- | --- | --- |")
for (n, proto, eps), js in rows.items():
    acc = [100 * j["accuracy"] for j in js]
    ref = [100 * j["plaintext_accuracy"] for j in js]
    sec = [j["seconds_training"] for j in js]
    noise = js[0].get("dp", {}).get("noise")
    print(f"| {n}, {proto} | {eps} | {'-' if noise is None else f'{noise:.3f}'} | "
          f"{statistics.median(acc):.2f}% ({min(acc):.2f}-{max(acc):.2f}) | "
          f"{statistics.median(ref):.2f}% ({min(ref):.2f}-{max(ref):.2f}) | "
          f"{statistics.median(sec):.3f} | {js[0]['rounds']} |")
PY
rm -f "$out"
