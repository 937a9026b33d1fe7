"""Fit the grader's calibration (signals -> credit) on the development part of the answer set.

    python bench/ordering.py --split dev --dump bench/results/dev_signals.jsonl [--model NAME | --lexical]
    python bench/ordering.py --split heldout --dump bench/results/heldout_signals.jsonl [--model NAME | --lexical]
    python bench/calibrate.py bench/results/dev_signals.jsonl --check bench/results/heldout_signals.jsonl [--write]

The unit of fitting is the criterion, not the answer: every criterion of every development answer is one example,
its target the human verdict as credit (met 1, partial 0.5, missed 0), weighted by the criterion's weight. That is
~6x more examples than answers, it fits what the grader actually computes (credit per criterion; the score is
their weighted mean in code), and it learns from "missed" verdicts that a content-free criterion earns nothing, so
wrong answers get no floor. Least squares through the origin (no evidence, no credit: every signal is 0 for an
answer that says nothing, so its credit must be 0) with non-negative coefficients (every signal is "more is
better"; a feature whose coefficient would be negative is dropped and the rest refitted): one or two numbers fitted
on development questions never used for reporting, so little room to fit the questions rather than the method.

Which signals the map uses (calibration.FEATURES_*) was chosen on the development answers alone, out-of-fold by
question (5 question-disjoint folds); the table of candidates is printed. With --check the held-back agreement is
recomputed from the dumped signals (nothing is graded again); --write stores the map in
interviewer/grader/calibration.json with its provenance.
"""

from __future__ import annotations

import argparse
import json
import sys
from datetime import date
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
from stats import pearson  # noqa: E402

from interviewer.grader.calibration import FEATURES_LEXICAL, FEATURES_WITH_MODEL, LinearMap  # noqa: E402

CALIBRATION = ROOT / "interviewer" / "grader" / "calibration.json"
CREDIT = {"met": 1.0, "partial": 0.5, "missed": 0.0}
ORDERINGS = [("strong > partial > wrong", ("strong", "partial", "wrong")), ("paraphrase > partial", ("paraphrase", "partial")),
             ("keyword_list < partial", ("partial", "keyword_list")), ("wrong_facts < partial", ("partial", "wrong_facts"))]


def read(path: Path) -> list[dict]:
    rows = [json.loads(line) for line in path.read_text().splitlines() if line.strip()]
    return [r for r in rows if r["criteria"]]


def examples(rows: list[dict], names: tuple[str, ...]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(signals, human credit, weight) of every criterion that has a human verdict."""
    x, y, w = [], [], []
    for r in rows:
        for c in r["criteria"]:
            if c.get("human_verdict") in CREDIT:
                x.append([c["signals"].get(f, 0.0) for f in names])
                y.append(CREDIT[c["human_verdict"]])
                w.append(c["weight"])
    return np.array(x, float), np.array(y, float), np.array(w, float)


def fit(rows: list[dict], names: tuple[str, ...]) -> dict:
    """Weighted least squares through the origin, coefficients >= 0 (active set: drop the most negative, refit)."""
    x, y, w = examples(rows, names)
    keep = list(range(len(names)))
    coef = np.zeros(0)
    while keep:
        coef, *_ = np.linalg.lstsq(x[:, keep] * np.sqrt(w)[:, None], y * np.sqrt(w), rcond=None)
        if coef.min() >= 0:
            break
        keep.pop(int(np.argmin(coef)))
    out = {f: 0.0 for f in names}
    out.update({names[k]: round(float(c), 4) for k, c in zip(keep, coef)})
    return {"intercept": 0.0, "coef": out}


CANDIDATES = {"with_model": [("gain",), ("gain", "coverage"), ("gain", "coverage", "overlap")],
              "lexical": [("coverage",), ("coverage", "overlap")]}


def out_of_fold(rows: list[dict], names: tuple[str, ...], folds: int = 5) -> np.ndarray:
    """Scores of each answer from a map fitted on the other folds' questions."""
    qs = sorted({r["question_id"] for r in rows})
    out = np.zeros(len(rows))
    for k in range(folds):
        test = set(qs[k::folds])
        linear = fit([r for r in rows if r["question_id"] not in test], names)
        idx = [i for i, r in enumerate(rows) if r["question_id"] in test]
        out[idx] = scores([rows[i] for i in idx], linear)
    return out


def credits(r: dict, linear: dict) -> np.ndarray:
    """Each criterion's credit under the map, computed by the grader's own LinearMap."""
    as_map = LinearMap(linear["intercept"], linear["coef"])
    return np.array([as_map(c["signals"]) for c in r["criteria"]])


def scores(rows: list[dict], linear: dict) -> np.ndarray:
    """Answer scores (0-10) from dumped signals, clipped per criterion as the grader does."""
    out = []
    for r in rows:
        w = np.array([c["weight"] for c in r["criteria"]], float)
        out.append(10 * float((w * credits(r, linear)).sum() / w.sum()))
    return np.array(out)


def orderings(rows: list[dict], score: np.ndarray) -> list[float]:
    by: dict[str, dict[str, float]] = {}
    for r, s in zip(rows, score):
        by.setdefault(r["question_id"], {})[r["kind"]] = s
    out = []
    for _, chain in ORDERINGS:
        qs = [q for q in by if all(k in by[q] for k in chain)]
        out.append(sum(all(by[q][a] > by[q][b] for a, b in zip(chain, chain[1:])) for q in qs) / max(len(qs), 1))
    return out


def verdict_shares(rows: list[dict], linear: dict, kind: str) -> tuple[float, float, float]:
    """Shares of core criteria the map calls met / partial / missed on one answer kind (the grader's verdict_for)."""
    from interviewer.grader.grader import verdict_for
    from interviewer.grader.models import Verdict

    vs = [verdict_for(float(v)) for r in rows if r["kind"] == kind
          for v, c in zip(credits(r, linear), r["criteria"]) if c["core"]]
    n = max(len(vs), 1)
    return tuple(sum(v == want for v in vs) / n for want in (Verdict.MET, Verdict.PARTIAL, Verdict.MISSED))


def report(label: str, rows: list[dict], linear: dict, s: np.ndarray | None = None) -> str:
    y = np.array([r["human"] for r in rows])
    s = scores(rows, linear) if s is None else s
    strong, wrong = verdict_shares(rows, linear, "strong"), verdict_shares(rows, linear, "wrong")
    cells = [label, f"{pearson(s, y):.3f}", f"{np.sqrt(((s - y) ** 2).mean()):.2f}",
             *(f"{v:.0%}" for v in orderings(rows, s)), f"{strong[0]:.0%}", f"{wrong[2]:.0%}"]
    return "| " + " | ".join(cells) + " |"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("dump", type=Path)
    ap.add_argument("--check", type=Path, default=None, help="a held-back dump to report the maps on")
    ap.add_argument("--write", action="store_true")
    args = ap.parse_args()
    rows = [r for r in read(args.dump) if r["split"] == "dev"]
    if not rows:
        sys.exit("no development rows with criteria in the dump")
    has_model = all("p_yes" in c["signals"] for r in rows for c in r["criteria"])
    mode, names = ("with_model", FEATURES_WITH_MODEL) if has_model else ("lexical", FEATURES_LEXICAL)
    data = json.loads(CALIBRATION.read_text())
    before = data[mode]
    linear = fit(rows, names)
    n_crit = len(examples(rows, names)[1])
    model = rows[0].get("model_id", "lexical")
    print(f"`python bench/calibrate.py {' '.join(sys.argv[1:])}`\n")
    print(f"{mode} map fitted on {n_crit} criteria of {len(rows)} development answers "
          f"({len({r['question_id'] for r in rows})} questions), {model}: intercept {linear['intercept']}, "
          f"coefficients {linear['coef']}\n")
    head = ("| map | Pearson r | RMSE | " + " | ".join(label for label, _ in ORDERINGS)
            + " | strong: core met | wrong: core missed |")
    print(head + "\n|" + "---|" * (head.count("|") - 1))
    print(report("before, on dev", rows, before))
    for cand in CANDIDATES[mode]:
        mark = " (shipped)" if cand == names else ""
        print(report(f"{' + '.join(cand)}, dev out-of-fold{mark}", rows, fit(rows, cand), out_of_fold(rows, cand)))
    print(report("fitted, on dev (in-sample)", rows, linear))
    if args.check:
        held = [r for r in read(args.check) if r["split"] == "heldout"]
        print(report(f"before, held-back ({len(held)} answers)", held, before))
        print(report(f"fitted, held-back ({len(held)} answers)", held, linear))
    if args.write:
        data[mode] = {**linear, "source": (
            f"fitted by bench/calibrate.py on {date.today()}: weighted least squares through the origin (coefficients "
            f">= 0) of the human verdict credit (met 1, partial 0.5, missed 0) of {n_crit} criteria of {len(rows)} "
            f"development answers ({len({r['question_id'] for r in rows})} questions) in bench/answers, "
            f"question-disjoint from the held-back third, on the signals {', '.join(names)} from {model}")}
        data["source"] = "each map says how it was made; bench/README.md reports them on held-back questions"
        CALIBRATION.write_text(json.dumps(data, indent=2) + "\n")
        print(f"\nwritten to {CALIBRATION.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
