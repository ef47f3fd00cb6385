"""Conditional (per-race softmax) logit for the quantitative model, exported to ONNX.

Reads the feature matrix that the TypeScript feature builder exported (one row per runner, rows of a
race contiguous and races in race_id order), fits on races with race_id < cut only, measures on the
later races, and writes the ONNX graph, its metadata, a parity fixture and cross-fitted scores for
the training races (so calibration is fitted on out-of-sample probabilities).
"""

import argparse
import csv
import json
import time

import numpy as np
import onnx
import onnxruntime as ort
from onnx import TensorProto, helper, numpy_helper
from scipy.optimize import minimize

META_COLUMNS = ["race_id", "horse_id", "won", "market_odds"]
# Probability bins for the interval: narrow where most runners sit.
INTERVAL_EDGES = [0.0, 0.02, 0.04, 0.06, 0.08, 0.11, 0.15, 0.2, 0.28, 0.4, 1.0]


def read_matrix(path):
    with open(path, newline="") as fh:
        reader = csv.reader(fh)
        header = next(reader)
        rows = list(reader)
    names = header[len(META_COLUMNS):]
    race = np.array([int(r[0]) for r in rows])
    horse = [r[1] for r in rows]
    won = np.array([float(r[2]) for r in rows])
    odds = np.array([float(r[3]) if r[3] else np.nan for r in rows])
    X = np.array([[float(v) for v in r[len(META_COLUMNS):]] for r in rows], dtype=np.float32)
    if np.any(np.diff(race) < 0):
        raise SystemExit("feature matrix rows must be in race_id order")
    return names, race, horse, won, odds, X


class Races:
    """Contiguous race groups of a row subset, for reduceat-based per-race softmax."""

    def __init__(self, race_ids):
        self.starts = np.flatnonzero(np.r_[True, race_ids[1:] != race_ids[:-1]])
        self.counts = np.diff(np.r_[self.starts, len(race_ids)])

    def log_softmax(self, s):
        m = np.maximum.reduceat(s, self.starts)
        lse = m + np.log(np.add.reduceat(np.exp(s - np.repeat(m, self.counts)), self.starts))
        return s - np.repeat(lse, self.counts)


def single_winner_mask(race, won):
    _, inverse = np.unique(race, return_inverse=True)
    winners = np.bincount(inverse, weights=won)
    return winners[inverse] == 1


def fit_clogit(Z, y, races, l2):
    def objective(w):
        s = Z @ w
        logp = races.log_softmax(s)
        p = np.exp(logp)
        loss = -np.sum(logp[y == 1]) + 0.5 * l2 * w @ w
        grad = -(Z.T @ (y - p)) + l2 * w
        return loss, grad

    res = minimize(objective, np.zeros(Z.shape[1]), jac=True, method="L-BFGS-B", options={"maxiter": 2000})
    if not res.success:
        print(f"warning: optimiser stopped: {res.message}")
    return res.x


def standardiser(X):
    mean = X.mean(axis=0).astype(np.float64)
    std = X.std(axis=0).astype(np.float64)
    std[std < 1e-9] = 1.0
    return mean, std


def fit_model(X, y, race, l2):
    mean, std = standardiser(X)
    w = fit_clogit((X - mean) / std, y, Races(race), l2)
    return mean, std, w


def score(X, mean, std, w):
    return ((X.astype(np.float64) - mean) / std) @ w


def race_metrics(logp, y, races):
    """Benter's pseudo R^2 = 1 - sum(-ln p_winner) / sum(ln N), over single-winner races."""
    ll = -np.sum(logp[y == 1])
    ll_uniform = np.sum(np.log(races.counts))
    n = len(races.counts)
    return {"races": int(n), "logLoss": float(ll / n), "uniformLogLoss": float(ll_uniform / n), "pseudoR2": float(1 - ll / ll_uniform)}


def market_logp(odds, races):
    inv = 1.0 / odds
    return np.log(inv) - np.repeat(np.log(np.add.reduceat(inv, races.starts)), races.counts)


def interval_bins(p, y):
    bins = []
    for lo, hi in zip(INTERVAL_EDGES[:-1], INTERVAL_EDGES[1:]):
        m = (p >= lo) & (p < hi)
        n = int(m.sum())
        bins.append({"lo": lo, "hi": hi, "n": n, "meanPred": float(p[m].mean()) if n else None, "observed": float(y[m].mean()) if n else None})
    return bins


def export_onnx(path, mean, std, w, names):
    F = len(names)
    graph = helper.make_graph(
        [
            helper.make_node("Sub", ["features", "mean"], ["centred"]),
            helper.make_node("Div", ["centred", "std"], ["standardised"]),
            helper.make_node("MatMul", ["standardised", "weights"], ["score"]),
        ],
        "quant_clogit",
        [helper.make_tensor_value_info("features", TensorProto.FLOAT, ["N", F])],
        [helper.make_tensor_value_info("score", TensorProto.FLOAT, ["N", 1])],
        [
            numpy_helper.from_array(mean.astype(np.float32), "mean"),
            numpy_helper.from_array(std.astype(np.float32), "std"),
            numpy_helper.from_array(w.astype(np.float32).reshape(F, 1), "weights"),
        ],
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)], producer_name="race-engine-train-quant")
    # IR 8 / opset 13 load in every onnxruntime the project might pin.
    model.ir_version = 8
    onnx.checker.check_model(model)
    onnx.save(model, path)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--matrix", required=True)
    ap.add_argument("--cut", type=int, required=True)
    ap.add_argument("--out-dir", required=True)
    ap.add_argument("--model-version", required=True)
    ap.add_argument("--feature-version", required=True)
    ap.add_argument("--oof-out", required=True)
    ap.add_argument("--folds", type=int, default=4)
    ap.add_argument("--l2", type=float, default=1.0)
    args = ap.parse_args()
    started = time.time()

    names, race, horse, won, odds, X = read_matrix(args.matrix)
    single = single_winner_mask(race, won)
    train = (race < args.cut) & single
    test = (race >= args.cut) & single
    if not train.any() or not test.any():
        raise SystemExit(f"cut {args.cut} leaves no training or no held-out races")

    mean, std, w = fit_model(X[train], won[train], race[train], args.l2)
    test_races = Races(race[test])
    test_logp = test_races.log_softmax(score(X[test], mean, std, w))
    held_out = race_metrics(test_logp, won[test], test_races)
    market_ok = np.all(np.isfinite(odds[test]))
    market = race_metrics(market_logp(odds[test], test_races), won[test], test_races) if market_ok else None

    # Time-blocked cross-fitting: each chronological fold of training races is scored by a model
    # fitted on the other folds, so calibration never sees in-sample probabilities.
    train_ids = np.unique(race[train])
    fold_of_race = {rid: min(i * args.folds // len(train_ids), args.folds - 1) for i, rid in enumerate(train_ids)}
    fold = np.array([fold_of_race.get(r, -1) for r in race])
    oof_score = np.full(len(race), np.nan)
    for k in range(args.folds):
        fit_rows = train & (fold != k)
        m_k, s_k, w_k = fit_model(X[fit_rows], won[fit_rows], race[fit_rows], args.l2)
        rows = train & (fold == k)
        oof_score[rows] = score(X[rows], m_k, s_k, w_k)
    train_races = Races(race[train])
    oof_logp = train_races.log_softmax(oof_score[train])
    oof = race_metrics(oof_logp, won[train], train_races)

    with open(args.oof_out, "w", newline="") as fh:
        out = csv.writer(fh)
        out.writerow(["race_id", "horse_id", "score"])
        for i in np.flatnonzero(train):
            out.writerow([int(race[i]), horse[i], repr(float(oof_score[i]))])

    stem = f"{args.out_dir}/quant-{args.model_version}"
    export_onnx(f"{stem}.onnx", mean, std, w, names)

    # Parity fixture: synthetic rows around the training distribution (no data is committed).
    rng = np.random.default_rng(7)
    rows = (mean + std * rng.standard_normal((6, len(names)))).astype(np.float32)
    expected = score(rows, mean.astype(np.float32).astype(np.float64), std.astype(np.float32).astype(np.float64), w.astype(np.float32).astype(np.float64))
    onnx_scores = ort.InferenceSession(f"{stem}.onnx").run(["score"], {"features": rows})[0][:, 0]
    parity_gap = float(np.max(np.abs(onnx_scores - expected)))
    if parity_gap > 1e-4:
        raise SystemExit(f"ONNX parity failed in Python: max gap {parity_gap}")
    with open(f"{args.out_dir}/parity-fixture-{args.model_version}.json", "w") as fh:
        json.dump({"modelVersion": args.model_version, "featureNames": names, "rows": rows.astype(float).tolist(), "scores": expected.tolist()}, fh, indent=1)

    meta = {
        "kind": "quant-clogit",
        "modelVersion": args.model_version,
        "featureVersion": args.feature_version,
        "featureNames": names,
        "onnxFile": f"quant-{args.model_version}.onnx",
        "input": "features",
        "output": "score",
        "trainUntilRaceId": args.cut,
        "trainingRaces": int(len(train_ids)),
        "trainingRunners": int(train.sum()),
        "l2": args.l2,
        "standardiser": {"mean": mean.tolist(), "std": std.tolist()},
        "coefficients": w.tolist(),
        "metrics": {
            "heldOut": {"fromRaceId": args.cut, "model": held_out, "market": market, "note": "single-winner races with race_id >= cut; market = normalised 1/odds"},
            "crossFittedTraining": {"folds": args.folds, "model": oof},
        },
        "intervalBins": {"source": "cross-fitted training predictions", "bins": interval_bins(np.exp(oof_logp), won[train])},
        "onnxParityMaxGap": parity_gap,
        "trainSeconds": round(time.time() - started, 2),
    }
    with open(f"{stem}.json", "w") as fh:
        json.dump(meta, fh, indent=1)
    print(json.dumps({"heldOut": held_out, "market": market, "crossFitted": oof}))


if __name__ == "__main__":
    main()
