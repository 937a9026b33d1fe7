"""Grading benchmark: how far the grader agrees with human graders.

    python bench/grading.py --data ../shared/bench/mohler_dev.jsonl --model local:qwen2.5-coder-1.5b

Each answer is graded with a rubric drafted from the reference answer (the grader's path for questions
without a hand-written rubric). Per-answer signals are cached in bench/results/ so a run can be resumed
and re-analysed. The calibration (signals -> score) is fitted and measured on question-disjoint folds:
every reported "out-of-fold" number comes from folds that share no question with the data it was fitted on.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from stats import fit_linear, group_folds, pearson, qwk, rmse, spearman  # noqa: E402

from interviewer.bank.models import Question  # noqa: E402
from interviewer.grader.calibration import FEATURES_LEXICAL, FEATURES_WITH_MODEL, Calibration  # noqa: E402
from interviewer.grading import make_grader  # noqa: E402

RESULTS = Path(__file__).resolve().parent / "results"


def load_rows(path: Path) -> list[dict]:
    if not path.is_file():
        sys.exit(f"data set not found: {path} (read ../shared/bench/README.md; it is read by path, never copied)")
    rows = [json.loads(line) for line in path.read_text().splitlines() if line.strip()]
    for r in rows:
        r["reference"] = r.get("reference_answer") or r["reference_answers"][0]["text"]
    return rows


def sample(rows: list[dict], limit: int | None, seed: int) -> list[dict]:
    if not limit or limit >= len(rows):
        return rows
    rng = np.random.default_rng(seed)
    return [rows[i] for i in sorted(rng.choice(len(rows), size=limit, replace=False))]


def extract(rows: list[dict], model_name: str, cache: Path) -> list[dict]:
    done = {}
    if cache.is_file():
        for line in cache.read_text().splitlines():
            rec = json.loads(line)
            done[rec["id"]] = rec
    todo = [r for r in rows if r["id"] not in done]
    if todo:
        grader = make_grader(None if model_name == "none" else model_name)
        model = grader.model
        cache.parent.mkdir(parents=True, exist_ok=True)
        with cache.open("a") as out:
            for n, r in enumerate(todo, 1):
                q = Question(id="bench-q", category="bench", number=1, question=r["question"],
                             reference_answer=r["reference"])
                start = time.perf_counter()
                g = grader.grade(q, r["answer"])
                seconds = time.perf_counter() - start
                total = sum(c.weight for c in g.criteria)
                feats = {f: sum(c.weight * c.signals.get(f, 0.0) for c in g.criteria) / total
                         for f in ("p_yes", "gain", "coverage", "overlap") if any(f in c.signals for c in g.criteria)}
                rec = {"id": r["id"], "question_id": r["question_id"], "human": r["score"], "features": feats,
                       "flags": [f.value for f in g.flags], "criteria": len(g.criteria), "seconds": seconds,
                       "shipped_score": g.score}
                out.write(json.dumps(rec) + "\n")
                out.flush()
                done[r["id"]] = rec
                if n % 25 == 0 or n == len(todo):
                    print(f"  graded {n}/{len(todo)} ({seconds:.2f}s last)", file=sys.stderr, flush=True)
        if model is not None:
            s = model.stats
            print(f"  model calls {s.calls}, new prompt tokens {s.prompt_tokens}, cached tokens {s.cached_tokens}",
                  file=sys.stderr)
    return [done[r["id"]] for r in rows]


def metrics(pred: np.ndarray, human: np.ndarray, scale: float) -> dict:
    return {
        "pearson": pearson(pred, human), "spearman": spearman(pred, human), "rmse": rmse(pred, human),
        "qwk": qwk(pred, human, 0, int(scale)),
    }


def out_of_fold(recs: list[dict], features: tuple[str, ...], scale: float, k: int) -> tuple[np.ndarray, list]:
    X = np.array([[r["features"].get(f, 0.0) for f in features] for r in recs])
    y = np.array([r["human"] / scale for r in recs])
    pred = np.zeros(len(recs))
    fits = []
    for test in group_folds([r["question_id"] for r in recs], k):
        train = np.setdiff1d(np.arange(len(recs)), test)
        b, w = fit_linear(X[train], y[train])
        pred[test] = np.clip(b + X[test] @ w, 0, 1)
        fits.append((b, w))
    return pred * scale, fits


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--data", type=Path, required=True)
    ap.add_argument("--model", default="local:qwen2.5-coder-1.5b", help="model name, or 'none' for lexical signals")
    ap.add_argument("--limit", type=int, default=None, help="grade a random sample of this many answers")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--folds", type=int, default=5)
    ap.add_argument("--scale", type=float, default=5.0, help="the human score's maximum")
    ap.add_argument("--write-calibration", action="store_true",
                    help="fit on all rows and write the package's calibration.json")
    args = ap.parse_args()

    rows = sample(load_rows(args.data), args.limit, args.seed)
    from interviewer.grader import prompts

    version = prompts.version("grade_system.j2", "grade_point.j2")  # a new prompt starts a new cache
    tag = f"{args.data.stem}-{args.model.replace(':', '_').replace('/', '_')}-{version}"
    recs = extract(rows, args.model, RESULTS / f"{tag}.jsonl")
    human = np.array([r["human"] for r in recs])
    secs = [r["seconds"] for r in recs]
    has_model = "gain" in recs[0]["features"]

    table = []
    shipped = np.array([r["shipped_score"] for r in recs]) / 10 * args.scale
    table.append(("shipped calibration (not fitted here)", metrics(shipped, human, args.scale)))
    variants = [("lexical signals, out-of-fold", FEATURES_LEXICAL)]
    if has_model:
        variants = [("model gain only (the shipped signal), out-of-fold", FEATURES_WITH_MODEL), *variants,
                    ("model gain + lexical, out-of-fold", FEATURES_WITH_MODEL + FEATURES_LEXICAL)]
    for label, feats in variants:
        pred, _ = out_of_fold(recs, feats, args.scale, args.folds)
        table.append((label, metrics(pred, human, args.scale)))

    flags = {}
    for r in recs:
        for f in r["flags"]:
            flags[f] = flags.get(f, 0) + 1
    print(f"\n{args.data.name}: n={len(recs)}, {len(set(r['question_id'] for r in recs))} questions, "
          f"model {args.model}, {args.folds} question-disjoint folds")
    print(f"seconds per answer: median {statistics.median(secs):.2f}, p90 {np.percentile(secs, 90):.2f}; "
          f"criteria per answer: mean {statistics.mean(r['criteria'] for r in recs):.1f}; flags: {flags or 'none'}\n")
    print("| variant | Pearson r | Spearman rho | RMSE | QWK |")
    print("|---|---|---|---|---|")
    for label, m in table:
        print(f"| {label} | {m['pearson']:.3f} | {m['spearman']:.3f} | {m['rmse']:.3f} | {m['qwk']:.3f} |")

    if args.write_calibration:
        path = Path(__file__).resolve().parents[1] / "interviewer" / "grader" / "calibration.json"
        current = Calibration.load().to_dict()
        for key, feats in (("lexical", FEATURES_LEXICAL), ("with_model", FEATURES_WITH_MODEL)):
            if key == "with_model" and not has_model:
                continue
            X = np.array([[r["features"].get(f, 0.0) for f in feats] for r in recs])
            b, w = fit_linear(X, human / args.scale)
            current[key] = {"intercept": round(b, 4), "coef": {f: round(float(c), 4) for f, c in zip(feats, w)}}
        current["source"] = (f"fitted by bench/grading.py on {args.data.name} (n={len(recs)}, model {args.model}) "
                             f"on {time.strftime('%Y-%m-%d')}")
        path.write_text(json.dumps(current, indent=2) + "\n")
        print(f"\nwrote {path}")


if __name__ == "__main__":
    main()
