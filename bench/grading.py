"""Grading benchmark: how far the grader agrees with human graders.

    python bench/grading.py --data ../shared/bench/mohler_dev.jsonl --model local:qwen2.5-coder-1.5b

Each answer is graded with a rubric drafted from the reference answer (the grader's path for questions
without a hand-written rubric, which uses the short-answer map, interviewer/grader/short.py). Per-answer,
per-criterion signals are cached in bench/results/ so a run can be resumed and re-analysed; the lexical
signals are recomputed from the text at every run (they cost nothing), the model's come from the cache.

Every "out-of-fold" number comes from a linear map fitted on other questions: 5 question-disjoint folds over all
questions. The short-answer map has its own split of the data set's questions (`split`: a third held back, chosen
by the sha256 of the question id): its features were chosen on the development part only (out-of-fold there), the
shipped short.json is fitted on the development part only (--write-short-map), and the held-back rows show that
map on questions it never saw.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import math
import statistics
import sys
import time
from collections import Counter
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from stats import fit_linear, group_folds, pearson, qwk, rmse, spearman  # noqa: E402

from interviewer.bank.models import Question  # noqa: E402
from interviewer.grader import short  # noqa: E402
from interviewer.grader.calibration import FEATURES_LEXICAL, FEATURES_WITH_MODEL, Calibration, LinearMap  # noqa: E402
from interviewer.grader.draft import draft_rubric  # noqa: E402
from interviewer.grader.sanitize import screen  # noqa: E402
from interviewer.grader.signals import explaining_text, list_likeness  # noqa: E402
from interviewer.grading import make_grader  # noqa: E402
from interviewer.text import content_stems  # noqa: E402

RESULTS = Path(__file__).resolve().parent / "results"
SHORT_JSON = Path(__file__).resolve().parents[1] / "interviewer" / "grader" / "short.json"

#: The short-answer map's features (chosen on the development questions, out-of-fold; bench/README.md).
SHORT_LEXICAL = ("recall", "precision", "length")
SHORT_WITH_MODEL = SHORT_LEXICAL + ("scale",)


def load_rows(path: Path) -> list[dict]:
    if not path.is_file():
        sys.exit(f"data set not found: {path} (read ../shared/bench/README.md; it is read by path, never copied)")
    rows = [json.loads(line) for line in path.read_text().splitlines() if line.strip()]
    for r in rows:
        r["reference"] = r.get("reference_answer") or r["reference_answers"][0]["text"]
    return rows


def sample(rows: list[dict], limit: int | None, seed: int) -> list[dict]:
    """The first `limit` rows of a seeded permutation, in file order: a larger limit extends a smaller one's
    sample, so a cache grown in steps stays one random sample."""
    if not limit or limit >= len(rows):
        return rows
    order = np.random.default_rng(seed).permutation(len(rows))
    return [rows[i] for i in sorted(order[:limit])]


def split(question_ids: list[str], heldout_share: float = 1 / 3) -> set[str]:
    """The held-back questions of the short-answer map: the first third by sha256 of the question id."""
    uniq = sorted(set(question_ids), key=lambda q: hashlib.sha256(q.encode()).hexdigest())
    return set(uniq[: round(len(uniq) * heldout_share)])


def question_of(r: dict) -> Question:
    return Question(id="bench-q", category="bench", number=1, question=r["question"], reference_answer=r["reference"])


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
                start = time.perf_counter()
                g = grader.grade(question_of(r), r["answer"])
                seconds = time.perf_counter() - start
                rec = {"id": r["id"], "question_id": r["question_id"], "human": r["score"],
                       "criteria_signals": [{"weight": c.weight, **c.signals} for c in g.criteria],
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


def add_lexical(recs: list[dict], rows: list[dict]) -> None:
    """Recompute the short-answer lexical signals of every criterion from the text (the grader's own code)."""
    for rec, r in zip(recs, rows):
        rubric = draft_rubric(r["question"], r["reference"])
        text = screen(r["answer"]).text
        prose = explaining_text(text)
        share = 1.0 - list_likeness(text)
        for c, sig in zip(rubric.criteria, rec["criteria_signals"]):
            if "coverage" in sig:  # not an answer screened out (empty, garbled), which scores 0
                sig.update(short.lexical_signals(r["question"], prose, c))
                if "scale" in sig:  # tried: the rating discounted for bare lists, as the Yes/No gain is
                    sig["scale_prose"] = sig["scale"] * share
        total = sum(s["weight"] for s in rec["criteria_signals"])
        keys = {k for s in rec["criteria_signals"] for k in s if k != "weight"}
        rec["features"] = {k: sum(s["weight"] * s.get(k, 0.0) for s in rec["criteria_signals"]) / total
                           for k in keys}


def add_peer(recs: list[dict], rows: list[dict]) -> None:
    """Not in the product (measured as a next step for batch grading): `peer`, the cosine between an answer's
    content words and the pooled content words of the other answers to the same question in the run (most
    students answer correctly, so the pool is a reference written many ways). Uses no label."""
    stems = [set(content_stems(explaining_text(screen(r["answer"]).text))) for r in rows]
    by_question: dict[str, list[int]] = {}
    for i, r in enumerate(rows):
        by_question.setdefault(r["question_id"], []).append(i)
    for idx in by_question.values():
        df = Counter(s for i in idx for s in stems[i])
        for i in idx:
            others = {s: df[s] - (s in stems[i]) for s in df}
            norm = math.sqrt(sum(v * v for v in others.values())) * math.sqrt(len(stems[i]))
            peer = sum(others[s] for s in stems[i]) / norm if norm else 0.0
            recs[i].setdefault("features", {})["peer"] = peer
            for sig in recs[i]["criteria_signals"]:
                sig["peer"] = peer


def map_score(rec: dict, linear: LinearMap) -> float:
    """The grader's 0-1 score of an answer under a map: the weighted mean of the criteria's clipped credit."""
    crit = rec["criteria_signals"]
    total = sum(s["weight"] for s in crit) or 1
    return sum(s["weight"] * linear(s) for s in crit if "coverage" in s) / total


def metrics(pred: np.ndarray, human: np.ndarray, scale: float) -> dict:
    return {
        "pearson": pearson(pred, human), "spearman": spearman(pred, human), "rmse": rmse(pred, human),
        "qwk": qwk(pred, human, 0, int(scale)),
    }


def matrix(recs: list[dict], features: tuple[str, ...]) -> np.ndarray:
    return np.array([[r.get("features", {}).get(f, 0.0) for f in features] for r in recs])


def fit_map(recs: list[dict], features: tuple[str, ...], scale: float) -> LinearMap:
    b, w = fit_linear(matrix(recs, features), np.array([r["human"] / scale for r in recs]))
    return LinearMap(round(b, 4), {f: round(float(c), 4) for f, c in zip(features, w)})


def out_of_fold(recs: list[dict], features: tuple[str, ...], scale: float, k: int) -> np.ndarray:
    """Each row scored by a map fitted on the other folds' questions (k question-disjoint folds), applied per
    criterion with its credit clipped to 0-1, as the grader applies it."""
    pred = np.zeros(len(recs))
    for test in group_folds([r["question_id"] for r in recs], k):
        test_set = set(test.tolist())
        linear = fit_map([r for i, r in enumerate(recs) if i not in test_set], features, scale)
        for i in test:
            pred[i] = map_score(recs[i], linear)
    return pred * scale


def row(label: str, pred: np.ndarray, human: np.ndarray, scale: float) -> tuple[str, dict]:
    return label, metrics(pred, human, scale)


def print_table(title: str, table: list[tuple[str, dict]]) -> None:
    print(f"\n{title}\n")
    print("| variant | Pearson r | Spearman rho | RMSE | QWK |")
    print("|---|---|---|---|---|")
    for label, m in table:
        print(f"| {label} | {m['pearson']:.3f} | {m['spearman']:.3f} | {m['rmse']:.3f} | {m['qwk']:.3f} |")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--data", type=Path, required=True)
    ap.add_argument("--model", default="local:qwen2.5-coder-1.5b", help="model name, or 'none' for lexical signals")
    ap.add_argument("--limit", type=int, default=None, help="grade a random sample of this many answers")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--folds", type=int, default=5)
    ap.add_argument("--scale", type=float, default=5.0, help="the human score's maximum")
    ap.add_argument("--cached-only", action="store_true", help="analyse the rows already in the cache; grade none")
    ap.add_argument("--write-short-map", action="store_true",
                    help="fit the short-answer map on the development questions and write short.json")
    args = ap.parse_args()

    from interviewer.grader import prompts

    # A new prompt starts a new cache.
    version = prompts.version("grade_system.j2", "grade_point.j2", "grade_scale.j2")
    tag = f"{args.data.stem}-{args.model.replace(':', '_').replace('/', '_')}-{version}"
    cache = RESULTS / f"{tag}.jsonl"
    rows = sample(load_rows(args.data), args.limit, args.seed)
    if args.cached_only:
        cached = {json.loads(line)["id"] for line in cache.read_text().splitlines()} if cache.is_file() else set()
        rows = [r for r in rows if r["id"] in cached]
        if not rows:
            sys.exit(f"no cached rows in {cache}")
    recs = extract(rows, args.model, cache)
    add_lexical(recs, rows)
    add_peer(recs, rows)
    human = np.array([r["human"] for r in recs])
    secs = [r["seconds"] for r in recs]
    has_model = any("gain" in r.get("features", {}) for r in recs)
    held = split([r["question_id"] for r in recs])
    dev_idx = np.array([i for i, r in enumerate(recs) if r["question_id"] not in held])
    held_idx = np.array([i for i, r in enumerate(recs) if r["question_id"] in held])

    first = Calibration.load().for_signals(has_model)
    shipped_short = short.load().for_signals(has_model)
    variants: list[tuple[str, tuple[str, ...]]] = [
        ("first map's lexical signals (coverage, overlap)", FEATURES_LEXICAL)]
    if has_model:
        variants = [("model gain only", FEATURES_WITH_MODEL), ("model scale only", ("scale",)),
                    ("model scale_gain only (scale over the content-free answer's)", ("scale_gain",)),
                    ("gain + scale", ("gain", "scale")), *variants,
                    ("gain + coverage + overlap (the v2 README row)", FEATURES_WITH_MODEL + FEATURES_LEXICAL)]
    variants += [("short lexical (recall, precision, length)", SHORT_LEXICAL),
                 ("short lexical + bigrams + echo", SHORT_LEXICAL + ("bigrams", "echo"))]
    if has_model:
        variants += [("short lexical + gain", SHORT_LEXICAL + ("gain",)),
                     ("short lexical + scale_gain", SHORT_LEXICAL + ("scale_gain",)),
                     ("short lexical + scale discounted for bare lists", SHORT_LEXICAL + ("scale_prose",)),
                     ("short lexical + scale (the short map)", SHORT_WITH_MODEL),
                     ("short lexical + scale + gain", SHORT_WITH_MODEL + ("gain",))]
    # Not shipped: needs the other answers to the same question (batch grading only).
    variants += [("next step, batch only: short lexical + peer", SHORT_LEXICAL + ("peer",))]
    if has_model:
        variants += [("next step, batch only: the short map + peer", SHORT_WITH_MODEL + ("peer",))]

    flags: dict[str, int] = {}
    for r in recs:
        for f in r["flags"]:
            flags[f] = flags.get(f, 0) + 1
    print(f"\n{args.data.name}: n={len(recs)}, {len(set(r['question_id'] for r in recs))} questions, "
          f"model {args.model}, {args.folds} question-disjoint folds")
    print(f"seconds per answer: median {statistics.median(secs):.2f}, p90 {np.percentile(secs, 90):.2f}; "
          f"criteria per answer: mean {statistics.mean(r['criteria'] for r in recs):.1f}; flags: {flags or 'none'}")
    print(f"short-map split: {len(held)} held-back questions ({len(held_idx)} answers), "
          f"{len(set(r['question_id'] for r in recs)) - len(held)} development questions ({len(dev_idx)} answers)")

    def pred_of(linear: LinearMap, subset: list[dict]) -> np.ndarray:
        return np.array([map_score(r, linear) for r in subset]) * args.scale

    table = [row("first grader map (calibration.json, not fitted here)", pred_of(first, recs), human, args.scale),
             row("short map as shipped (short.json, fitted on the development questions)",
                 pred_of(shipped_short, recs), human, args.scale)]
    for label, feats in variants:
        table.append(row(label + ", out-of-fold", out_of_fold(recs, feats, args.scale, args.folds), human, args.scale))
    print_table("All questions (out-of-fold rows: 5 question-disjoint folds over all questions):", table)

    dev = [recs[i] for i in dev_idx]
    held_recs = [recs[i] for i in held_idx]
    if dev and held_recs:
        dev_table = [row(label + ", out-of-fold", out_of_fold(dev, feats, args.scale, args.folds), human[dev_idx],
                         args.scale) for label, feats in variants]
        print_table("Development questions only (where the features were chosen; out-of-fold within them):",
                    dev_table)
        held_table = [row("first grader map (not fitted)", pred_of(first, held_recs), human[held_idx], args.scale)]
        for label, feats in variants:
            held_table.append(row(label + ", fitted on development", pred_of(fit_map(dev, feats, args.scale),
                                                                             held_recs), human[held_idx], args.scale))
        print_table("Held-back questions (maps fitted on the development questions only):", held_table)

    if args.write_short_map:
        data = {"source": "", "with_model": {}, "lexical": {}}
        if SHORT_JSON.is_file():
            data.update(json.loads(SHORT_JSON.read_text()))
        for key, feats in (("lexical", SHORT_LEXICAL), ("with_model", SHORT_WITH_MODEL)):
            if key == "with_model" and not has_model:
                continue
            linear = fit_map(dev, feats, args.scale)
            data[key] = {"intercept": linear.intercept, "coef": linear.coef, "source": (
                f"fitted by bench/grading.py --write-short-map on {time.strftime('%Y-%m-%d')}: least squares of the "
                f"human score / {args.scale:g} on the weighted mean of the criteria's signals, {len(dev)} answers to "
                f"the {len(set(r['question_id'] for r in dev))} development questions of {args.data.name} "
                f"(model {args.model if key == 'with_model' else 'none'}); the {len(held)} held-back questions "
                f"were not used")}
        data["source"] = ("the short-answer map (short.py): each map says how it was made; bench/README.md reports "
                          "it on held-back questions")
        SHORT_JSON.write_text(json.dumps(data, indent=2) + "\n")
        print(f"\nwrote {SHORT_JSON}")


if __name__ == "__main__":
    main()
