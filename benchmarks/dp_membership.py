#!/usr/bin/env python3
"""Membership inference against jointly-trained models, with and without DP-SGD (docs/dp.md).

jointly-sim trains the target model (--keep keeps its model file); the attacker sees the released
model and scores records:

* Noise floor ("floor"): the oracle attack below between the target's non-members and as many
  other rows the target never saw (from the shadow pool): what the oracle's choice of threshold
  finds in chance alone.
* Loss threshold, oracle (Yeom, Giacomelli, Fredrikson, Jha 2018): score = the record's
  cross-entropy loss, "member" below a threshold; the threshold is the best one for the target
  knowing the answer, so the advantage is an upper bound on what any loss threshold reaches.
* Shadow models (Shokri, Stronati, Song, Shmatikov 2017, cheap variant): the attacker trains
  `shadows` models with jointly-sim, by the same recipe (model, epochs, DP settings, protocol) on
  data disjoint from the target's, knows their members, and learns a rule from their records'
  probability vectors; the rule is then applied to the target without knowing the answer:
    - shadow-thr: one loss threshold, the one that separates the shadows' in/out records best;
    - shadow-class: one such threshold per true class (Shokri's per-class attack, as thresholds);
    - shadow-lr: a logistic-regression attack model on [loss, log of the sorted top-3
      probabilities] trained on the shadows' in/out records (ML-Leaks-like features plus the
      loss); "member" when its probability is above 1/2.

Advantage = TPR - FPR on the target's members vs non-members (unbiased by the sizes of the two
sets, which are equal here anyway). Balanced split (`--model mlp` and `--model logreg`): the pooled
data set (train + test CSV) is shuffled with the run's seed and cut into target members (n_in
rows), target non-members (n_in rows) and a shadow pool (the rest); each shadow model trains on a
random half of the shadow pool (at most n_in rows) and its other rows are its non-members. The
target's test accuracy is measured on its non-members (and checked against jointly-sim's own
report), its train accuracy on its members.

The probabilities are recomputed here from the model file exactly as jointly computes them
(ml/mlp/mlp.cpp mlp_logits + softmax_rows, ml/logreg: sigmoid of the standardised affine score),
and the script stops if its test accuracy differs from the one jointly-sim reports.

Legacy mode (`dp_membership.py RUNS`, the table in docs/dp.md): W4 as shipped, members the 455
rows of breast_cancer_train.csv, non-members the 114 of breast_cancer_test.csv, oracle loss
threshold only, epsilon in {none, 8, 4, 2, 1, 0.5}.

Run from the repository root after building (each jointly-sim run takes /tmp/build.lock itself,
so compiles of other sessions interleave; pass --no-lock when the whole script already holds it):
  benchmarks/dp_membership.py --model mlp  [--runs 3] [--shadows 4] [--eps none,8,2,1] [--quick]
  benchmarks/dp_membership.py --model logreg [--runs 3] [--shadows 4]
  benchmarks/dp_membership.py 10            # legacy W4 table
Python 3, standard library only.
"""
import argparse, csv, json, math, operator, os, random, shutil, statistics, subprocess, sys
import tempfile

SIM = "build/parties/jointly-sim"
LOCK = "/tmp/build.lock"

# The recipes: dataset, jointly-sim arguments (protocol and model), members per model.
RECIPES = {
    "logreg": {
        "data": ["data/breast_cancer_train.csv", "data/breast_cancer_test.csv"],
        "sim": ["--parties", "2", "--protocol", "additive", "--triples", "dealer"],
        "recipe": "--epochs 10",
        "n_in": 190,
    },
    "mlp": {
        "data": ["data/digits_train.csv", "data/digits_test.csv"],
        "sim": ["--parties", "3", "--protocol", "replicated", "--model", "mlp"],
        "recipe": "--hidden 128,128 --epochs 60 --batch 32 --lr 0.1",
        "n_in": 150,
    },
}


# ---------------------------------------------------------------- data and models


def read_csv(path):
    """(header, rows): rows are (features, label) with the label column removed."""
    with open(path) as f:
        r = csv.reader(f)
        header = next(r)
        label = header.index("label")
        out = []
        for line in r:
            v = [float(x) for x in line]
            out.append(([x for i, x in enumerate(v) if i != label], v[label]))
        return header, out


def write_csv(path, header, data):
    label = header.index("label")
    with open(path, "w", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(header)
        for x, y in data:
            row = list(x)
            row.insert(label, y)
            w.writerow([repr(v) if v != int(v) else str(int(v)) for v in row])


def probabilities(model, data):
    """Class probabilities of every record, as jointly computes them (see the docstring)."""
    mean = model["standardisation"]["mean"]
    sd = model["standardisation"]["stddev"]
    std = [[(xi - m) / s for xi, m, s in zip(x, mean, sd)] for x, _ in data]
    if model.get("format") == "jointly-mlp-1":
        layers = model["parameters"]
        # Columns of every weight matrix: weights[i][j] joins input i to output j.
        cols = [list(zip(*layer["weights"])) for layer in layers]
        out = []
        for a in std:
            for l, layer in enumerate(layers):
                z = [b + sum(map(operator.mul, c, a)) for c, b in zip(cols[l], layer["bias"])]
                a = [max(v, 0.0) for v in z] if l + 1 < len(layers) else z
            top = max(a)
            e = [math.exp(v - top) for v in a]
            s = sum(e)
            out.append([v / s for v in e])
        return out
    w, b = model["weights"], model["bias"]
    out = []
    for a in std:
        z = b + sum(map(operator.mul, w, a))
        p = 1 / (1 + math.exp(-z)) if z > -700 else 0.0
        out.append([1 - p, p])
    return out


def loss(p, y):
    return -math.log(max(p[int(y)], 1e-300))


def accuracy(probs, data):
    return sum(max(range(len(p)), key=p.__getitem__) == int(y) for p, (_, y) in zip(probs, data)) / len(data)


def train(sim_args, train_csv, test_csv, lock):
    cmd = [SIM] + sim_args + ["--data", train_csv, "--test", test_csv, "--json", "--keep"]
    if lock:
        cmd = ["flock", LOCK] + cmd
    out = subprocess.run(cmd, capture_output=True, text=True)
    if out.returncode != 0:
        sys.exit(f"jointly-sim failed ({out.returncode}): {' '.join(cmd)}\n{out.stderr}")
    summary = json.loads(out.stdout.strip().splitlines()[-1])
    work = out.stderr.split("work folder ")[1].split("\n")[0].split(";")[0].strip()
    receiver = json.loads(open(f"{work}/hospital-a.out").read().strip().splitlines()[-1])
    model = json.load(open(receiver["model"]))
    shutil.rmtree(work)
    return summary, model


# ---------------------------------------------------------------- attacks


def tpr_fpr_advantage(member_guess, nonmember_guess):
    return sum(member_guess) / len(member_guess) - sum(nonmember_guess) / len(nonmember_guess)


def best_threshold(member, nonmember):
    """(advantage, threshold) of the loss threshold t maximising TPR - FPR ('member' if loss <= t)."""
    scored = sorted([(l, 1) for l in member] + [(l, 0) for l in nonmember])
    best, best_t, tp, fp = 0.0, -math.inf, 0, 0
    i = 0
    while i < len(scored):
        t = scored[i][0]
        while i < len(scored) and scored[i][0] == t:
            tp += scored[i][1]
            fp += 1 - scored[i][1]
            i += 1
        adv = tp / len(member) - fp / len(nonmember)
        if adv > best:
            best, best_t = adv, t
    return best, best_t


def features(p, y):
    top = sorted(p, reverse=True)[:3] + [0.0] * max(0, 3 - len(p))
    return [loss(p, y)] + [math.log(max(v, 1e-30)) for v in top]


def fit_logistic(xs, ys, epochs=300, lr=0.5):
    """Plain full-batch gradient descent on standardised features; returns a predictor."""
    d = len(xs[0])
    mean = [statistics.fmean(x[j] for x in xs) for j in range(d)]
    sd = [statistics.pstdev([x[j] for x in xs]) or 1.0 for j in range(d)]
    zs = [[(x[j] - mean[j]) / sd[j] for j in range(d)] for x in xs]
    w, b = [0.0] * d, 0.0
    n = len(zs)
    for _ in range(epochs):
        gw, gb = [0.0] * d, 0.0
        for z, y in zip(zs, ys):
            s = b + sum(map(operator.mul, w, z))
            s = 1 / (1 + math.exp(-s)) if s > -700 else 0.0
            g = s - y
            gb += g
            for j in range(d):
                gw[j] += g * z[j]
        w = [wj - lr * gj / n for wj, gj in zip(w, gw)]
        b -= lr * gb / n

    def predict(x):
        return b + sum(wj * (x[j] - mean[j]) / sd[j] for j, wj in enumerate(w)) > 0

    return predict


def shadow_attacks(shadow_records, target_in, target_out):
    """Decision rules learned on the shadows' records [(probs, label, member)], applied to the
    target's members and non-members [(probs, label)]; returns {attack: advantage}."""
    res = {}
    s_in = [loss(p, y) for p, y, m in shadow_records if m]
    s_out = [loss(p, y) for p, y, m in shadow_records if not m]
    t_in = [loss(p, y) for p, y in target_in]
    t_out = [loss(p, y) for p, y in target_out]
    _, t = best_threshold(s_in, s_out)
    res["shadow-thr"] = tpr_fpr_advantage([l <= t for l in t_in], [l <= t for l in t_out])
    per_class = {}
    for c in {int(y) for _, y, _ in shadow_records}:
        ci = [loss(p, y) for p, y, m in shadow_records if m and int(y) == c]
        co = [loss(p, y) for p, y, m in shadow_records if not m and int(y) == c]
        per_class[c] = best_threshold(ci, co)[1] if ci and co else t
    guess = lambda recs: [loss(p, y) <= per_class.get(int(y), t) for p, y in recs]
    res["shadow-class"] = tpr_fpr_advantage(guess(target_in), guess(target_out))
    predict = fit_logistic([features(p, y) for p, y, _ in shadow_records],
                           [1 if m else 0 for _, _, m in shadow_records])
    guess = lambda recs: [predict(features(p, y)) for p, y in recs]
    res["shadow-lr"] = tpr_fpr_advantage(guess(target_in), guess(target_out))
    return res


# ---------------------------------------------------------------- experiments


def one_run(recipe, sim_args, seed, shadows, n_in, header, pool, tmp, lock):
    rng = random.Random(seed)
    data = pool[:]
    rng.shuffle(data)
    members, nonmembers, shadow_pool = data[:n_in], data[n_in:2 * n_in], data[2 * n_in:]
    path = lambda name: os.path.join(tmp, name)
    write_csv(path("in.csv"), header, members)
    write_csv(path("out.csv"), header, nonmembers)
    summary, model = train(sim_args, path("in.csv"), path("out.csv"), lock)
    p_in, p_out = probabilities(model, members), probabilities(model, nonmembers)
    test_acc, train_acc = accuracy(p_out, nonmembers), accuracy(p_in, members)
    if abs(test_acc - summary["accuracy"]) > 1e-9:
        sys.exit(f"python accuracy {test_acc} != jointly-sim's {summary['accuracy']}: "
                 "the probabilities here are not the model's")
    l_in = [loss(p, y) for p, (_, y) in zip(p_in, members)]
    l_out = [loss(p, y) for p, (_, y) in zip(p_out, nonmembers)]
    res = {"test": test_acc, "train": train_acc, "oracle": best_threshold(l_in, l_out)[0]}
    # The oracle's noise floor: the same attack between two sets of non-members of the target
    # (its non-members and as many shadow-pool rows, which the target never saw either).
    fresh = shadow_pool[:n_in]
    l_fresh = [loss(p, y) for p, (_, y) in zip(probabilities(model, fresh), fresh)]
    res["floor"] = best_threshold(l_fresh, l_out)[0]
    if shadows:
        records = []
        half = min(n_in, len(shadow_pool) // 2)
        for _ in range(shadows):
            s = shadow_pool[:]
            rng.shuffle(s)
            s_in, s_out = s[:half], s[half:2 * half]
            write_csv(path("s_in.csv"), header, s_in)
            write_csv(path("s_out.csv"), header, s_out)
            _, shadow = train(sim_args, path("s_in.csv"), path("s_out.csv"), lock)
            records += [(p, y, True) for p, (_, y) in zip(probabilities(shadow, s_in), s_in)]
            records += [(p, y, False) for p, (_, y) in zip(probabilities(shadow, s_out), s_out)]
        res.update(shadow_attacks(records, [(p, y) for p, (_, y) in zip(p_in, members)],
                                  [(p, y) for p, (_, y) in zip(p_out, nonmembers)]))
    return res


def fmt(values, pct=False):
    f = (lambda v: f"{100 * v:.1f}%") if pct else (lambda v: f"{v:.3f}")
    if len(values) == 1:
        return f(values[0])
    return f"{f(statistics.median(values))} ({f(min(values))}–{f(max(values))})"


def bound(eps, delta):
    """Largest TPR - FPR any attack reaches against an (eps, delta)-DP training: for every
    record, TPR <= e^eps FPR + delta and 1 - FPR <= e^eps (1 - TPR) + delta."""
    if eps == "none":
        return "—"
    e = math.exp(float(eps))
    return f"{(e - 1 + 2 * delta) / (e + 1):.3f}"


def experiment(args):
    recipe = RECIPES[args.model]
    header, pool = None, []
    for p in recipe["data"]:
        header, rows = read_csv(p)
        pool += rows
    n_in = args.n_in or recipe["n_in"]
    sim_args = recipe["sim"] + args.sim.split()
    attacks = ["floor", "oracle"] + (["shadow-thr", "shadow-class", "shadow-lr"] if args.shadows else [])
    print(f"# {args.model}: jointly-sim {' '.join(sim_args)}; {n_in} members, {n_in} "
          f"non-members, {len(pool) - 2 * n_in} rows for {args.shadows} shadow models; "
          f"{args.runs} runs (split seeds {args.seed}..{args.seed + args.runs - 1})", flush=True)
    print("| ε | DP bound | " + " | ".join(f"advantage {a}" for a in attacks) +
          " | target test acc. | target train acc. | runs |")
    print("|" + " --- |" * (len(attacks) + 5), flush=True)
    with tempfile.TemporaryDirectory() as tmp:
        for eps in args.eps.split(","):
            dp = [] if eps == "none" else ["--dp-epsilon", eps, "--dp-delta", str(args.delta),
                                           "--dp-clip", str(args.clip)]
            res = [one_run(recipe, sim_args + dp, args.seed + r, args.shadows, n_in, header, pool,
                           tmp, not args.no_lock) for r in range(args.runs)]
            cells = [fmt([r[a] for r in res]) for a in attacks]
            print(f"| {'no DP' if eps == 'none' else eps} | {bound(eps, args.delta)} | " +
                  " | ".join(cells) +
                  f" | {fmt([r['test'] for r in res], True)} | {fmt([r['train'] for r in res], True)}"
                  f" | {len(res)} |", flush=True)


def legacy(runs):
    """The W4 table of docs/dp.md: shipped split, oracle loss threshold."""
    _, train_rows = read_csv("data/breast_cancer_train.csv")
    _, test_rows = read_csv("data/breast_cancer_test.csv")
    sim = RECIPES["logreg"]["sim"]
    print("| epsilon | advantage (median) | min-max | test accuracy (median) | runs |")
    print("| --- | --- | --- | --- | --- |")
    for eps in [None, 8, 4, 2, 1, 0.5]:
        adv, acc = [], []
        for _ in range(runs if eps is not None else 1):
            summary, model = train(sim + ([] if eps is None else ["--dp-epsilon", str(eps)]),
                                   "data/breast_cancer_train.csv", "data/breast_cancer_test.csv",
                                   False)
            l_in = [loss(p, y) for p, (_, y) in zip(probabilities(model, train_rows), train_rows)]
            l_out = [loss(p, y) for p, (_, y) in zip(probabilities(model, test_rows), test_rows)]
            adv.append(best_threshold(l_in, l_out)[0])
            acc.append(summary["accuracy"])
        print(f"| {'no DP' if eps is None else eps} | {statistics.median(adv):.4f} | "
              f"{min(adv):.4f}-{max(adv):.4f} | {100 * statistics.median(acc):.2f}% | {len(adv)} |")


def main():
    if len(sys.argv) == 2 and sys.argv[1].isdigit():
        return legacy(int(sys.argv[1]))
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--model", choices=sorted(RECIPES), default="mlp")
    ap.add_argument("--runs", type=int, default=3, help="splits (target + shadows) per epsilon")
    ap.add_argument("--shadows", type=int, default=4, help="shadow models per run (0: oracle only)")
    ap.add_argument("--eps", default="none,8,2,1", help="comma-separated; 'none' = no DP")
    ap.add_argument("--delta", type=float, default=1e-5)
    ap.add_argument("--clip", type=float, default=1.0)
    ap.add_argument("--n-in", type=int, default=0, help="members of the target (default: recipe's)")
    ap.add_argument("--sim", default=None, help="extra jointly-sim arguments (training recipe)")
    ap.add_argument("--seed", type=int, default=1, help="split seed of the first run")
    ap.add_argument("--quick", action="store_true", help="1 run, 2 shadows")
    ap.add_argument("--no-lock", action="store_true", help="do not take /tmp/build.lock per run")
    args = ap.parse_args()
    if args.sim is None:
        args.sim = RECIPES[args.model]["recipe"]
    if args.quick:
        args.runs, args.shadows = 1, min(args.shadows, 2)
    experiment(args)


if __name__ == "__main__":
    main()
