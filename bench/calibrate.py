"""Fit the grader's calibration (signals -> credit) on the development part of the answer set.

    python bench/ordering.py --split dev --dump bench/results/dev_signals.jsonl [--model NAME]
    python bench/calibrate.py bench/results/dev_signals.jsonl [--write]

The map is linear, so fitting it at the answer level fits it for every criterion at once: the human grade / 10
against the weight-averaged signals of the answer's criteria (ordinary least squares with an intercept). Three
coefficients and an intercept per mode, fitted on 56 questions never used for reporting: little room to fit the
questions rather than the method. Prints the fit and, with --write, stores it in
interviewer/grader/calibration.json with its provenance. Report it with `bench/ordering.py --split heldout`.
"""

from __future__ import annotations

import argparse
import json
import sys
from datetime import date
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
CALIBRATION = ROOT / "interviewer" / "grader" / "calibration.json"


def features(rows: list[dict], names: tuple[str, ...]) -> np.ndarray:
    out = []
    for r in rows:
        w = np.array([c["weight"] for c in r["criteria"]], dtype=float)
        sig = np.array([[c["signals"].get(f, 0.0) for f in names] for c in r["criteria"]], dtype=float)
        out.append((w[:, None] * sig).sum(0) / w.sum())
    return np.array(out)


def fit(rows: list[dict], names: tuple[str, ...]) -> tuple[dict, float]:
    x = features(rows, names)
    y = np.array([r["human"] / 10 for r in rows])
    a = np.hstack([np.ones((len(x), 1)), x])
    coef, *_ = np.linalg.lstsq(a, y, rcond=None)
    pred = np.clip(a @ coef, 0, 1)
    r = float(np.corrcoef(pred, y)[0, 1])
    return {"intercept": round(float(coef[0]), 4), "coef": {f: round(float(c), 4) for f, c in zip(names, coef[1:])}}, r


def score(rows: list[dict], linear: dict, names: tuple[str, ...]) -> np.ndarray:
    """Answer scores (0-10) from dumped signals under a linear map, clipped per criterion as the grader does."""
    out = []
    for r in rows:
        w = np.array([c["weight"] for c in r["criteria"]], dtype=float)
        credit = [min(1.0, max(0.0, linear["intercept"] + sum(linear["coef"].get(f, 0.0) * c["signals"].get(f, 0.0)
                                                              for f in names))) for c in r["criteria"]]
        out.append(10 * float((w * np.array(credit)).sum() / w.sum()))
    return np.array(out)


def check(path: Path, shipped: dict, fitted: dict) -> None:
    rows = [json.loads(line) for line in path.read_text().splitlines() if line.strip()]
    rows = [r for r in rows if r["criteria"]]
    y = np.array([r["human"] for r in rows])
    names = ("p_yes", "coverage", "overlap") if all("p_yes" in c["signals"] for r in rows for c in r["criteria"]) \
        else ("coverage", "overlap")
    mode = "with_model" if "p_yes" in names else "lexical"
    print(f"\nOn {path.name} ({len(rows)} answers, {len({r['question_id'] for r in rows})} questions, split "
          f"{rows[0]['split']}):\n\n| map | Pearson r | RMSE |\n|---|---|---|")
    for label, cal in (("shipped (before)", shipped), ("fitted now", fitted)):
        pred = score(rows, cal[mode], names)
        print(f"| {label} | {np.corrcoef(pred, y)[0, 1]:.3f} | {np.sqrt(((pred - y) ** 2).mean()):.2f} |")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("dump", type=Path)
    ap.add_argument("--write", action="store_true")
    ap.add_argument("--check", type=Path, default=None,
                    help="a held-out dump: print r of the shipped and the newly fitted map on it (scores recomputed "
                         "from the dumped signals, so nothing is graded again)")
    args = ap.parse_args()
    rows = [json.loads(line) for line in args.dump.read_text().splitlines() if line.strip()]
    rows = [r for r in rows if r["split"] == "dev" and r["criteria"]]
    if not rows:
        sys.exit("no development rows with criteria in the dump")
    data = json.loads(CALIBRATION.read_text())
    has_model = all("p_yes" in c["signals"] for r in rows for c in r["criteria"])
    print(f"`python bench/calibrate.py {args.dump}`: {len(rows)} answers, "
          f"{len({r['question_id'] for r in rows})} questions (dev split)\n")
    print("| mode | intercept | coefficients | r on dev (in-sample) |\n|---|---|---|---|")
    modes = [("lexical", ("coverage", "overlap"))] + ([("with_model", ("p_yes", "coverage", "overlap"))] if has_model else [])
    for mode, names in modes:
        linear, r = fit(rows, names)
        data[mode] = linear
        print(f"| {mode} | {linear['intercept']} | {linear['coef']} | {r:.3f} |")
    model = rows[0].get("model_id", "")
    data["source"] = (f"fitted by bench/calibrate.py on {date.today()} from {len(rows)} development answers of "
                      f"bench/answers (question-disjoint from the held-out third){' with ' + model if model else ''}; "
                      "ordinary least squares of human grade / 10 on weight-averaged signals")
    if args.check:
        check(args.check, json.loads(CALIBRATION.read_text()), data)
    if args.write:
        CALIBRATION.write_text(json.dumps(data, indent=2) + "\n")
        print(f"\nwritten to {CALIBRATION.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
