#!/bin/bash
# W4 DP-SGD table (docs/dp.md; run from the repository root after building, under the build lock): for each setup and epsilon, 10 runs (seeds = reference seeds 1..10; the
# secure noise is fresh each run).
cd "$(dirname "$0")/.."
SIM=build/parties/jointly-sim
for setup in "2 additive dealer" "3 replicated prss"; do
  set -- $setup
  for eps in none 8 4 2 1 0.5; do
    for seed in 1 2 3 4 5 6 7 8 9 10; do
      extra=""
      [ "$eps" != none ] && extra="--dp-epsilon $eps --dp-reference-seed $seed"
      line=$($SIM --parties $1 --protocol $2 --triples $3 --data data/breast_cancer_train.csv --test data/breast_cancer_test.csv $extra --json 2>/dev/null | tail -1)
      echo "$1 $2 $eps $seed $line"
      [ "$eps" == none ] && [ $seed -ge 3 ] && break
    done
  done
done
