"""The review grade (issue 17) against the interviewers, beside the live grade on the same answers.

    python bench/review.py [--split heldout|dev|all] [--lexical | --model NAME] [--every K] [--limit N]
                           [--kinds strong,mixed,...] [--dump FILE]
    python bench/review.py --fit DEV_DUMP [DEV_DUMP...] [--write]   # fit review_calibration.json on dev rows
    python bench/review.py --targets LABEL=DUMP [LABEL=DUMP...]      # the issue's target table from dumps

Reviews every selected answer (bench/answers, split.json) with interviewer.grader.review.Reviewer and prints the
tables of bench/ordering.py for the live grade and the review grade on the same rows, then the error table: how
often the planted error of a mixed answer is reported (a reported quote overlaps it), how often a wrong-facts
answer gets any error reported, and how often a strong / paraphrase / terse answer gets a false alarm.

Every model judgement is cached on disk (/tmp/cache/review/choose.jsonl, keyed by model, prompt and options), so a
rerun, or a rerun with a refitted map, costs no model time. --fit reads a dump of development rows only and fits
(a) the credit map (bench/calibrate.py's least squares, candidates chosen out-of-fold by question) and (b) the
contradiction map (logistic regression of "the interviewers marked this point wrong" on the signals of the point's
check) with the error / wrong thresholds set so that at most FALSE_ALARM of the development strong answers get an
error reported, or above 1 (nothing reported) when no candidate reaches MIN_AUC out-of-fold.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import shlex
import sys
import threading
from collections.abc import Sequence
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
from answers_data import KINDS, load_answers  # noqa: E402
from calibrate import fit, out_of_fold  # noqa: E402
from ordering import (ORDERINGS, agreement_table, cohen_kappa, kind_table, ordering_table, select,  # noqa: E402
                      summary_table, table)
from stats import pearson  # noqa: E402

from interviewer.bank.storage import load_bank  # noqa: E402
from interviewer.grader.models import Grade, Verdict  # noqa: E402
from interviewer.grader.review import Reviewer, ReviewCalibration  # noqa: E402
from interviewer.llm.base import Message, Model  # noqa: E402
from interviewer.text import normalize  # noqa: E402

CACHE = Path("/tmp/cache/review/choose.jsonl")
REVIEW_CALIBRATION = ROOT / "interviewer" / "grader" / "review_calibration.json"
FALSE_ALARM = 0.10  # at most this share of development strong answers may get an error reported
MIN_AUC = 0.6  # a contradiction map below this out-of-fold AUC on dev reports nothing
CREDIT_CANDIDATES = {
    "with_model": [("gain",), ("gain", "agree"), ("gain", "coverage"), ("gain", "agree", "coverage"),
                   ("gain", "align"), ("gain", "agree", "align")],
    "lexical": [("coverage", "overlap"), ("coverage",), ("coverage", "align"), ("coverage", "overlap", "align")],
}
CONTRA_CANDIDATES = {"with_model": [("contra",), ("contra", "align"), ("contra", "flips"), ("contra", "flips", "align"),
                                    ("flips", "align")],
                     "lexical": [("flips",), ("flips", "align")]}


class DiskCachedModel(Model):
    """A model whose `choose` results are kept on disk by (model id, messages, options): reruns are free."""

    def __init__(self, inner: Model) -> None:
        super().__init__(inner.name)
        self.inner = inner
        self.memoizes = inner.memoizes
        self.gives_probabilities = inner.gives_probabilities
        self._lock = threading.Lock()
        self._done: dict[str, dict] = {}
        if CACHE.is_file():
            for line in CACHE.read_text().splitlines():
                try:
                    row = json.loads(line)
                except json.JSONDecodeError:
                    continue
                self._done[row["key"]] = row["probs"]
        self.fresh = 0

    @property
    def model_id(self) -> str:
        return self.inner.model_id

    @property
    def contended(self) -> bool:
        return self.inner.contended

    def exclusive(self):  # type: ignore[override]
        return self.inner.exclusive()

    def _key(self, messages: Sequence[Message], options: Sequence[str]) -> str:
        blob = json.dumps([self.model_id, list(messages), list(options)], sort_keys=True)
        return hashlib.sha256(blob.encode()).hexdigest()

    def _choose(self, messages: list[Message], options: list[str]) -> dict[str, float]:
        key = self._key(messages, options)
        if key in self._done:
            return dict(self._done[key])
        probs = self.inner.choose(messages, options)
        self._store(key, probs)
        return probs

    def _chat(self, messages: list[Message], *, max_tokens: int, temperature: float) -> str:
        key = self._key(messages, ["chat", str(max_tokens), str(temperature)])
        if key not in self._done:
            text = self.inner.chat(messages, max_tokens=max_tokens, temperature=temperature)
            self._store(key, {"text": text})
        return str(self._done[key]["text"])

    def _store(self, key: str, value: dict) -> None:
        with self._lock:
            self._done[key] = value
            self.fresh += 1
            CACHE.parent.mkdir(parents=True, exist_ok=True)
            with CACHE.open("a") as out:
                out.write(json.dumps({"key": key, "probs": value}) + "\n")

    def close(self) -> None:
        self.inner.close()


def parse_args() -> argparse.Namespace:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--split", choices=("heldout", "dev", "all"), default="heldout")
    who = ap.add_mutually_exclusive_group()
    who.add_argument("--lexical", action="store_true", help="no model: lexical review")
    who.add_argument("--model", default=None, help="model name (default: the configured model)")
    ap.add_argument("--every", type=int, default=1, help="only every k-th question of the split (sorted by id)")
    ap.add_argument("--limit", type=int, default=None, help="only the first N questions of the selection")
    ap.add_argument("--kinds", default=None, help="comma-separated answer kinds (default: all)")
    ap.add_argument("--dump", type=Path, default=None, help="write per-answer rows with signals and checks here")
    ap.add_argument("--fit", type=Path, nargs="+", default=None,
                    help="fit the review maps on these dumps' development rows (an answer in several: once)")
    ap.add_argument("--write", action="store_true", help="with --fit: write review_calibration.json")
    ap.add_argument("--targets", nargs="+", default=None, metavar="LABEL=DUMP",
                    help="the issue's targets from dumps, one column each, on the answers all of them hold; "
                         "the first dump's live scores make a column too")
    return ap.parse_args()


def make_model(args: argparse.Namespace) -> DiskCachedModel | None:
    if args.lexical:
        return None
    from interviewer.llm.registry import get_model
    from interviewer.settings import get_settings

    return DiskCachedModel(get_model(args.model or get_settings().model))


def overlaps(reported: str, planted: str) -> bool:
    """A reported quote overlaps the planted one: one holds the other, or they share a run of 5 words."""
    a, b = normalize(reported), normalize(planted)
    if a in b or b in a:
        return True
    wa, wb = a.split(), b.split()
    grams = {tuple(wa[i:i + 5]) for i in range(len(wa) - 4)}
    return any(tuple(wb[i:i + 5]) in grams for i in range(len(wb) - 4))


def run(recs: list[dict], reviewer: Reviewer, path: Path | None = None
        ) -> tuple[list[Grade], list[Grade], list[list[dict]]]:
    """(live grades, review grades, the checks of each review) for the records, in order; each answer's row is
    appended to the dump at `path` as soon as it is reviewed (a killed run leaves its rows)."""
    if path is not None:
        path.write_text("")
    bank = load_bank(include_user=False)
    live, review, checks = [], [], []
    for n, rec in enumerate(recs, 1):
        question = bank.get(rec["question_id"])
        live.append(reviewer.grader.grade(question, rec["answer"]))
        grade, done = reviewer.assess(question, rec["answer"])
        review.append(grade)
        checks.append([{"claim": c.claim, "unit": c.unit.label, "criterion_id": c.unit.criterion.id
                        if c.unit.criterion is not None else None, "contradiction": round(c.contradiction, 4),
                        "signals": {k: round(v, 4) for k, v in c.signals.items()}}
                       for c in done])
        if path is not None:
            dump(path, recs[n - 1:n], live[-1:], review[-1:], checks[-1:])
        if n % 10 == 0 or n == len(recs):
            fresh = getattr(reviewer.model, "fresh", 0)
            print(f"  reviewed {n}/{len(recs)} ({review[-1].seconds:.1f}s last, {fresh} model calls made)",
                  file=sys.stderr, flush=True)
    return live, review, checks


def error_rows(recs: list[dict], grades: list[Grade], label: str) -> list[list]:
    """Errors reported: planted ones found (mixed), any on wrong-facts answers, false alarms elsewhere."""
    rows = []
    for kind in ("mixed", "wrong_facts", "strong", "paraphrase", "terse", "partial"):
        idx = [i for i, r in enumerate(recs) if r["kind"] == kind]
        if not idx:
            continue
        if kind == "mixed":
            hit = sum(any(overlaps(e.quote, p["quote"]) for e in grades[i].errors for p in recs[i]["errors"])
                      for i in idx)
            what = "planted error reported"
        else:
            hit = sum(bool(grades[i].errors) for i in idx)
            what = "any error reported" + ("" if kind == "wrong_facts" else " (false alarm)")
        rows.append([label, kind, len(idx), what, hit / len(idx),
                     float(np.mean([len(grades[i].errors) for i in idx]))])
    return rows


def wrong_table(recs: list[dict], grades: list[Grade]) -> str:
    """The points the interviewers marked wrong: how the review calls them, and how often it calls others wrong."""
    called, truth = [], []
    for r, g in zip(recs, grades):
        for c in g.criteria:
            human = r["verdicts"].get(c.criterion_id)
            if human is not None:
                called.append(c.verdict == Verdict.WRONG)
                truth.append(human == "wrong")
    called_a, truth_a = np.array(called), np.array(truth)
    rows = [[int(truth_a.sum()), float(called_a[truth_a].mean()) if truth_a.any() else "-",
             int((~truth_a).sum()), float(called_a[~truth_a].mean()) if (~truth_a).any() else "-"]]
    return table(["points marked wrong", "called wrong", "other points", "called wrong (false)"], rows)


def dump(path: Path, recs: list[dict], live: list[Grade], review: list[Grade], checks: list[list[dict]]) -> None:
    with path.open("a") as out:
        for r, lg, g, ch in zip(recs, live, review, checks):
            criteria = [{"criterion_id": c.criterion_id, "weight": c.weight, "core": c.core, "verdict": c.verdict.value,
                         "human_verdict": r["verdicts"].get(c.criterion_id), "credit": c.score, "signals": c.signals}
                        for c in g.criteria]
            out.write(json.dumps({
                "id": r["id"], "question_id": r["question_id"], "kind": r["kind"], "split": r["split"],
                "human": r["grade"], "live": lg.score, "score": g.score, "model_id": g.model_id,
                "planted": [p["quote"] for p in r.get("errors", [])],
                "errors": [e.model_dump() for e in g.errors], "criteria": criteria, "checks": ch}) + "\n")


# -- fitting ---------------------------------------------------------------------------------------------------
def _features(rows: list[dict], names: tuple[str, ...]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per checked point of the kinds whose "wrong" labels mean something (mixed; correct answers as negatives):
    the signals of its most contradicting check, whether the interviewers marked it wrong, and the question."""
    x, y, q = [], [], []
    for r in rows:
        if r["kind"] not in ("mixed", "strong", "paraphrase", "terse"):
            continue
        by = {}
        for ch in r["checks"]:
            cid = ch["criterion_id"]
            if cid is not None:
                by.setdefault(cid, []).append(ch["signals"])
        for c in r["criteria"]:
            for sig in by.get(c["criterion_id"], []):
                x.append([sig.get(f, 0.0) for f in names])
                y.append(1.0 if c["human_verdict"] == "wrong" else 0.0)
                q.append(r["question_id"])
    return np.array(x, float), np.array(y, float), np.array(q)


def logistic(x: np.ndarray, y: np.ndarray, l2: float = 1.0, steps: int = 500) -> tuple[float, np.ndarray]:
    """L2-regularised logistic regression by Newton's method: (intercept, coefficients)."""
    a = np.hstack([np.ones((len(x), 1)), x])
    w = np.zeros(a.shape[1])
    reg = l2 * np.eye(a.shape[1])
    reg[0, 0] = 0
    for _ in range(steps):
        p = 1 / (1 + np.exp(-np.clip(a @ w, -30, 30)))
        grad = a.T @ (p - y) + reg @ w
        hess = a.T @ (a * (p * (1 - p))[:, None]) + reg + 1e-9 * np.eye(len(w))
        step = np.linalg.solve(hess, grad)
        w -= step
        if np.abs(step).max() < 1e-8:
            break
    return float(w[0]), w[1:]


def auc(score: np.ndarray, y: np.ndarray) -> float:
    pos, neg = score[y == 1], score[y == 0]
    if not len(pos) or not len(neg):
        return float("nan")
    return float(((pos[:, None] > neg[None, :]).mean() + 0.5 * (pos[:, None] == neg[None, :]).mean()))


def answer_max(rows: list[dict], kinds: tuple[str, ...], names: tuple[str, ...], b: float, coef: np.ndarray,
               planted_only: bool = False) -> list[float]:
    """Per answer of the kinds: the highest contradiction probability among its checks (of the planted-error
    claim only, for planted_only)."""
    out = []
    for r in rows:
        if r["kind"] not in kinds:
            continue
        vals = [1 / (1 + np.exp(-(b + float(np.dot(coef, [ch["signals"].get(f, 0.0) for f in names])))))
                for ch in r["checks"] if not planted_only or any(overlaps(ch["claim"], p) for p in r["planted"])]
        out.append(max(vals, default=0.0))
    return out


def fit_maps(paths: list[Path], write: bool) -> None:
    by_id = {}
    for path in paths:
        for line in path.read_text().splitlines():
            if line.strip():
                row = json.loads(line)
                by_id[row["id"]] = row
    rows = [r for r in by_id.values() if r["split"] == "dev" and r["criteria"]]
    if len({r["model_id"] for r in rows}) > 1:
        sys.exit("the dumps come from different models")
    mode = "lexical" if rows[0]["model_id"] == "lexical" else "with_model"
    print(f"`python bench/review.py --fit {' '.join(map(str, paths))}{' --write' if write else ''}`: {len(rows)} "
          f"development answers, "
          f"{len({r['question_id'] for r in rows})} questions, {rows[0]['model_id']}\n")
    # (a) credit: calibrate.py's criterion-level least squares, candidates compared out-of-fold by question.
    y = np.array([r["human"] for r in rows])
    lines = []
    for cand in CREDIT_CANDIDATES[mode]:
        s = out_of_fold(rows, cand)
        lines.append([" + ".join(cand), pearson(s, y), float(np.sqrt(((s - y) ** 2).mean()))])
    print("Credit map candidates (score from credit alone, no WRONG penalty; dev out-of-fold by question):\n")
    print(table(["signals", "Pearson r", "RMSE"], lines) + "\n")
    best = max(CREDIT_CANDIDATES[mode], key=lambda c: pearson(out_of_fold(rows, c), y))
    credit = fit(rows, best)
    # (b) contradiction: logistic on the checks of points, out-of-fold AUC by question.
    lines, fitted = [], {}
    for cand in CONTRA_CANDIDATES[mode]:
        x, lab, q = _features(rows, cand)
        if not len(x) or not lab.any():
            continue
        oof = np.zeros(len(lab))
        qs = sorted(set(q))
        for k in range(5):
            test = np.isin(q, qs[k::5])
            b, w = logistic(x[~test], lab[~test])
            oof[test] = x[test] @ w + b
        b, w = logistic(x, lab)
        fitted[cand] = (b, w)
        lines.append([" + ".join(cand), int(lab.sum()), len(lab), auc(oof, lab)])
    print("Contradiction map candidates (a checked point's claim vs the interviewers' 'wrong'; mixed answers' points "
          "against the points of strong, paraphrase and terse answers; AUC out-of-fold by question):\n")
    print(table(["signals", "points marked wrong", "checks", "AUC (dev out-of-fold)"], lines) + "\n")
    cand = max(fitted, key=lambda c: next(line[3] for line in lines if line[0] == " + ".join(c)))
    b, w = fitted[cand]
    strong = sorted(answer_max(rows, ("strong",), cand, b, w))
    # The smallest threshold at which at most FALSE_ALARM of the strong answers get an error reported.
    k = int(np.floor(FALSE_ALARM * len(strong)))
    threshold = min(0.999, (strong[len(strong) - k - 1] + 1e-4) if strong else 0.5)
    best_auc = max(line[3] for line in lines)
    if not best_auc >= MIN_AUC:  # no better than chance on dev: report nothing rather than noise
        threshold = 1.01
    planted = answer_max(rows, ("mixed",), cand, b, w, planted_only=True)
    found = float(np.mean([p >= threshold for p in planted])) if planted else float("nan")
    print(f"Chosen: credit {best} -> {credit['coef']}; contradiction {cand} -> intercept {b:.3f}, "
          f"coef {dict(zip(cand, np.round(w, 4).tolist()))}; threshold {threshold:.3f} "
          f"(dev, in-sample: false alarm on strong {np.mean([s >= threshold for s in strong]):.0%}, "
          f"planted error's claim above it {found:.0%})\n")
    if write:
        data = json.loads(REVIEW_CALIBRATION.read_text())
        data[mode] = {"credit": credit, "contradiction": {
            "intercept": round(b, 4), "coef": {f: round(float(v), 4) for f, v in zip(cand, w)},
            "error": round(threshold, 4), "wrong": round(threshold, 4)},
            "source": f"bench/review.py --fit on {len(rows)} development answers "
                      f"({len({r['question_id'] for r in rows})} questions), {rows[0]['model_id']}; contradiction: "
                      f"best dev out-of-fold AUC {best_auc:.2f}" + (f" (< {MIN_AUC}: no better than chance, nothing is "
                                                                    "reported and no point is called wrong)"
                                                                    if threshold > 1 else "")}
        data["source"] = "each map says how it was made; bench/README.md (Review grade) reports them on held-back"
        REVIEW_CALIBRATION.write_text(json.dumps(data, indent=2) + "\n")
        print(f"written to {REVIEW_CALIBRATION.relative_to(ROOT)}")


def targets(specs: list[str]) -> None:
    """The issue-17 target table from dumps (LABEL=PATH), on the answers every dump holds."""
    dumps = []
    for spec in specs:
        label, _, path = spec.partition("=")
        dumps.append((label, {r["id"]: r for r in map(json.loads, Path(path).read_text().splitlines())}))
    ids = sorted(set.intersection(*(set(d) for _, d in dumps)))
    first = dumps[0][1]
    columns = [("live (" + dumps[0][0] + ")", {i: {**first[i], "score": first[i]["live"], "criteria": None}
                                              for i in ids})] + [(label, {i: d[i] for i in ids}) for label, d in dumps]

    def share(rows: dict, chain: tuple[str, ...]) -> str:
        by: dict[str, dict[str, float]] = {}
        for r in rows.values():
            by.setdefault(r["question_id"], {})[r["kind"]] = r["score"]
        qs = [q for q in by if all(k in by[q] for k in chain)]
        held = sum(all(by[q][a] > by[q][b] for a, b in zip(chain, chain[1:])) for q in qs)
        return f"{held / len(qs):.0%} ({held}/{len(qs)})" if qs else "-"

    def kappa(rows: dict) -> str:
        pairs = [(c["verdict"], c["human_verdict"]) for r in rows.values() if r["criteria"]
                 for c in r["criteria"] if c["human_verdict"] is not None]
        return f"{cohen_kappa([a for a, _ in pairs], [b for _, b in pairs]):.2f}" if pairs else "-"

    def errors(rows: dict, kind: str) -> str:
        sel = [r for r in rows.values() if r["kind"] == kind]
        if not sel or sel[0]["criteria"] is None:
            return "-"
        if kind == "mixed":
            hit = sum(any(overlaps(e["quote"], p) for e in r["errors"] for p in r["planted"]) for r in sel)
        else:
            hit = sum(bool(r["errors"]) for r in sel)
        return f"{hit / len(sel):.0%} ({hit}/{len(sel)})"

    lines = [["answers (questions)", ""] + [f"{len(ids)} ({len({i.split('/')[0] for i in ids})})"] * len(columns),
             ["Pearson r", ">= 0.85"] + [f"{pearson(*zip(*((r['score'], r['human']) for r in rows.values()))):.3f}"
                                        for _, rows in columns]]
    goal = {"strong > partial > wrong": ">= 95%", "paraphrase > partial": ">= 90%", "keyword_list < partial": ">= 95%",
            "wrong_facts < partial": ">= 95%", "mixed < strong": ">= 90%"}
    for label, chain in ORDERINGS:
        lines.append([label, goal.get(label, "")] + [share(rows, chain) for _, rows in columns])
    lines.append(["verdict kappa (all points)", ">= 0.5"] + [kappa(rows) for _, rows in columns])
    lines.append(["mixed: planted error reported", ">= 80%"] + [errors(rows, "mixed") for _, rows in columns])
    lines.append(["wrong facts: an error reported", ">= 80%"] + [errors(rows, "wrong_facts") for _, rows in columns])
    lines.append(["strong: false alarm", "<= 10%"] + [errors(rows, "strong") for _, rows in columns])
    print(f"`python bench/review.py --targets {' '.join(specs)}`\n")
    print(table(["measure", "target"] + [label for label, _ in columns], lines))


def main() -> None:
    args = parse_args()
    if args.targets:
        targets(args.targets)
        return
    if args.fit:
        fit_maps(args.fit, args.write)
        return
    recs = select(load_answers(), args.split, args.limit, args.every)
    if args.kinds:
        keep = set(args.kinds.split(","))
        recs = [r for r in recs if r["kind"] in keep]
    if not recs:
        sys.exit("no answers selected")
    model = make_model(args)
    reviewer = Reviewer(model, review_calibration=ReviewCalibration.load())
    live, review, checks = run(recs, reviewer, args.dump)
    print(f"`python {shlex.join(sys.argv)}`\n")
    print(f"split {args.split}: {len({r['question_id'] for r in recs})} questions, {len(recs)} answers; model "
          f"{reviewer.model_id}, review prompt {reviewer.prompt_version}; mean review seconds "
          f"{np.mean([g.seconds for g in review]):.1f}\n")
    for title, grades in (("live grade", live), ("review grade", review)):
        print(f"### {title}\n\n{summary_table(recs, grades, reviewer.model_id)}\n\n{kind_table(recs, grades)}\n\n"
              f"{ordering_table(recs, grades)}\n\n{agreement_table(recs, grades)}\n")
    print("### Errors reported (review)\n")
    print(table(["grade", "kind", "answers", "measure", "share", "errors per answer"],
                error_rows(recs, review, "review")))
    print("\n" + wrong_table(recs, review) + "\n")


if __name__ == "__main__":
    main()
