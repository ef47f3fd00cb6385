"""Opponent-adjusted global ability ratings as quant features: an experiment by forward-chained CV.

Issue 11 asks whether a rating learnt online over every race in race_id order (so that beating strong
fields counts more than beating weak ones) adds to the qf4 quant features. This script reads runs.csv and
races.csv, computes strictly as-of ratings (the value a row sees for race r uses only races with race_id
< r; every horse in a race is updated after the race, in race_id order; races at or after --cut are never
read), joins them to a matrix written by dump-features.ts on (race_id, horse_id), and compares variants
"baseline + rating columns" with the baseline through feature_cv.py's own machinery (both members refitted
on the races before each block, pool weights fitted per variant, paired SE per race).

Rating designs (all start a newcomer at 0 with a wide prior; no jockey, trainer or stable term; no odds
of the race being rated are used anywhere):
  pl      Plackett-Luce over the whole finishing order (ties share a stage, Breslow style), one diagonal
          Newton (Laplace) step per race from each horse's Gaussian prior N(mu, v), the Weng-Lin style
          Bayesian approximation: v_post = 1 / (1/v + h), mu_post = mu + g / (1/v + h); between runs the
          variance grows by drift * years. Gives mean and uncertainty.
  plsgd   the same likelihood with a fixed learning rate (Elo for multi-runner races): mu += lr * g.
  margin  Gaussian Kalman filter on margins: y_i = -lengths behind per km (clipped), y = theta + c_r + e
          with a free race effect c_r, so only differences within the field inform theta; the exact
          multivariate update of the field, then diagonal kept (assumed-density filtering).
  margin0 ablation of margin: the same filter on the field-demeaned margin, rivals' ratings ignored.
  margin0w margin0 replayed from each horse's last 20 runs only (what the serving history store holds).
  plmkt   pl with ln(market share at that past race) as an offset: ability beyond the public's view.

Settings were picked by the stand-alone one-feature figure on races 700..1499 (14 settings, before the
CV's scored blocks). Result at cut 5079 (scored 1500..5078, 4 blocks, 3 seeds; baseline qf4 pool 0.1165):
margin +0.0042 (SE 0.0012), its z alone +0.0038 (0.0009); margin0 +0.0032 (0.0009); margin0w +0.0031
(0.0009); pl +0.0009, plmkt +0.0008, all three +0.0038. Opponent adjustment (margin vs margin0) adds
+0.0010 (SE 0.0011); the gain is the long-memory, field-demeaned margin filter itself.

Columns added per rating: <name>_mu, <name>_z (within-field z-score), <name>_gap (mu minus field mean),
<name>_top (mu minus the best rival's mu), <name>_sd (posterior sd, for the Bayesian ones).

  nice -n 15 models/training/.venv/bin/python models/training/rating_cv.py --data /work/shared/data/hkracing \
      --matrix data/exp/cut5079.csv --baseline models/quant/features-qf4.json --cut 5079

Shipped: margin0w (m20) with its z, gap, top and sd columns is feature version qf5
(models/features/margin-rating.ts); `--write-fixture test/unit/models/fixtures/margin-rating.json`
writes the synthetic season its parity test replays.
"""

import argparse
import csv
import datetime
import json
import os
import sys
import time

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from feature_cv import per_race_loss, run_variants  # noqa: E402
from train_quant import LGBM_FIXED, Races, fit_clogit, read_matrix, single_winner_mask  # noqa: E402


def read_races(data, cut):
    """Per race (race_id order, race_id < cut): date, distance and the runners' horse ids, results, lengths."""
    dates, dist = {}, {}
    with open(os.path.join(data, "races.csv")) as fh:
        for r in csv.DictReader(fh):
            rid = int(r["race_id"])
            if rid < cut:
                dates[rid] = datetime.date.fromisoformat(r["date"])
                dist[rid] = float(r["distance"])
    runs = {}
    with open(os.path.join(data, "runs.csv")) as fh:
        for r in csv.DictReader(fh):
            rid = int(r["race_id"])
            if rid >= cut:
                continue
            res = int(r["result"]) if r["result"].strip() else 99  # no result: behind every finisher
            lb = float(r["lengths_behind"]) if r["lengths_behind"].strip() else 999.0
            # The race's own odds are used only to update the ratings after the race (plmkt): a row of
            # race r sees ratings built from races before r.
            runs.setdefault(rid, []).append((r["horse_id"], res, lb, float(r["win_odds"])))
    return [(rid, dates[rid], dist[rid], runs[rid]) for rid in sorted(runs)]


def pl_grad_hess(theta, result):
    """Gradient and diagonal (negative) Hessian of the Plackett-Luce log-likelihood of a finishing order;
    tied results form one stage in which each tied horse chooses from the same remaining set (Breslow)."""
    g = np.zeros_like(theta)
    h = np.zeros_like(theta)
    for k in np.unique(result):
        remaining = result >= k
        group = result == k
        e = np.exp(theta[remaining] - theta[remaining].max())
        p = e / e.sum()
        n = group.sum()
        g[group] += 1.0
        g[remaining] -= n * p
        h[remaining] += n * p * (1 - p)
    return g, h


class Rating:
    """Means and variances of every horse; `before(field)` is the as-of view, `update(...)` the step."""

    def __init__(self, name, kind, prior_var=0.5, drift=0.1, lr=0.1, noise=4.0, clip=15.0, window=20):
        self.name, self.kind, self.window, self.obs = name, kind, window, {}
        self.prior_var, self.drift, self.lr, self.noise, self.clip = prior_var, drift, lr, noise, clip
        self.mu, self.var, self.last = {}, {}, {}

    def before(self, horses, date):
        if self.kind == "margin0w":
            return self._replay(horses, date)
        mu = np.array([self.mu.get(h, 0.0) for h in horses])
        var = np.array([
            min(self.prior_var, self.var[h] + self.drift * (date - self.last[h]).days / 365.25) if h in self.var else self.prior_var
            for h in horses
        ])
        return mu, var

    def _replay(self, horses, date):
        """margin0 recomputed from each horse's last `window` runs only, as a serving engine that reads
        the horse's own history rows (20 in horse_runs) plus each past race's field-mean margin would."""
        out = []
        for h in horses:
            mu, var, last = 0.0, self.prior_var, None
            for d, obs in self.obs.get(h, [])[-self.window:]:
                if last is not None:
                    var = min(self.prior_var, var + self.drift * (d - last).days / 365.25)
                k = var / (var + self.noise)
                mu, var, last = mu + k * (obs - mu), var * (1 - k), d
            if last is not None:
                var = min(self.prior_var, var + self.drift * (date - last).days / 365.25)
            out.append((mu, var))
        return np.array([o[0] for o in out]), np.array([o[1] for o in out])

    def update(self, horses, date, distance, result, lengths, odds):
        if self.kind == "margin0w":
            lb = np.clip(np.where(lengths >= 900, self.clip * distance / 1000, lengths), 0, None)
            y = -np.minimum(lb / (distance / 1000), self.clip)
            for i, hid in enumerate(horses):
                self.obs.setdefault(hid, []).append((date, float(y[i] - y.mean())))
            return
        mu, var = self.before(horses, date)
        if self.kind in ("pl", "plmkt"):
            # plmkt: the utility is ln(market share at that race) + theta, so theta learns what the horse
            # did beyond what the public expected of it against that field.
            offset = -np.log(odds) + np.log(np.sum(1 / odds)) if self.kind == "plmkt" else 0.0
            g, h = pl_grad_hess(mu + offset, result)
            prec = 1 / var + h
            mu, var = mu + g / prec, 1 / prec
        elif self.kind == "plsgd":
            g, _ = pl_grad_hess(mu, result)
            mu = mu + self.lr * g
        elif self.kind == "margin0":
            # Ablation: the same filter on the field-demeaned margin, with the rivals' ratings ignored
            # (each horse filtered on its own), i.e. no opponent adjustment beyond the field's mean margin.
            lb = np.clip(np.where(lengths >= 900, self.clip * distance / 1000, lengths), 0, None)
            y = -np.minimum(lb / (distance / 1000), self.clip)
            k = var / (var + self.noise)
            mu, var = mu + k * (y - y.mean() - mu), var * (1 - k)
        elif self.kind == "margin":
            # y_i = -(lengths behind per km), clipped; the winner 0. Free race effect c (prior var 100).
            lb = np.clip(np.where(lengths >= 900, self.clip * distance / 1000, lengths), 0, None)
            y = -np.minimum(lb / (distance / 1000), self.clip)
            n = len(y)
            S = np.diag(var) + 100.0 * np.ones((n, n)) + self.noise * np.eye(n)
            resid = y - mu - np.mean(y - mu)
            K = np.diag(var) @ np.linalg.inv(S)
            mu = mu + K @ resid
            var = var - np.einsum("ij,j->i", K, var)
        for i, hid in enumerate(horses):
            self.mu[hid], self.var[hid], self.last[hid] = float(mu[i]), float(var[i]), date


def rating_columns(races, ratings):
    """{(race_id, horse_id): {column: value}} for every run, as of the race's start."""
    out = {}
    for rid, date, distance, runs in races:
        horses = [r[0] for r in runs]
        result = np.array([r[1] for r in runs], dtype=float)
        lengths = np.array([r[2] for r in runs], dtype=float)
        odds = np.array([r[3] for r in runs], dtype=float)
        cols = {}
        for rt in ratings:
            mu, var = rt.before(horses, date)
            sd = mu.std()
            cols[f"{rt.name}_mu"] = mu
            cols[f"{rt.name}_z"] = (mu - mu.mean()) / max(sd, 1e-3)
            cols[f"{rt.name}_gap"] = mu - mu.mean()
            best_rival = np.array([np.max(np.delete(mu, i)) if len(mu) > 1 else mu[i] for i in range(len(mu))])
            cols[f"{rt.name}_top"] = mu - best_rival
            cols[f"{rt.name}_sd"] = np.sqrt(var)
            rt.update(horses, date, distance, result, lengths, odds)
        for i, hid in enumerate(horses):
            out[(rid, hid)] = {k: float(v[i]) for k, v in cols.items()}
    return out


def designs():
    return [
        # Settings chosen by the stand-alone figure on races 700..1499 (before the CV's scored blocks).
        Rating("pl", "pl", prior_var=4.0, drift=1.0),
        Rating("mg", "margin", prior_var=4.0, drift=2.0, noise=4.0, clip=10.0),
        Rating("mk", "plmkt", prior_var=1.0, drift=0.5),
        Rating("m0", "margin0", prior_var=4.0, drift=2.0, noise=4.0, clip=10.0),
        Rating("m20", "margin0w", prior_var=4.0, drift=2.0, noise=4.0, clip=10.0, window=20),
    ]


def write_fixture(path):
    """A small synthetic season with margin0w (m20) values, for the TypeScript port's parity test
    (models/features/margin-rating.ts, test/unit/models/margin-rating.test.ts). Missing margins (999 here)
    are written as null, as import/hk-reader.ts reads them."""
    rng = np.random.default_rng(5)
    horses = [f"h{i}" for i in range(9)]
    day = datetime.date(2018, 1, 1)
    races = []
    for rid in range(70):
        day += datetime.timedelta(days=int(rng.choice([1, 3, 14, 40, 200, 500], p=[0.3, 0.3, 0.2, 0.1, 0.07, 0.03])))
        n = int(rng.integers(2, 8))
        field = list(rng.choice(horses, size=n, replace=False))
        lengths = [0.0] + [float(np.round(rng.uniform(0, 35) * 4) / 4) for _ in range(n - 1)]
        for i in range(1, n):
            u = rng.uniform()
            lengths[i] = 999.0 if u < 0.08 else -0.5 if u < 0.12 else lengths[i]
        order = rng.permutation(n)
        runs = [(field[i], int(order[i]) + 1, lengths[i], 5.0) for i in range(n)]
        races.append((rid, day, float(rng.choice([1000, 1200, 1650, 2000])), runs))
    rt = Rating("m20", "margin0w", prior_var=4.0, drift=2.0, noise=4.0, clip=10.0, window=20)
    cols = rating_columns(races, [rt])
    out = []
    for rid, d, dist, runs in races:
        out.append({
            "raceId": str(rid), "date": d.isoformat(), "distanceM": int(dist),
            "runners": [
                {"horseId": h, "lengthsBehind": None if lb >= 999 else lb,
                 **{k: cols[(rid, h)][f"m20_{k}"] for k in ("mu", "sd", "z", "gap", "top")}}
                for h, _res, lb, _odds in runs
            ],
        })
    with open(path, "w") as fh:
        json.dump({"design": "margin0w prior_var 4, drift 2, noise 4, clip 10, window 20", "races": out}, fh, indent=1)
        fh.write("\n")
    print(f"wrote {path}: {len(out)} races")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--write-fixture", default="", help="write the TypeScript parity fixture to this file and stop")
    ap.add_argument("--data")
    ap.add_argument("--matrix")
    ap.add_argument("--baseline")
    ap.add_argument("--cut", type=int, help="races at or after this race_id are never read")
    ap.add_argument("--variant", action="append", default=None, help="label=col,col (added to the baseline)")
    ap.add_argument("--from-race-id", type=int, default=1500)
    ap.add_argument("--blocks", type=int, default=4)
    ap.add_argument("--seeds", type=int, default=3)
    ap.add_argument("--rounds", type=int, default=150)
    ap.add_argument("--standalone-only", action="store_true")
    ap.add_argument("--designs", default="", help="JSON list of rating designs [name, kind, {params}] replacing the default ones")
    ap.add_argument("--standalone-range", default="", help="lo,hi: race_id range for the stand-alone figures (default: the scored races)")
    ap.add_argument("--log", default="results/experiments.jsonl")
    ap.add_argument("--compare", action="append", default=[], help="a,b: also print variant a against variant b (paired SE)")
    args = ap.parse_args()
    if args.write_fixture:
        write_fixture(args.write_fixture)
        return
    if not (args.data and args.matrix and args.baseline and args.cut):
        ap.error("--data, --matrix, --baseline and --cut are required")
    LGBM_FIXED["num_threads"] = 1

    started = time.time()
    ratings = [Rating(n, k, **p) for n, k, p in json.loads(args.designs)] if args.designs else designs()
    cols = rating_columns(read_races(args.data, args.cut), ratings)
    print(f"ratings computed in {time.time() - started:.0f}s")

    names, race, horse, won, _odds, X_all = read_matrix(args.matrix)
    if race.max() >= args.cut:
        raise SystemExit("the matrix holds races at or after the cut")
    extra_names = list(next(iter(cols.values())).keys())
    missing = [(int(r), h) for r, h in zip(race, horse) if (int(r), h) not in cols]
    if missing:
        raise SystemExit(f"{len(missing)} matrix rows have no rating, e.g. {missing[:3]}")
    extra = np.array([[cols[(int(r), h)][c] for c in extra_names] for r, h in zip(race, horse)], dtype=np.float32)
    names = names + extra_names
    X_all = np.hstack([X_all, extra])

    with open(args.baseline) as fh:
        baseline = [f["name"] for f in json.load(fh)["features"]]

    # Stand-alone: one-feature conditional logit (one parameter, fitted in-sample on the same races).
    keep = single_winner_mask(race, won)
    lo, hi = map(int, args.standalone_range.split(",")) if args.standalone_range else (args.from_race_id, int(race.max()) + 1)
    sa = keep & (race >= lo) & (race < hi)
    sa_races = Races(race[sa])
    print(f"stand-alone one-feature conditional logit, pseudo R^2 on races {lo}..{hi - 1}:")
    for c in ["rating_z", "speed_fig_mean4_z", "behind_per_km_mean4_z", "finish_pct_mean4_z", "ln_odds_mean3_z"] + [f"{r.name}_z" for r in ratings]:
        z = X_all[sa][:, [names.index(c)]].astype(np.float64)
        w = fit_clogit(z, won[sa], sa_races, 1e-6)
        loss = per_race_loss(sa_races.log_softmax(z @ w), won[sa], sa_races)
        print(f"  {c:22s} coef {w[0]:+.3f}  pseudo R^2 {1 - loss.sum() / np.log(sa_races.counts).sum():.4f}", flush=True)
    if args.standalone_only:
        return

    specs = args.variant or [
        "pl=pl_z,pl_gap,pl_top,pl_sd",
        "mg=mg_z,mg_gap,mg_top,mg_sd",
        "mg-z=mg_z",
        "mk=mk_z,mk_gap,mk_top,mk_sd",
        "pl+mg+mk=pl_z,pl_gap,pl_top,pl_sd,mg_z,mg_gap,mg_top,mg_sd,mk_z,mk_gap,mk_top,mk_sd",
        "m0=m0_z,m0_gap,m0_top,m0_sd",
        "m0-z=m0_z",
        "m20=m20_z,m20_gap,m20_top,m20_sd",
    ]
    variants = [("baseline", baseline)] + [(sp.partition("=")[0], baseline + sp.partition("=")[2].split(",")) for sp in specs]
    scored_ids, losses = run_variants(variants, names, race, won, X_all, args, os.path.basename(args.matrix) + "+ratings")
    # Per-block log-loss gain per race against the baseline (positive = better), to see it is not one block.
    edges = [int(scored_ids[i * len(scored_ids) // args.blocks]) for i in range(args.blocks)] + [int(scored_ids.max()) + 1]
    print("per-block mean log-loss gain per race vs baseline (block starts " + ", ".join(map(str, edges[:-1])) + "):")
    for label, loss in losses.items():
        if label == "baseline":
            continue
        gain = losses["baseline"] - loss
        parts = [gain[(scored_ids >= lo) & (scored_ids < hi)].mean() for lo, hi in zip(edges[:-1], edges[1:])]
        print(f"  {label:14s} " + " ".join(f"{g:+.4f}" for g in parts))
    uniform = np.log(np.bincount(np.searchsorted(scored_ids, race[keep & (race >= scored_ids[0])]))).sum()
    for pair in args.compare:
        a, b = pair.split(",")
        diff = losses[a] - losses[b]
        print(f"{a} vs {b}: d pseudo R^2 {-diff.sum() / uniform:+.4f}, paired SE {diff.std(ddof=1) * np.sqrt(len(diff)) / uniform:.4f}")

if __name__ == "__main__":
    main()
