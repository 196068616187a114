#!/usr/bin/env python3
"""Loss-threshold membership inference (Yeom et al. 2018) against jointly-trained W4 models,
with and without DP-SGD (docs/dp.md). For each setting jointly-sim trains a model (--keep keeps
its model file); the attacker scores every record by its cross-entropy loss under the released
model and guesses "member" below a threshold. Members: the 455 training rows; non-members: the
114 test rows. Advantage = max over thresholds of TPR - FPR (the threshold chosen knowing the
answer: an upper bound on what a loss-threshold attacker reaches). Standard library only.

Run from the repository root after building, under the build lock:
  flock /tmp/build.lock benchmarks/dp_membership.py [runs per epsilon]
"""
import csv, json, math, shutil, statistics, subprocess, sys

SIM = "build/parties/jointly-sim"
TRAIN, TEST = "data/breast_cancer_train.csv", "data/breast_cancer_test.csv"


def rows(path):
    with open(path) as f:
        r = csv.reader(f)
        header = next(r)
        label = header.index("label")
        out = []
        for line in r:
            v = [float(x) for x in line]
            out.append(([x for i, x in enumerate(v) if i != label], v[label]))
        return out


def losses(model, data):
    mean = model["standardisation"]["mean"]
    sd = model["standardisation"]["stddev"]
    w, b = model["weights"], model["bias"]
    out = []
    for x, y in data:
        z = b + sum(wi * (xi - m) / s for wi, xi, m, s in zip(w, x, mean, sd))
        p = 1 / (1 + math.exp(-z)) if z > -700 else 0.0
        p = min(max(p, 1e-12), 1 - 1e-12)
        out.append(-(y * math.log(p) + (1 - y) * math.log(1 - p)))
    return out


def advantage(member, nonmember):
    best = 0.0
    for t in sorted(set(member + nonmember)):
        tpr = sum(l <= t for l in member) / len(member)
        fpr = sum(l <= t for l in nonmember) / len(nonmember)
        best = max(best, tpr - fpr)
    return best


def train(extra):
    out = subprocess.run([SIM, "--parties", "2", "--protocol", "additive", "--triples", "dealer",
                          "--data", TRAIN, "--test", TEST, "--json", "--keep"] + extra,
                         capture_output=True, text=True, check=True)
    summary = json.loads(out.stdout.strip().splitlines()[-1])
    work = out.stderr.split("work folder ")[1].split("\n")[0].split(";")[0].strip()
    receiver = json.loads(open(f"{work}/hospital-a.out").read().strip().splitlines()[-1])
    model = json.load(open(receiver["model"]))
    shutil.rmtree(work)
    return summary, model


def main():
    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 5
    train_rows, test_rows = rows(TRAIN), rows(TEST)
    print("| epsilon | advantage (median) | min-max | test accuracy (median) | runs |")
    print("| --- | --- | --- | --- | --- |")
    for eps in [None, 8, 4, 2, 1, 0.5]:
        adv, acc = [], []
        for _ in range(runs if eps is not None else 1):
            summary, model = train([] if eps is None else ["--dp-epsilon", str(eps)])
            adv.append(advantage(losses(model, train_rows), losses(model, test_rows)))
            acc.append(summary["accuracy"])
        print(f"| {'no DP' if eps is None else eps} | {statistics.median(adv):.4f} | "
              f"{min(adv):.4f}-{max(adv):.4f} | {100 * statistics.median(acc):.2f}% | {len(adv)} |")


if __name__ == "__main__":
    main()
