"""How far can the quantitative model go? Extra as-of columns for a ceiling experiment, appended to the
dump-features matrix, for models/training/feature_cv.py to compare against the shipped feature list.

Two families: per-horse columns the quant set lacks (gear and gear changes, weight carried against
rating within the race, position in the rating band, rating below peak, weight per body weight, prize
per run, class drop over 4 runs, declared weight and age as field z-scores), and the jockey, trainer and
jockey-trainer form that SPEC keeps on the qualitative side (shrunk win and place rates, all-time and
over 365 days, as field z-scores). The second family is there to measure what the separation costs the
quant model, not to ship: fusing it on both sides would count that evidence twice.

Reads DATA/{runs,races}.csv, keeping races with race_id < --cut only (rows at or after the cut are
dropped while parsing), walks races in race_id order, and for each runner computes columns from (i)
today's card and (ii) state built from races with a smaller race_id only; the state takes a race's
results after all its runners have been scored. Priors are fixed constants, so nothing is estimated.

  mkdir -p data/exp
  npx tsx models/training/dump-features.ts --data ../shared/data/hkracing --cut 5079 --out data/exp/cut5079.csv
  models/training/.venv/bin/python models/training/form_ceiling.py --data ../shared/data/hkracing --cut 5079 \
      data/exp/cut5079.csv data/exp/cut5079_extra.csv
  models/training/.venv/bin/python models/training/feature_cv.py --matrix data/exp/cut5079_extra.csv \
      --baseline models/quant/features-qf5.json --from-race-id 1500 --blocks 4 --seeds 3 \
      --variant "+gear=$GEAR" --variant '+weight-vs-rating=+wvr_resid' --variant "+other-horse=$OTHER" \
      --variant "(b) +horse-all=$GEAR,+wvr_resid,$OTHER" --variant "(c) +jockey/trainer=$FORM" \
      --variant "+all=$GEAR,+wvr_resid,$OTHER,$FORM"

with
  GEAR=+gear_any,+gear_count,+gear_first,+gear_changed,+gear_removed,+gear_blinkers_first,+gear_tongue_tie
  OTHER=+rating_band_pos,+rating_below_peak,+weight_body_ratio,+log_prize_per_run,+class_drop_mean4,+declared_weight_z,+age_z
  FORM=+jockey_win_all_z,+jockey_win_365_z,+jockey_place_all_z,+jockey_place_365_z,+trainer_win_all_z,+trainer_win_365_z,
       +trainer_place_all_z,+trainer_place_365_z,+pair_win_all_z,+pair_win_365_z,+pair_place_all_z,+pair_place_365_z
(FORM on one line). Those are the README's table rows, written to --log (results/experiments.jsonl).
"""

import argparse
import csv
import math
from collections import defaultdict, deque

WINDOW_DAYS = 365
K_ENTITY = 20.0  # pseudo-runs shrinking jockey / trainer rates to the base rate
K_PAIR = 10.0  # pseudo-runs for the jockey-trainer pair
BLINKERS = {"B", "V"}  # blinkers, visor


def day_number(iso):
    y, m, d = (int(x) for x in iso.split("-"))
    # days since 0000-03-01 (proleptic Gregorian), enough for differences
    if m <= 2:
        y, m = y - 1, m + 12
    return 365 * y + y // 4 - y // 100 + y // 400 + (153 * (m - 3) + 2) // 5 + d


def read_before_cut(data, cut):
    races = {}
    with open(f"{data}/races.csv") as fh:
        for r in csv.DictReader(fh):
            rid = int(r["race_id"])
            if rid >= cut:
                break  # races.csv is in race_id order
            races[rid] = r
    runs = defaultdict(list)
    with open(f"{data}/runs.csv") as fh:
        for r in csv.DictReader(fh):
            rid = int(r["race_id"])
            if rid >= cut:
                break  # runs.csv is in race_id order (checked)
            runs[rid].append(r)
    return races, runs


def parse_gear(text):
    """HKJC gear string, items joined by '/': suffix 1 = first time, 2 = replaced, '-' = removed."""
    if not text or text == "--":
        return set(), set(), set(), set()
    worn, first, replaced, removed = set(), set(), set(), set()
    for item in text.split("/"):
        item = item.strip()
        if item.endswith("-"):
            removed.add(item[:-1])
        elif item.endswith("1"):
            worn.add(item[:-1])
            first.add(item[:-1])
        elif item.endswith("2"):
            worn.add(item[:-1])
            replaced.add(item[:-1])
        else:
            worn.add(item)
    return worn, first, replaced, removed


def band(text):
    """'60-40' -> (40, 60); '90+' -> (90, None); 'G' or unknown -> None."""
    if "-" in text:
        hi, lo = text.split("-")
        try:
            return float(lo), float(hi)
        except ValueError:
            return None
    if text.endswith("+"):
        try:
            return float(text[:-1]), None
        except ValueError:
            return None
    return None


def zscore(values):
    n = len(values)
    mu = sum(values) / n
    sd = math.sqrt(sum((v - mu) ** 2 for v in values) / n)
    sd = max(sd, 1e-3)
    return [(v - mu) / sd for v in values]


def within_race_residual(y, x):
    """OLS residual of y on x within the race; y - mean(y) when x has no spread."""
    n = len(y)
    mx, my = sum(x) / n, sum(y) / n
    sxx = sum((a - mx) ** 2 for a in x)
    if n < 3 or sxx < 1e-9:
        return [b - my for b in y]
    b = sum((a - mx) * (c - my) for a, c in zip(x, y)) / sxx
    return [c - (my + b * (a - mx)) for a, c in zip(x, y)]


class Tally:
    """wins / places / runs per key, all-time and over a sliding day window."""

    def __init__(self):
        self.all = defaultdict(lambda: [0, 0, 0])
        self.win = defaultdict(lambda: [0, 0, 0])

    def add(self, table, key, w, p, sign=1):
        t = table[key]
        t[0] += sign * w
        t[1] += sign * p
        t[2] += sign


def main(data, cut, matrix_in, matrix_out):
    races, runs = read_before_cut(data, cut)
    # fixed priors, as the shipped win_rate_shrunk / place_rate_shrunk use (no look-ahead at all)
    base_win, base_place = 0.08, 0.25

    horse_last_gear = {}
    horse_ever_gear = defaultdict(set)
    horse_runs = defaultdict(int)
    horse_peak = {}
    horse_prize = defaultdict(float)
    horse_classes = defaultdict(list)

    ent = {"jockey": Tally(), "trainer": Tally(), "pair": Tally()}
    window = deque()  # (day, [(kind, key, w, p), ...]) for runs inside the day window
    extra = {}
    names = None

    for rid in sorted(runs):
        race = races[rid]
        day = day_number(race["date"])
        while window and window[0][0] < day - WINDOW_DAYS:
            _, items = window.popleft()
            for kind, key, w, p in items:
                ent[kind].add(ent[kind].win, key, w, p, -1)

        field = runs[rid]
        ratings = [float(r["horse_rating"]) for r in field]
        weights = [float(r["actual_weight"]) for r in field]
        declared = [float(r["declared_weight"]) if r["declared_weight"] else 1100.0 for r in field]
        ages = [float(r["horse_age"]) if r["horse_age"] else 4.0 for r in field]
        resid = within_race_residual(weights, ratings)
        bnd = band(race["horse_ratings"])
        try:
            cls = float(race["race_class"])
        except ValueError:
            cls = None

        cols = defaultdict(list)
        for r, rating, w, dw in zip(field, ratings, weights, declared):
            h = r["horse_id"]
            worn, first, replaced, removed = parse_gear(r["horse_gear"])
            has_hist = horse_runs[h] > 0
            last = horse_last_gear.get(h)
            new_to_horse = bool(worn - horse_ever_gear[h]) if has_hist else False
            cols["gear_any"].append(1.0 if worn else 0.0)
            cols["gear_count"].append(float(len(worn)))
            cols["gear_first"].append(1.0 if (first or new_to_horse) else 0.0)
            cols["gear_changed"].append(1.0 if (has_hist and last is not None and worn != last) or replaced or removed else 0.0)
            cols["gear_removed"].append(1.0 if removed or (has_hist and last is not None and bool(last - worn)) else 0.0)
            cols["gear_blinkers_first"].append(1.0 if (first & BLINKERS) or (new_to_horse and (worn - horse_ever_gear[h]) & BLINKERS) else 0.0)
            cols["gear_tongue_tie"].append(1.0 if "TT" in worn else 0.0)

            # other per-horse columns
            if bnd is None:
                pos = 0.5
            elif bnd[1] is None:
                pos = min(max((rating - bnd[0]) / 20.0, 0.0), 2.0)
            else:
                pos = min(max((rating - bnd[0]) / max(bnd[1] - bnd[0], 1.0), -0.5), 1.5)
            cols["rating_band_pos"].append(pos)
            cols["rating_below_peak"].append(horse_peak[h] - rating if h in horse_peak else 0.0)
            cols["weight_body_ratio"].append(100.0 * w / dw)
            cols["log_prize_per_run"].append(math.log1p(horse_prize[h] / 1000.0 / horse_runs[h]) if has_hist else 0.0)
            past = horse_classes[h][-4:]
            cols["class_drop_mean4"].append(sum(past) / len(past) - cls if past and cls is not None else 0.0)

            # jockey / trainer / pair as-of form
            keys = {"jockey": r["jockey_id"], "trainer": r["trainer_id"], "pair": (r["jockey_id"], r["trainer_id"])}
            for kind, key in keys.items():
                k = K_PAIR if kind == "pair" else K_ENTITY
                for span, table in (("all", ent[kind].all), ("365", ent[kind].win)):
                    t = table.get(key, (0, 0, 0))
                    cols[f"{kind}_win_{span}"].append((t[0] + k * base_win) / (t[2] + k))
                    cols[f"{kind}_place_{span}"].append((t[1] + k * base_place) / (t[2] + k))
                cols[f"{kind}_log_runs"].append(math.log1p(ent[kind].all.get(key, (0, 0, 0))[2]))

        cols["wvr_resid"] = resid
        cols["declared_weight_z"] = zscore(declared)
        cols["age_z"] = zscore(ages)
        for kind in ent:
            for stat in ("win", "place"):
                for span in ("all", "365"):
                    cols[f"{kind}_{stat}_{span}_z"] = zscore(cols[f"{kind}_{stat}_{span}"])
        if names is None:
            names = list(cols)
        for i, r in enumerate(field):
            extra[(rid, r["horse_id"])] = [cols[c][i] for c in names]

        # update state with this race's results (used only by later races)
        items = []
        for r in field:
            h = r["horse_id"]
            worn = parse_gear(r["horse_gear"])[0]
            horse_last_gear[h] = worn
            horse_ever_gear[h] |= worn
            horse_runs[h] += 1
            horse_peak[h] = max(horse_peak.get(h, -1e9), float(r["horse_rating"]))
            if float(r["won"]) == 1.0 and race["prize"]:
                horse_prize[h] += float(race["prize"])
            if cls is not None:
                horse_classes[h].append(cls)
            w, p = int(float(r["won"]) == 1.0), int(int(r["result"]) <= 3)
            for kind, key in (("jockey", r["jockey_id"]), ("trainer", r["trainer_id"]), ("pair", (r["jockey_id"], r["trainer_id"]))):
                ent[kind].add(ent[kind].all, key, w, p)
                ent[kind].add(ent[kind].win, key, w, p)
                items.append((kind, key, w, p))
        window.append((day, items))

    missing = 0
    with open(matrix_in) as fin, open(matrix_out, "w") as fout:
        header = fin.readline().rstrip("\n")
        fout.write(header + "," + ",".join(names) + "\n")
        for line in fin:
            line = line.rstrip("\n")
            rid, hid = line.split(",", 2)[:2]
            if int(rid) >= cut:
                raise SystemExit("matrix holds a race at or after the cut")
            vals = extra.get((int(rid), hid))
            if vals is None:
                missing += 1
                vals = [0.0] * len(names)
            fout.write(line + "," + ",".join(f"{v:.6g}" for v in vals) + "\n")
    print(f"{matrix_out}: {len(names)} extra columns, {len(extra)} runner rows built, {missing} matrix rows unmatched")
    print(",".join(names))


if __name__ == "__main__":
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", required=True, help="folder holding races.csv and runs.csv (Kaggle HK format)")
    ap.add_argument("--cut", type=int, required=True, help="read races with race_id below this only")
    ap.add_argument("matrix_in")
    ap.add_argument("matrix_out")
    a = ap.parse_args()
    main(a.data, a.cut, a.matrix_in, a.matrix_out)
