"""Does appending the rubric's key terms to a weak answer raise its score? Prints a table; asserts nothing.

    python bench/stuffing.py                                  # lexical grader, every bank question
    python bench/stuffing.py --model local:qwen2.5-coder-1.5b --questions 3

bench/README.md's tables (Keyword stuffing) came from
`python bench/stuffing.py --save bench/results/stuffing-before.json` on the parent commit of the stuffing defence,
then `python bench/stuffing.py --before bench/results/stuffing-before.json` on it (and the same two with
`--model local:qwen2.5-coder-1.5b --questions 3`).

For each question of the shipped bank (or an evenly spaced sample of --questions N), the honest weak answer is
the first 25 words of the reference answer, and each attack appends to it the first term of every key-term
group of the rubric (the key terms are public: `interviewer bank show`, the report):

- `also-list`:    weak + " Also: " + "a, b, c, ..."            (the attack of issue 19)
- `also-newline`: weak + "\\nAlso: " + "a, b, c, ..."           (the list on a line of its own)
- `and-list`:     weak + " It involves a, b, ... and z."         (the list worded as a sentence)
- `salad`:        weak + " " + "a b c ..."                       (the terms with no punctuation at all)

A stuffed answer "gains" when it scores more than 1.0 above the weak one. Then, for the strong, paraphrase,
partial and keyword_list answers of the interview answer set (bench/answers) to the same questions, the mean
score change against the numbers recorded before the stuffing defence (--before FILE, written by --save FILE)
shows what the defence costs honest answers (and that a bare list gains nothing).
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from answers_data import load_answers  # noqa: E402

from interviewer.bank.storage import load_bank  # noqa: E402
from interviewer.grader.grader import rubric_for  # noqa: E402
from interviewer.grading import make_grader  # noqa: E402

WEAK_WORDS = 25
GAIN = 1.0
KINDS = ("strong", "paraphrase", "partial", "keyword_list")  # answer-set kinds whose scores are compared


def weak_answer(question) -> str:
    return " ".join(question.reference_answer.split()[:WEAK_WORDS])


def first_terms(question) -> list[str]:
    return [group[0] for c in rubric_for(question).criteria for group in c.key_terms]


ATTACKS = {
    "also-list": lambda weak, terms: weak + " Also: " + ", ".join(terms),
    "also-newline": lambda weak, terms: weak + "\nAlso: " + ", ".join(terms),
    "and-list": lambda weak, terms: weak + " It involves " + ", ".join(terms[:-1]) + " and " + terms[-1] + ".",
    "salad": lambda weak, terms: weak + " " + " ".join(terms),
}


def sample(items: list, n: int | None) -> list:
    if not n or n >= len(items):
        return items
    step = len(items) / n
    return [items[int(i * step)] for i in range(n)]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--model", default=None, help="a model name; default: the lexical (model-free) grader")
    ap.add_argument("--questions", type=int, default=None, help="an evenly spaced sample of N bank questions")
    ap.add_argument("--save", type=Path, help="write the strong/paraphrase scores to this JSON file")
    ap.add_argument("--before", type=Path, help="compare strong/paraphrase scores with this --save file")
    args = ap.parse_args()

    bank = load_bank(include_user=False)
    grader = make_grader(args.model)
    questions = sample(sorted(bank.categories_flat(), key=lambda q: q.id), args.questions)
    print(f"`python bench/stuffing.py {' '.join(sys.argv[1:])}` ({grader.model_id}; {len(questions)} questions)\n")

    weak = {q.id: grader.grade(q, weak_answer(q)) for q in questions}
    print("| answer | mean score | mean change | largest change | gains > +1.0 | keyword_list flag |")
    print("|---|---|---|---|---|---|")
    flagged = lambda g: any(f.value == "keyword_list" for f in g.flags)  # noqa: E731
    print(f"| weak (first {WEAK_WORDS} words of the reference) | "
          f"{statistics.mean(g.score for g in weak.values()):.2f} | | | | "
          f"{sum(map(flagged, weak.values()))}/{len(questions)} |")
    for name, attack in ATTACKS.items():
        grades = {q.id: grader.grade(q, attack(weak_answer(q), first_terms(q))) for q in questions}
        deltas = [grades[q.id].score - weak[q.id].score for q in questions]
        print(f"| {name} | {statistics.mean(g.score for g in grades.values()):.2f} | {statistics.mean(deltas):+.2f} | "
              f"{max(deltas):+.2f} | {sum(d > GAIN for d in deltas)}/{len(questions)} | "
              f"{sum(map(flagged, grades.values()))}/{len(questions)} |")

    ids = {q.id for q in questions}
    honest = [r for r in load_answers() if r["kind"] in KINDS and r["question_id"] in ids]
    graded = {r["id"]: grader.grade(bank.get(r["question_id"]), r["answer"]) for r in honest}
    scores = {rid: g.score for rid, g in graded.items()}
    if args.save:
        args.save.write_text(json.dumps({"model": grader.model_id, "scores": scores}, indent=1) + "\n")
    before = json.loads(args.before.read_text())["scores"] if args.before else {}
    print("\n| answer-set answers | n | mean score | mean change vs before | largest drop | drops > 0.5 | flagged |")
    print("|---|---|---|---|---|---|---|")
    for kind in KINDS:
        recs = [r for r in honest if r["kind"] == kind]
        if not recs:
            continue
        mean = statistics.mean(scores[r["id"]] for r in recs)
        changes = [scores[r["id"]] - before[r["id"]] for r in recs if r["id"] in before]
        change = f"{statistics.mean(changes):+.2f} | {min(changes):+.2f} | {sum(c < -0.5 for c in changes)}" \
            if changes else "n/a | n/a | n/a"
        flags = sum(flagged(graded[r["id"]]) for r in recs)
        print(f"| {kind} | {len(recs)} | {mean:.2f} | {change} | {flags}/{len(recs)} |")


if __name__ == "__main__":
    main()
