"""Feature experiments by forward-chained (time-blocked) CV inside a training window.

Reads a matrix written by models/training/dump-features.ts (races before the cut only), splits the races
from --from-race-id on into --blocks chronological blocks, and for each block fits the two members the
trainer fits (ridge conditional logit and the boosted conditional logit with the per-race softmax
objective, train_quant.py's own functions) on every race before the block, then scores the block. A
variant is the baseline feature list plus or minus named columns; each variant's pooled pseudo R^2 is
compared with the baseline's race by race (paired SE of the log-loss difference over the scored races).
The pool weights are fitted on the concatenated block scores of each variant (the same small optimism for
every variant), so the comparison is fair; the absolute figures are for comparison only.

  nice -n 5 models/training/.venv/bin/python models/training/feature_cv.py --matrix data/exp/cut5079.csv \
      --baseline models/quant/features-qf4.json --variant 'rating=+elo_z,elo_gap' --variant 'no-z=-rating_z'

Each variant's line goes to --log (results/experiments.jsonl by default, kind "feature-cv").
"""

import argparse
import datetime
import json
import os
import sys
import time

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from train_quant import LGBM_FIXED, Races, fit_clogit, fit_lgbm_member, fit_logit_member, logit_scores, read_matrix, single_winner_mask  # noqa: E402

# The shipped cut-5079 search's choice; fixed here so a feature's effect is not mixed with a new search.
LGBM_PARAMS = {"learning_rate": 0.1, "num_leaves": 6, "min_data_in_leaf": 43, "feature_fraction": 0.5, "lambda_l2": 11.3}
L2 = 1.0


def parse_variant(text, baseline, names):
    """'label=+a,b' adds columns a and b to the baseline; 'label=-a,b' drops them; '+' and '-' items mix."""
    label, _, spec = text.partition("=")
    cols = list(baseline)
    for item in spec.split(","):
        item = item.strip()
        if not item:
            continue
        sign, col = item[0], item[1:] if item[0] in "+-" else item
        if col not in names:
            raise SystemExit(f"variant {label}: no column {col} in the matrix")
        if sign == "-":
            cols = [c for c in cols if c != col]
        elif col not in cols:
            cols.append(col)
    return label, cols


def block_scores(X, won, race, blocks, seeds, rounds):
    """Each block's rows scored by both members fitted on all races before the block. The boosted member's
    score is averaged over `seeds` seeds: with feature_fraction < 1 one seed's noise alone moves the
    pseudo R^2 by about 0.001, as much as most single features."""
    scores = np.full((len(race), 2), np.nan)
    for lo, hi in blocks:
        fit = race < lo
        rows = (race >= lo) & (race < hi)
        m, s, w = fit_logit_member(X[fit], won[fit], race[fit], L2)
        scores[rows, 0] = logit_scores(X[rows], m, s, w)
        scores[rows, 1] = np.mean(
            [fit_lgbm_member(X[fit], won[fit], race[fit], {**LGBM_PARAMS, "seed": 1 + k}, rounds).predict(X[rows]) for k in range(seeds)], axis=0
        )
    return scores


def per_race_loss(logp, y, races):
    return -np.add.reduceat(np.where(y == 1, logp, 0.0), races.starts)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--matrix", required=True)
    ap.add_argument("--baseline", required=True, help="features-<version>.json: its feature names are the baseline")
    ap.add_argument("--variant", action="append", default=[])
    ap.add_argument("--from-race-id", type=int, default=1500)
    ap.add_argument("--blocks", type=int, default=4)
    ap.add_argument("--seeds", type=int, default=3)
    ap.add_argument("--lgbm", default="{}", help="JSON overriding the boosted member's parameters for every variant")
    ap.add_argument("--rounds", type=int, default=150)
    ap.add_argument("--log", default="results/experiments.jsonl")
    args = ap.parse_args()
    LGBM_FIXED["num_threads"] = 1
    LGBM_PARAMS.update(json.loads(args.lgbm))

    names, race, _horse, won, _odds, X_all = read_matrix(args.matrix)
    with open(args.baseline) as fh:
        baseline = [f["name"] for f in json.load(fh)["features"]]
    variants = [("baseline", baseline)] + [parse_variant(v, baseline, names) for v in args.variant]
    run_variants(variants, names, race, won, X_all, args, os.path.basename(args.matrix))


def run_variants(variants, names, race, won, X_all, args, source):
    """Scores each (label, columns) variant by the forward-chained blocks (the first is the baseline), prints
    a line per variant and appends it to args.log. args carries from_race_id, blocks, seeds, rounds, log.
    Returns the scored races' ids (one per race) and each variant's per-race log loss."""
    keep = single_winner_mask(race, won)
    race, won, X_all = race[keep], won[keep], X_all[keep]
    ids = np.unique(race[race >= args.from_race_id])
    edges = [int(ids[i * len(ids) // args.blocks]) for i in range(args.blocks)] + [int(race.max()) + 1]
    blocks = list(zip(edges[:-1], edges[1:]))
    scored = race >= edges[0]
    races = Races(race[scored])
    uniform = np.log(races.counts)

    base_loss, losses = None, {}
    print(f"{len(ids)} scored races in blocks {blocks}")
    print(f"{'variant':28s} {'n':>3s} {'clogit':>7s} {'lgbm':>7s} {'pool':>7s} {'d pool':>8s} {'SE':>7s}  s")
    for label, cols in variants:
        started = time.time()
        X = X_all[:, [names.index(c) for c in cols]]
        s = block_scores(X, won, race, blocks, args.seeds, args.rounds)[scored]
        y = won[scored]
        pool = fit_clogit(s, y, races, 1e-6)
        r2 = {}
        for key, col in (("clogit", s[:, 0]), ("lgbm", s[:, 1]), ("pool", s @ pool)):
            loss = per_race_loss(races.log_softmax(col), y, races)
            r2[key] = float(1 - loss.sum() / uniform.sum())
        losses[label] = loss
        if base_loss is None:
            base_loss, base_r2 = loss, r2["pool"]
        diff = loss - base_loss
        # Pseudo R^2 difference and its paired SE (the log-loss difference scaled by the uniform loss).
        d_r2 = float(-diff.sum() / uniform.sum())
        se = float(diff.std(ddof=1) * np.sqrt(len(diff)) / uniform.sum()) if label != "baseline" else 0.0
        secs = time.time() - started
        print(f"{label:28s} {len(cols):3d} {r2['clogit']:7.4f} {r2['lgbm']:7.4f} {r2['pool']:7.4f} {d_r2:+8.4f} {se:7.4f}  {secs:.0f}", flush=True)
        entry = {
            "at": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z"),
            "kind": "feature-cv",
            "data": {"source": source, "trainUntilRaceId": int(race.max()) + 1, "trainingRaces": int(len(np.unique(race))), "scoredFrom": edges[0], "scoredTo": edges[-1] - 1},
            "params": {"variant": label, "features": ",".join(cols), "blocks": args.blocks, "seeds": args.seeds, "rounds": args.rounds, "l2": L2, "lgbm": json.dumps(LGBM_PARAMS)},
            "cv": {"quantPseudoR2": r2["pool"], "clogitPseudoR2": r2["clogit"], "lgbmPseudoR2": r2["lgbm"], "deltaVsBaseline": d_r2, "deltaSE": se, "baselinePseudoR2": base_r2},
            "seconds": round(secs, 2),
        }
        if args.log:
            with open(args.log, "a") as fh:
                fh.write(json.dumps(entry) + "\n")
    return race[scored][races.starts], losses


if __name__ == "__main__":
    main()
