"""Grader vs human interviewers on the interview answer set (bench/answers/, see its README.md).

    python bench/ordering.py [--split heldout|dev|all] [--lexical | --model NAME] [--limit N] [--every K] [--no-cache] [--dump FILE]

Grades every answer of the chosen split with the project's grader and prints Markdown tables: agreement of the
score with the human grade, mean scores per answer kind, how often the expected orderings between kinds hold
within a question, and the per-criterion verdicts against the human verdicts. Grades are cached in
bench/results/ordering-cache.jsonl (git-ignored) per model, prompt, rubric, grader code (with its calibration)
and answer, so a killed run resumes where it stopped and an edit to any of them re-grades.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import shlex
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from answers_data import KINDS, load_answers  # noqa: E402
from stats import pearson, rmse, spearman  # noqa: E402

from interviewer.bank.storage import load_bank  # noqa: E402
from interviewer.grader.grader import Grader, rubric_for  # noqa: E402
from interviewer.grading import make_grader  # noqa: E402
from interviewer.grader.models import Grade, Verdict  # noqa: E402

CACHE = Path(__file__).resolve().parent / "results" / "ordering-cache.jsonl"
VERDICTS = [v.value for v in Verdict]  # met, partial, missed, not_enough_evidence
#: (label, kinds that must score strictly higher, left to right)
ORDERINGS = [
    ("strong > partial > wrong", ("strong", "partial", "wrong")),
    ("paraphrase > partial", ("paraphrase", "partial")),
    ("keyword_list < partial", ("partial", "keyword_list")),
    ("wrong_facts < partial", ("partial", "wrong_facts")),
    # v3 kinds (issue 17): one confident central error must cost; own words must earn; padding must not.
    ("mixed < strong", ("strong", "mixed")),
    ("terse > verbose", ("terse", "verbose")),
    ("verbose < partial", ("partial", "verbose")),
]


def parse_args() -> argparse.Namespace:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--split", choices=("heldout", "dev", "all"), default="heldout")
    who = ap.add_mutually_exclusive_group()
    who.add_argument("--lexical", action="store_true", help="no model: lexical signals only")
    who.add_argument("--model", default=None, help="model name (default: the configured model)")
    ap.add_argument("--limit", type=int, default=None, help="only the first N questions of the split (all kinds)")
    ap.add_argument("--every", type=int, default=1, help="only every k-th question of the split (sorted by id)")
    ap.add_argument("--no-cache", action="store_true", help="neither read nor write the grade cache")
    ap.add_argument("--dump", type=Path, default=None, help="write per-answer rows with signals (JSONL) here")
    return ap.parse_args()


def select(records: list[dict], split: str, limit: int | None, every: int = 1) -> list[dict]:
    recs = [r for r in records if split == "all" or r["split"] == split]
    keep = sorted({r["question_id"] for r in recs})[::every][:limit]
    recs = [r for r in recs if r["question_id"] in keep]
    return sorted(recs, key=lambda r: (r["question_id"], KINDS.index(r["kind"])))


def grader_for(args: argparse.Namespace) -> Grader:
    if args.lexical:
        return make_grader(None)
    from interviewer.settings import get_settings

    return make_grader(args.model or get_settings().model)


def code_version() -> str:
    """A hash of the grader package's code and calibration.json: a change to either re-grades."""
    import interviewer.grader as pkg

    digest = hashlib.sha256()
    for path in sorted(Path(pkg.__file__).parent.iterdir()):
        if path.suffix in (".py", ".json"):
            digest.update(path.name.encode() + path.read_bytes())
    return digest.hexdigest()[:12]


def cache_key(grader: Grader, code: str, question, rec: dict) -> str:
    answer = hashlib.sha256(rec["answer"].encode()).hexdigest()[:12]
    return "|".join((grader.model_id, grader.prompt_version, rubric_for(question).version(), code, rec["id"], answer))


def read_cache() -> dict[str, dict]:
    """Cached grades by key; a torn last line (a run killed mid-write) is skipped and ended."""
    done = {}
    if CACHE.is_file():
        if not CACHE.read_bytes().endswith(b"\n") and CACHE.stat().st_size:
            with CACHE.open("a") as out:
                out.write("\n")
        for line in CACHE.read_text().splitlines():
            try:
                row = json.loads(line)
            except json.JSONDecodeError:
                continue
            done[row["key"]] = row["grade"]
    return done


def grade_all(recs: list[dict], grader: Grader, use_cache: bool) -> list[Grade]:
    bank = load_bank(include_user=False)
    code = code_version()
    done = read_cache() if use_cache else {}
    if use_cache:
        CACHE.parent.mkdir(parents=True, exist_ok=True)
    grades, fresh = [], 0
    for n, rec in enumerate(recs, 1):
        question = bank.get(rec["question_id"])
        key = cache_key(grader, code, question, rec)
        if key in done:
            grades.append(Grade.model_validate(done[key]))
            continue
        g = grader.grade(question, rec["answer"])
        grades.append(g)
        fresh += 1
        if use_cache:
            with CACHE.open("a") as out:
                out.write(json.dumps({"key": key, "grade": g.model_dump(mode="json")}) + "\n")
        if fresh % 25 == 0 or n == len(recs):
            print(f"  graded {n}/{len(recs)} ({g.seconds:.2f}s last)", file=sys.stderr, flush=True)
    print(f"  {fresh} graded now, {len(recs) - fresh} from the cache", file=sys.stderr)
    return grades


def table(header: list[str], rows: list[list]) -> str:
    fmt = lambda v: f"{v:.3f}" if isinstance(v, float) else str(v)  # noqa: E731
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    return "\n".join(lines + ["| " + " | ".join(fmt(v) for v in row) + " |" for row in rows])


def summary_table(recs: list[dict], grades: list[Grade], model_id: str) -> str:
    human = [r["grade"] for r in recs]
    score = [g.score for g in grades]
    secs = float(np.mean([g.seconds for g in grades]))
    row = [len(recs), pearson(score, human), spearman(score, human), rmse(score, human), secs, model_id]
    return table(["n", "Pearson r", "Spearman rho", "RMSE", "mean s/answer", "model"], [row])


def kind_table(recs: list[dict], grades: list[Grade]) -> str:
    rows = []
    for kind in KINDS:
        idx = [i for i, r in enumerate(recs) if r["kind"] == kind]
        if idx:
            rows.append([kind, len(idx), float(np.mean([recs[i]["grade"] for i in idx])),
                         float(np.mean([grades[i].score for i in idx]))])
    return table(["kind", "n", "mean human grade", "mean grader score"], rows)


def ordering_table(recs: list[dict], grades: list[Grade]) -> str:
    human, score = {}, {}
    for r, g in zip(recs, grades):
        human.setdefault(r["question_id"], {})[r["kind"]] = r["grade"]
        score.setdefault(r["question_id"], {})[r["kind"]] = g.score
    rows = []
    for label, chain in ORDERINGS:
        qs = [q for q in score if all(k in score[q] for k in chain)]
        holds = lambda by, q: all(by[q][a] > by[q][b] for a, b in zip(chain, chain[1:]))  # noqa: E731
        rows.append([label, len(qs), sum(holds(score, q) for q in qs) / max(len(qs), 1),
                     sum(holds(human, q) for q in qs) / max(len(qs), 1)])
    return table(["ordering (strict)", "questions", "share, grader", "share, human grades"], rows)


def verdict_pairs(recs: list[dict], grades: list[Grade], kind: str, core_only: bool) -> tuple[list, list]:
    """(grader verdicts, human verdicts) of every criterion with a human verdict, for one kind or "all"."""
    ours, theirs = [], []
    for r, g in zip(recs, grades):
        if kind not in ("all", r["kind"]):
            continue
        for c in g.criteria:
            human = r["verdicts"].get(c.criterion_id)
            if human is not None and (c.core or not core_only):
                ours.append(c.verdict.value)
                theirs.append(human)
    return ours, theirs


def shares(values: list[str]) -> list:
    return [sum(v == name for v in values) / len(values) if values else "-" for name in VERDICTS]


def verdict_table(recs: list[dict], grades: list[Grade]) -> str:
    rows = []
    for kind in KINDS:
        ours, theirs = verdict_pairs(recs, grades, kind, core_only=False)
        core_ours, core_theirs = verdict_pairs(recs, grades, kind, core_only=True)
        if ours:
            rows.append([kind, "grader", len(ours), *shares(ours), *shares(core_ours)])
            rows.append([kind, "human", len(theirs), *shares(theirs), *shares(core_theirs)])
    head = ["kind", "verdicts by", "criteria", *VERDICTS, *(f"core {v}" for v in VERDICTS)]
    return table(head, rows)


def cohen_kappa(a: list[str], b: list[str]) -> float:
    if not a:
        return float("nan")
    observed = sum(x == y for x, y in zip(a, b)) / len(a)
    expected = sum((a.count(v) / len(a)) * (b.count(v) / len(b)) for v in set(a) | set(b))
    return float((observed - expected) / (1 - expected)) if expected < 1 else float("nan")


def exact(a: list[str], b: list[str]) -> float:
    return sum(x == y for x, y in zip(a, b)) / len(a) if a else float("nan")


def agreement_table(recs: list[dict], grades: list[Grade]) -> str:
    rows = []
    for kind in (*KINDS, "all"):
        ours, theirs = verdict_pairs(recs, grades, kind, core_only=False)
        core_ours, core_theirs = verdict_pairs(recs, grades, kind, core_only=True)
        if ours:
            rows.append([kind, len(ours), exact(ours, theirs), cohen_kappa(ours, theirs),
                         len(core_ours), exact(core_ours, core_theirs), cohen_kappa(core_ours, core_theirs)])
    return table(["kind", "criteria", "exact match", "Cohen's kappa", "core criteria", "core exact", "core kappa"], rows)


def dump(path: Path, recs: list[dict], grades: list[Grade]) -> None:
    with path.open("w") as out:
        for r, g in zip(recs, grades):
            criteria = [{"criterion_id": c.criterion_id, "weight": c.weight, "core": c.core, "verdict": c.verdict.value,
                         "human_verdict": r["verdicts"].get(c.criterion_id), "credit": c.score, "signals": c.signals}
                        for c in g.criteria]
            out.write(json.dumps({"id": r["id"], "question_id": r["question_id"], "kind": r["kind"],
                                  "model_id": g.model_id,
                                  "split": r["split"], "human": r["grade"], "score": g.score,
                                  "flags": [f.value for f in g.flags], "criteria": criteria}) + "\n")


def main() -> None:
    args = parse_args()
    recs = select(load_answers(), args.split, args.limit, args.every)
    if not recs:
        sys.exit("no answers selected")
    grader = grader_for(args)
    grades = grade_all(recs, grader, use_cache=not args.no_cache)
    if args.dump:
        dump(args.dump, recs, grades)
    n_q = len({r["question_id"] for r in recs})
    print(f"`python {shlex.join(sys.argv)}`\n")
    print(f"split {args.split}: {n_q} questions, {len(recs)} answers; model {grader.model_id}, "
          f"prompt {grader.prompt_version}\n")
    sections = [("Score vs human grade", summary_table(recs, grades, grader.model_id)),
                ("Per answer kind", kind_table(recs, grades)),
                ("Orderings within a question", ordering_table(recs, grades)),
                ("Verdict distribution (share of criteria)", verdict_table(recs, grades)),
                ("Verdict agreement with the human verdicts", agreement_table(recs, grades))]
    for title, text in sections:
        print(f"### {title}\n\n{text}\n")


if __name__ == "__main__":
    main()
