#!/bin/bash
# Issue 16's experiment: breast cancer split by columns between two parties, 10% of the rows
# removed from each side at random (and each side's rows shuffled), aligned by jointly-psi,
# then trained with jointly-sim --split columns on the aligned files. jointly-sim's plaintext
# reference is the same training in doubles on the same rows: the float model on the true
# intersection. Usage: benchmarks/psi_breast_cancer.sh [oprf|ecdh] [seed]
set -euo pipefail
protocol=${1:-oprf}
seed=${2:-1}
B=build/parties
work=$(mktemp -d /tmp/jointly-psi-bc-XXXXXX)
trap 'rm -rf "$work"' EXIT
python3 - "$work" "$seed" <<'PY'
import csv, random, sys
work, seed = sys.argv[1], int(sys.argv[2])
rows = list(csv.reader(open("data/breast_cancer_train.csv")))
head, body = rows[0], rows[1:]
feats = [h for h in head if h != "label"]
half = len(feats) // 2
ia = [head.index(f) for f in feats[:half]] + [head.index("label")]
ib = [head.index(f) for f in feats[half:]]
rng = random.Random(seed)
ids = [f"patient-{i:04d}" for i in range(len(body))]
def part(cols, name):
    keep = rng.sample(range(len(body)), len(body) - len(body) // 10)  # drop 10%, shuffled
    with open(f"{work}/{name}.csv", "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["id"] + [head[c] for c in cols])
        for r in keep:
            w.writerow([ids[r]] + [body[r][c] for c in cols])
    return set(ids[r] for r in keep)
a, b = part(ia, "a"), part(ib, "b")
open(f"{work}/true_intersection", "w").write("\n".join(sorted(a & b)))
PY
$B/jointly-psi --data "$work/a.csv,$work/b.csv" --out "$work/psi" --protocol "$protocol" --quiet
python3 - "$work" <<'PY'
import csv, sys
work = sys.argv[1]
tables = {p: list(csv.reader(open(f"{work}/{p}.csv"))) for p in "ab"}
rows = {p: [int(l) for l in open(f"{work}/psi/party-{p}.csv")] for p in "ab"}
truth = set(open(f"{work}/true_intersection").read().split())
found = [tables["a"][1 + r][0] for r in rows["a"]]
assert found == [tables["b"][1 + r][0] for r in rows["b"]], "parties' k-th rows differ"
assert set(found) == truth, "PSI result differs from the true intersection"
print(f"PSI: {len(found)} common rows of {len(tables['a']) - 1} and {len(tables['b']) - 1}; "
      f"equal to the true intersection")
for p in "ab":
    with open(f"{work}/{p}_aligned.csv", "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(tables[p][0])
        for r in rows[p]:
            w.writerow(tables[p][1 + r])
PY
$B/jointly-sim --parties 2 --split columns --data "$work/a_aligned.csv,$work/b_aligned.csv" \
    --test data/breast_cancer_test.csv
