#!/usr/bin/env bash
# Runs the shared workloads (W1-W4, and W5 with --w5) with jointly-bench and
# writes benchmarks/RESULTS.md: one row per run with the command, the commit and the machine.
#   benchmarks/run_workloads.sh [--repeat 3] [--w5]
# --w5 adds W5 (the MLP on 6,000 and on all 60,000 Fashion-MNIST images, 1 epoch, replicated
# sharing) through processes (jointly-bench --op mlp) and on in-process parties
# (tests/ml/mlp/mlp_measure, docs/mlp.md).
set -euo pipefail
cd "$(dirname "$0")/.."
REPEAT=3
W5=0
while [ $# -gt 0 ]; do
  case "$1" in
    --repeat) REPEAT=$2; shift 2 ;;
    --w5) W5=1; shift ;;
    *) echo "usage: $0 [--repeat N] [--w5]" >&2; exit 2 ;;
  esac
done
BENCH=${JOINTLY_BUILD_DIR:-build}/benchmarks/jointly-bench
[ -x "$BENCH" ] || ./jointly.sh build
commit=$(git rev-parse --short HEAD)$(git diff --quiet || echo "+dirty")
cpu=$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')
machine="$(nproc) cores, $cpu"
out=benchmarks/RESULTS.md
{
  echo "# jointly-bench results"
  echo
  echo "Written by \`benchmarks/run_workloads.sh --repeat $REPEAT\` on $(date -u +%Y-%m-%d) at commit \`$commit\`;"
  echo "machine: $machine. One process per party on 127.0.0.1, TLS 1.3 on. Seconds are the median of"
  echo "$REPEAT runs (slowest party); bytes are the most any one party sent (online) or would receive"
  echo "from the dealer (offline); rounds are online communication rounds. Dealer triples are a"
  echo "simulation (see docs/security.md); for logreg they are expanded inline, inside the online time."
  echo "OT rows: offline = the two parties generating the triples by oblivious transfer (bytes this"
  echo "party sent); for logreg that is jointly-party's offline phase, run before training."
  echo "Shamir rows make all their randomness themselves (DN07) inside the operation: their online"
  echo "figures include that preprocessing. Replicated rows need no preprocessing at all (pairwise"
  echo "PRG keys agreed once at start-up)."
  echo
  echo "| workload | command | offline s | online s | offline bytes/party | online bytes/party | online rounds | accuracy (plaintext) |"
  echo "|---|---|---|---|---|---|---|---|"
} > "$out"
run() {
  local name=$1; shift
  local cmd="jointly-bench $* --repeat $REPEAT --json"
  echo "running $name: $cmd" >&2
  local j
  j=$("$BENCH" "$@" --repeat "$REPEAT" --json | tail -n 1)
  python3 - "$name" "$cmd" "$j" >> "$out" <<'PY'
import json, sys
name, cmd, j = sys.argv[1], sys.argv[2], json.loads(sys.argv[3])
acc = f"{100*j['accuracy']:.2f}% ({100*j['plaintext_accuracy']:.2f}%)" if 'accuracy' in j else "–"
print(f"| {name} | `{cmd}` | {j['seconds_offline']:.3f} | {j['seconds_online']:.3f} | "
      f"{j['bytes_per_party_offline']:,} | {j['bytes_per_party_online']:,} | {j['rounds_online']} | {acc} |")
PY
}
run "W1 mul 1M, 2p" --protocol additive --triples dealer --parties 2 --op mul --n 1000000
run "W1 mul 1M, 2p OT triples (no dealer)" --protocol additive --parties 2 --triples ot --op mul --n 1000000
run "W1 mul 1M, 3p" --protocol additive --triples dealer --parties 3 --op mul --n 1000000
run "W1 mul 1M, 3p Shamir (DN07, no dealer)" --protocol shamir --parties 3 --op mul --n 1000000
run "W1 mul 1M, 3p replicated (no dealer)" --protocol replicated --parties 3 --op mul --n 1000000
run "1M dealer-free Beaver triples, 3p Shamir" --protocol shamir --parties 3 --op triples --n 1000000
run "W2 matmul+trunc, 2p" --protocol additive --triples dealer --parties 2 --op matmul --shape 128x784x128
run "W2 matmul+trunc, 3p" --protocol additive --triples dealer --parties 3 --op matmul --shape 128x784x128
run "W2 matmul+trunc, 3p Shamir (DN07, no dealer)" --protocol shamir --parties 3 --op matmul --shape 128x784x128
run "W2 matmul+trunc, 3p replicated (no dealer)" --protocol replicated --parties 3 --op matmul --shape 128x784x128
run "W3 relu 1M, 2p" --protocol additive --triples dealer --parties 2 --op relu --n 1000000
run "W3 relu 1M, 3p" --protocol additive --triples dealer --parties 3 --op relu --n 1000000
# Shamir's comparison sends ~6.6 KB per element and party (docs/circuits.md): 100k elements.
run "W3 relu 100k, 3p Shamir (no dealer)" --protocol shamir --parties 3 --op relu --n 100000
run "W3 relu 1M, 3p replicated (no dealer)" --protocol replicated --parties 3 --op relu --n 1000000
run "W4 logreg, 2p" --protocol additive --triples dealer --parties 2 --op logreg
run "W4 logreg, 2p OT triples (no dealer)" --protocol additive --parties 2 --triples ot --op logreg
run "W4 logreg, 3p" --protocol additive --triples dealer --parties 3 --op logreg
run "W4 logreg, 3p Shamir (no dealer)" --protocol shamir --parties 3 --op logreg
run "W4 logreg, 3p replicated (no dealer)" --protocol replicated --parties 3 --op logreg
if [ "$W5" = 1 ]; then
  # W5 through processes (jointly-sim, TLS), rows of the same table.
  run "W5 mlp 6,000 images, 3p replicated (no dealer)" --protocol replicated --parties 3 --op mlp --images 6000
  run "W5 mlp 60,000 images, 3p replicated (no dealer)" --protocol replicated --parties 3 --op mlp --images 60000
  MLP=${JOINTLY_BUILD_DIR:-build}/tests/ml/mlp/mlp_measure
  {
    echo
    echo "## W5: MLP 784-128-128-10 on Fashion-MNIST, batch 128, replicated sharing (no dealer)"
    echo
    echo "Three parties as threads of one process (in-memory transport, no TLS): the 6,000-image cut"
    echo "and the full 60,000-image epoch, test accuracy on the 10,000 test images."
    echo
    for rows in 6000 60000; do
      echo "\`mlp_measure --parties 3 --protocol replicated --rows $rows\`:"
      echo
      echo '```'
      "$MLP" --parties 3 --protocol replicated --rows "$rows" 2>/dev/null
      echo '```'
      echo
    done
  } >> "$out"
fi
echo "wrote $out" >&2
