"""The interview answer set in bench/answers/: load, validate, and split it.

    from answers_data import load_answers, KINDS    # with bench/ on sys.path
    python bench/answers_data.py                     # validate and print counts
    python bench/answers_data.py --write-split       # rewrite split.json (deterministic)
"""

from __future__ import annotations

import hashlib
import json
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent / "answers"
KINDS = ("strong", "paraphrase", "partial", "keyword_list", "wrong_facts", "wrong",
         # v3 (issue 17): graded variety within kinds, and answers whose one error must be caught
         "mixed", "terse", "verbose")
#: "wrong": the answer states the point wrongly (contradicts the reference), which is worse than silence.
VERDICTS = ("met", "partial", "missed", "wrong")
FIELDS = ("id", "question_id", "kind", "answer", "grade", "verdicts", "note")
#: Kinds whose record names its planted error(s) in `errors`: [{quote, correction, reference}].
ERROR_KINDS = ("mixed",)
HELDOUT_SHARE = 1 / 3
SPLIT_METHOD = ("Question-disjoint and stratified by category: within each category the question ids are ordered by "
                "sha256(question_id) hex digest and the first round(n/3) go to heldout, the rest to dev.")


class AnswerSetError(ValueError):
    pass


def category_of(question_id: str) -> str:
    return re.sub(r"-\d+$", "", question_id)


def make_split(question_ids) -> dict:
    """The fixed split: per category, ids ordered by sha256, the first third held out."""
    by_cat: dict[str, list[str]] = {}
    for qid in sorted(set(question_ids)):
        by_cat.setdefault(category_of(qid), []).append(qid)
    heldout = []
    for ids in by_cat.values():
        ordered = sorted(ids, key=lambda q: hashlib.sha256(q.encode()).hexdigest())
        heldout += ordered[:round(len(ids) * HELDOUT_SHARE)]
    dev = [q for q in sorted(set(question_ids)) if q not in heldout]
    return {"method": SPLIT_METHOD, "dev": dev, "heldout": sorted(heldout)}


def load_split(root: Path) -> dict[str, str]:
    """question id -> "dev" | "heldout"."""
    data = json.loads((root / "split.json").read_text())
    side = {q: "dev" for q in data["dev"]}
    for q in data["heldout"]:
        if q in side:
            raise AnswerSetError(f"{root / 'split.json'}: {q} is in both dev and heldout")
        side[q] = "heldout"
    return side


def check_record(rec: dict, bank) -> None:
    """Raise AnswerSetError (message without location) on a bad record."""
    missing = [f for f in FIELDS if f not in rec]
    if missing:
        raise AnswerSetError(f"missing fields {missing}")
    if rec["kind"] not in KINDS:
        raise AnswerSetError(f"kind {rec['kind']!r} is not one of {KINDS}")
    if rec["id"] != f"{rec['question_id']}/{rec['kind']}":
        raise AnswerSetError(f"id {rec['id']!r} should be '{rec['question_id']}/{rec['kind']}'")
    if not isinstance(rec["grade"], (int, float)) or not 0 <= rec["grade"] <= 10:
        raise AnswerSetError(f"grade {rec['grade']!r} is not a number in 0-10")
    try:
        question = bank.get(rec["question_id"])
    except Exception:
        raise AnswerSetError(f"question {rec['question_id']!r} is not in the shipped bank") from None
    criteria = {c.id for c in question.rubric.criteria} if question.rubric else set()
    for cid, verdict in rec["verdicts"].items():
        if verdict not in VERDICTS:
            raise AnswerSetError(f"verdict {verdict!r} for {cid} is not one of {VERDICTS}")
        if cid not in criteria:
            raise AnswerSetError(f"criterion {cid!r} is not in the rubric of {rec['question_id']}")
    errors = rec.get("errors", [])
    if rec["kind"] in ERROR_KINDS and not errors:
        raise AnswerSetError(f"a {rec['kind']} answer names its planted error in `errors`")
    for err in errors:
        if not isinstance(err, dict) or set(err) != {"quote", "correction", "reference"}:
            raise AnswerSetError("each error is {quote, correction, reference}")
        if err["quote"] not in rec["answer"]:
            raise AnswerSetError(f"error quote {err['quote'][:40]!r} is not in the answer")
        if err["reference"] not in question.reference_answer and not any(
                err["reference"] in (c.source or "") for c in question.rubric.criteria):
            raise AnswerSetError(f"error reference {err['reference'][:40]!r} is not in the reference answer")


def load_answers(root: Path | str | None = None) -> list[dict]:
    """All records of root/*.jsonl, each with "category" and "split" added; validated."""
    from interviewer.bank.storage import load_bank

    root = Path(root) if root is not None else ROOT
    bank = load_bank(include_user=False)
    side = load_split(root)
    records, seen = [], set()
    for path in sorted(root.glob("*.jsonl")):
        for lineno, line in enumerate(path.read_text().splitlines(), 1):
            if not line.strip():
                continue
            where = f"{path}:{lineno}"
            try:
                rec = json.loads(line)
                check_record(rec, bank)
            except (json.JSONDecodeError, AnswerSetError) as e:
                raise AnswerSetError(f"{where}: {e}") from None
            if rec["id"] in seen:
                raise AnswerSetError(f"{where}: duplicate id {rec['id']!r}")
            if rec["question_id"] not in side:
                raise AnswerSetError(f"{where}: question {rec['question_id']!r} is in neither side of split.json")
            seen.add(rec["id"])
            records.append({**rec, "category": category_of(rec["question_id"]), "split": side[rec["question_id"]]})
    return records


def main() -> None:
    if "--write-split" in sys.argv[1:]:
        ids = {json.loads(line)["question_id"] for p in ROOT.glob("*.jsonl")
               for line in p.read_text().splitlines() if line.strip()}
        (ROOT / "split.json").write_text(json.dumps(make_split(ids), indent=2) + "\n")
    recs = load_answers()
    for name in ("dev", "heldout"):
        part = [r for r in recs if r["split"] == name]
        print(f"{name}: {len({r['question_id'] for r in part})} questions, {len(part)} answers")


if __name__ == "__main__":
    main()
