"""The quantitative ensemble: a linear conditional (per-race softmax) logit and a boosted conditional
logit (LightGBM trees fitted to the same per-race softmax likelihood through a custom objective),
combined by a log-linear pool, each member exported to ONNX.

Hyperparameters are chosen inside the training window only: the window's last quarter of races is a
validation block for members fitted on the earlier three quarters; Optuna (seeded TPE, a small fixed
trial budget) searches the boosted member's parameters with its rounds early-stopped on that block, and
the linear member's ridge penalty comes from a short grid on the same block. Nothing after the cut is
ever read for a choice.

Reads the feature matrix that the TypeScript feature builder exported (one row per runner, rows of a
race contiguous and races in race_id order), fits on races with race_id < cut only, measures on the
later races, and writes the ONNX graphs, their metadata, a parity fixture and cross-fitted scores for
the training races (so the pool, calibration and the market blend see out-of-sample scores only).

The pool: p_i proportional to p_clogit_i^w1 * p_lgbm_i^w2, i.e. softmax(w1 s_clogit + w2 s_lgbm) over
the race; w is fitted by maximum likelihood on the cross-fitted training scores.
"""

import argparse
import csv
import json
import os
import re
import time

import lightgbm as lgb
import numpy as np
import onnx
import onnxmltools
import onnxruntime as ort
import optuna
from onnx import TensorProto, helper, numpy_helper
from onnxmltools.convert.common.data_types import FloatTensorType
from scipy.optimize import minimize

META_COLUMNS = ["race_id", "horse_id", "won", "market_odds"]
# Probability bins for the interval: narrow where most runners sit.
INTERVAL_EDGES = [0.0, 0.02, 0.04, 0.06, 0.08, 0.11, 0.15, 0.2, 0.28, 0.4, 1.0]
# Fixed LightGBM settings; the searched ones (SEARCH_SPACE) are added per refit.
LGBM_FIXED = {
    "bagging_fraction": 0.8,
    "bagging_freq": 1,
    "verbose": -1,
    "seed": 1,
    "deterministic": True,
    "force_row_wise": True,
    "num_threads": 2,
}
MAX_ROUNDS = 1000
EARLY_STOP = 40
L2_GRID = [0.3, 1.0, 3.0, 10.0, 30.0]


def read_matrix(path):
    # numpy's C parser: the csv module plus float() per cell took most of a walk-forward refit. Every
    # column but horse_id is numeric; the features were written from float32, so float32 is exact.
    with open(path) as fh:
        header = fh.readline().strip().split(",")
        horse = [line.split(",", 2)[1] for line in fh]
    names = header[len(META_COLUMNS):]
    numeric = np.loadtxt(path, delimiter=",", skiprows=1, usecols=[0, 2, 3, *range(len(META_COLUMNS), len(header))], ndmin=2)
    race = numeric[:, 0].astype(np.int64)
    won = numeric[:, 1]
    odds = numeric[:, 2]
    X = numeric[:, 3:].astype(np.float32)
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


def fit_logit_member(X, y, race, l2):
    mean, std = standardiser(X)
    w = fit_clogit((X - mean) / std, y, Races(race), l2)
    return mean, std, w


def logit_scores(X, mean, std, w):
    return ((X.astype(np.float64) - mean) / std) @ w


def softmax_objective(races):
    """Gradient and Hessian of the per-race softmax log loss in the raw scores: the conditional logit's
    likelihood, so the trees fit what the pseudo R^2 measures (a ranking loss such as lambdarank does not)."""

    def objective(preds, data):
        p = np.exp(races.log_softmax(preds))
        return p - data.get_label(), np.maximum(p * (1 - p), 1e-6)

    return objective


def softmax_eval(races):
    def evaluate(preds, data):
        y = data.get_label()
        return "race_logloss", float(-np.sum(races.log_softmax(preds)[y == 1]) / len(races.counts)), False

    return evaluate


def fit_lgbm_member(X, y, race, params, rounds, valid=None):
    """valid = (X, y, race): early-stop on it and return the booster cut at its best round."""
    full = {**LGBM_FIXED, **params, "objective": softmax_objective(Races(race)), "metric": "None"}
    train_set = lgb.Dataset(X, y, free_raw_data=False)
    if valid is None:
        return lgb.train(full, train_set, num_boost_round=rounds)
    Xv, yv, rv = valid
    return lgb.train(
        full,
        train_set,
        num_boost_round=rounds,
        valid_sets=[lgb.Dataset(Xv, yv, reference=train_set)],
        feval=softmax_eval(Races(rv)),
        callbacks=[lgb.early_stopping(EARLY_STOP, verbose=False)],
    )


def validation_split(race):
    """The window's last quarter of races validates members fitted on its first three quarters."""
    ids = np.unique(race)
    split = ids[int(len(ids) * 0.75)]
    return split, race < split, race >= split


def early_stopped_rounds(X, y, race, params):
    """Boosting rounds for given parameters: one fit early-stopped on the window's validation block."""
    _, fit, val = validation_split(race)
    booster = fit_lgbm_member(X[fit], y[fit], race[fit], params, MAX_ROUNDS, (X[val], y[val], race[val]))
    return max(1, int(booster.best_iteration))


def search_params(X, y, race, trials):
    """Chooses the members' hyperparameters on the window's last quarter (members fitted on the first three)."""
    split, fit, val = validation_split(race)
    val_races = Races(race[val])

    l2_scores = {}
    for l2 in L2_GRID:
        m, s, w = fit_logit_member(X[fit], y[fit], race[fit], l2)
        l2_scores[l2] = race_metrics(val_races.log_softmax(logit_scores(X[val], m, s, w)), y[val], val_races)["pseudoR2"]
    l2 = max(l2_scores, key=l2_scores.get)

    def objective(trial):
        params = {
            "learning_rate": trial.suggest_float("learning_rate", 0.02, 0.12, log=True),
            "num_leaves": trial.suggest_int("num_leaves", 4, 31),
            "min_data_in_leaf": trial.suggest_int("min_data_in_leaf", 40, 400, log=True),
            "feature_fraction": trial.suggest_float("feature_fraction", 0.4, 1.0),
            "lambda_l2": trial.suggest_float("lambda_l2", 0.01, 30.0, log=True),
        }
        booster = fit_lgbm_member(X[fit], y[fit], race[fit], params, MAX_ROUNDS, (X[val], y[val], race[val]))
        trial.set_user_attr("rounds", int(booster.best_iteration))
        return booster.best_score["valid_0"]["race_logloss"]

    optuna.logging.set_verbosity(optuna.logging.WARNING)
    study = optuna.create_study(direction="minimize", sampler=optuna.samplers.TPESampler(seed=1))
    # The first trial is the previous hand-set configuration, so the search can only improve on it.
    study.enqueue_trial({"learning_rate": 0.03, "num_leaves": 15, "min_data_in_leaf": 100, "feature_fraction": 0.8, "lambda_l2": 1.0})
    study.optimize(objective, n_trials=trials)
    best = study.best_trial
    uniform = float(np.mean(np.log(val_races.counts)))
    return {
        "l2": l2,
        "lgbm": dict(best.params),
        "rounds": max(1, best.user_attrs["rounds"]),
        "validation": {
            "fromRaceId": int(split),
            "races": int(len(val_races.counts)),
            "trials": trials,
            "lgbmPseudoR2": float(1 - best.value / uniform),
            "clogitPseudoR2ByL2": {str(k): float(v) for k, v in l2_scores.items()},
        },
    }


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


def export_logit(path, mean, std, w, names):
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


def export_lgbm(path, booster, n_features):
    # onnxmltools converts regression boosters only; the custom-objective booster's raw score is the same
    # sum of trees, so the model text (which has no objective line for a custom objective) is labelled a
    # regression for the converter. No ZipMap (zipmap=False).
    text = re.sub(r"^objective=[^\n]*\n", "", booster.model_to_string(), flags=re.M)
    plain = lgb.Booster(model_str=text.replace("\nfeature_names=", "\nobjective=regression\nfeature_names=", 1))
    # A stable graph name instead of the random one the converter would pick.
    model = onnxmltools.convert_lightgbm(plain, name="quant-lgbm", initial_types=[("features", FloatTensorType([None, n_features]))], target_opset=13, zipmap=False)
    onnx.save(model, path)
    return model.graph.output[0].name


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--matrix", required=True)
    ap.add_argument("--cut", type=int, required=True)
    ap.add_argument("--out-dir", required=True)
    ap.add_argument("--model-version", required=True)
    ap.add_argument("--feature-version", required=True)
    ap.add_argument("--pars-file", required=True)
    ap.add_argument("--oof-out", required=True)
    ap.add_argument("--folds", type=int, default=4)
    ap.add_argument("--trials", type=int, default=12)
    # Search once, reuse later: when --params-file exists its l2 and LightGBM parameters are reused (only the
    # rounds are re-chosen, by one early-stopped fit on this window); otherwise the search runs and writes it.
    ap.add_argument("--params-file")
    args = ap.parse_args()
    started = time.time()

    names, race, horse, won, odds, X = read_matrix(args.matrix)
    print(f"matrix read ({time.time() - started:.0f} s)", flush=True)
    single = single_winner_mask(race, won)
    train = (race < args.cut) & single
    test = (race >= args.cut) & single
    if not train.any():
        raise SystemExit(f"cut {args.cut} leaves no training races")

    if args.params_file and os.path.exists(args.params_file):
        with open(args.params_file) as fh:
            chosen = json.load(fh)
        chosen["rounds"] = early_stopped_rounds(X[train], won[train], race[train], chosen["lgbm"])
        chosen["reused"] = args.params_file
    else:
        chosen = search_params(X[train], won[train], race[train], args.trials)
        if args.params_file:
            with open(args.params_file, "w") as fh:
                json.dump({**chosen, "searchedOnRacesBefore": args.cut}, fh, indent=1)
    l2, lgbm_params, rounds = chosen["l2"], chosen["lgbm"], chosen["rounds"]
    print(f"search done ({time.time() - started:.0f} s): l2 {l2}, rounds {rounds}, {lgbm_params}", flush=True)

    # Time-blocked cross-fitting: each chronological fold of training races is scored by members fitted
    # on the other folds, so the pool and every later fit see out-of-sample scores only.
    train_ids = np.unique(race[train])
    fold_of_race = {rid: min(i * args.folds // len(train_ids), args.folds - 1) for i, rid in enumerate(train_ids)}
    fold = np.array([fold_of_race.get(r, -1) for r in race])
    oof = np.full((len(race), 2), np.nan)
    for k in range(args.folds):
        fit_rows = train & (fold != k)
        rows = train & (fold == k)
        m_k, s_k, w_k = fit_logit_member(X[fit_rows], won[fit_rows], race[fit_rows], l2)
        oof[rows, 0] = logit_scores(X[rows], m_k, s_k, w_k)
        oof[rows, 1] = fit_lgbm_member(X[fit_rows], won[fit_rows], race[fit_rows], lgbm_params, rounds).predict(X[rows])
        print(f"fold {k + 1}/{args.folds} done ({time.time() - started:.0f} s)", flush=True)
    train_races = Races(race[train])
    pool = fit_clogit(oof[train], won[train], train_races, 1e-6)
    oof_pooled = oof[train] @ pool
    oof_logp = train_races.log_softmax(oof_pooled)

    mean, std, w = fit_logit_member(X[train], won[train], race[train], l2)
    booster = fit_lgbm_member(X[train], won[train], race[train], lgbm_params, rounds)
    print(f"final fit done ({time.time() - started:.0f} s)", flush=True)
    # The walk-forward backtest passes only the races before the cut (it scores the later ones itself).
    held_out, market = None, None
    if test.any():
        test_races = Races(race[test])
        s_test = np.column_stack([logit_scores(X[test], mean, std, w), booster.predict(X[test])])
        held_out = {
            "clogit": race_metrics(test_races.log_softmax(s_test[:, 0]), won[test], test_races),
            "lgbm": race_metrics(test_races.log_softmax(s_test[:, 1]), won[test], test_races),
            "ensemble": race_metrics(test_races.log_softmax(s_test @ pool), won[test], test_races),
        }
        market_ok = np.all(np.isfinite(odds[test]))
        market = race_metrics(market_logp(odds[test], test_races), won[test], test_races) if market_ok else None
    cross = {
        "clogit": race_metrics(train_races.log_softmax(oof[train, 0]), won[train], train_races),
        "lgbm": race_metrics(train_races.log_softmax(oof[train, 1]), won[train], train_races),
        "ensemble": race_metrics(oof_logp, won[train], train_races),
    }

    with open(args.oof_out, "w", newline="") as fh:
        out = csv.writer(fh)
        out.writerow(["race_id", "horse_id", "clogit", "lgbm"])
        for i in np.flatnonzero(train):
            out.writerow([int(race[i]), horse[i], repr(float(oof[i, 0])), repr(float(oof[i, 1]))])

    stem = f"quant-{args.model_version}"
    logit_file, lgbm_file = f"{stem}-clogit.onnx", f"{stem}-lgbm.onnx"
    export_logit(f"{args.out_dir}/{logit_file}", mean, std, w, names)
    lgbm_output = export_lgbm(f"{args.out_dir}/{lgbm_file}", booster, len(names))

    # Parity fixture: synthetic rows around the training distribution (no data is committed).
    rng = np.random.default_rng(7)
    rows = (mean + std * rng.standard_normal((8, len(names)))).astype(np.float32)
    expected_logit = logit_scores(rows, mean.astype(np.float32).astype(np.float64), std.astype(np.float32).astype(np.float64), w.astype(np.float32).astype(np.float64))
    expected_lgbm = booster.predict(rows)
    got_logit = ort.InferenceSession(f"{args.out_dir}/{logit_file}").run(["score"], {"features": rows})[0][:, 0]
    got_lgbm = ort.InferenceSession(f"{args.out_dir}/{lgbm_file}").run([lgbm_output], {"features": rows})[0][:, 0]
    parity_gap = float(max(np.max(np.abs(got_logit - expected_logit)), np.max(np.abs(got_lgbm - expected_lgbm))))
    if parity_gap > 1e-4:
        raise SystemExit(f"ONNX parity failed in Python: max gap {parity_gap}")
    with open(f"{args.out_dir}/parity-fixture-{args.model_version}.json", "w") as fh:
        json.dump(
            {
                "modelVersion": args.model_version,
                "featureNames": names,
                "rows": rows.astype(float).tolist(),
                "memberScores": {"clogit": expected_logit.tolist(), "lgbm": expected_lgbm.tolist()},
                "pooledScores": (np.column_stack([expected_logit, expected_lgbm]) @ pool).tolist(),
            },
            fh,
            indent=1,
        )

    meta = {
        "kind": "quant-ensemble",
        "modelVersion": args.model_version,
        "featureVersion": args.feature_version,
        "featureNames": names,
        "parsFile": args.pars_file,
        "members": [
            {"name": "clogit", "onnxFile": logit_file, "input": "features", "output": "score"},
            {"name": "lgbm", "onnxFile": lgbm_file, "input": "features", "output": lgbm_output, "objective": "per-race softmax (boosted conditional logit)", "rounds": rounds, "params": {**LGBM_FIXED, **lgbm_params}},
        ],
        "pool": {"kind": "log-linear", "weights": {"clogit": float(pool[0]), "lgbm": float(pool[1])}, "source": "cross-fitted training scores"},
        "trainUntilRaceId": args.cut,
        "trainingRaces": int(len(train_ids)),
        "trainingRunners": int(train.sum()),
        "l2": l2,
        "search": {"method": "optuna TPE (seed 1) for the boosted member, grid for the linear member's l2, on the last quarter of the window searched", **chosen},
        "standardiser": {"mean": mean.tolist(), "std": std.tolist()},
        "coefficients": w.tolist(),
        "metrics": {
            "heldOut": None if held_out is None else {"fromRaceId": args.cut, "members": held_out, "model": held_out["ensemble"], "market": market, "note": "single-winner races with race_id >= cut; market = normalised 1/odds"},
            "crossFittedTraining": {"folds": args.folds, "members": cross, "model": cross["ensemble"]},
        },
        "intervalBins": {"source": "cross-fitted training predictions of the pool", "bins": interval_bins(np.exp(oof_logp), won[train])},
        "onnxParityMaxGap": parity_gap,
        "trainSeconds": round(time.time() - started, 2),
    }
    with open(f"{args.out_dir}/{stem}.json", "w") as fh:
        json.dump(meta, fh, indent=1)
    print(json.dumps({"heldOut": held_out, "market": market, "crossFitted": cross, "pool": meta["pool"]["weights"]}))


if __name__ == "__main__":
    main()
