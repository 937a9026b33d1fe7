"""Collect candidate model signals for the grader on the interview answer set, to decide which to ship.

    python bench/probe_signals.py --split dev --every 3 --out bench/results/probe_dev.jsonl
    python bench/probe_signals.py --split heldout --out bench/results/probe_heldout.jsonl
    python bench/probe_signals.py --to-dump bench/results/probe_dev.jsonl > bench/results/probe_dev_dump.jsonl

Per answer, from one evaluation of the grading prompt's shared part (question, rubric, answer), three suffixes:
- `p_yes`: the shipped one-pass judgement, P(Yes) that the answer makes key point k correctly;
- `p_wrong`: P(Yes) that the answer states something wrong about key point k (a contradiction check);
- `overall`: the distribution over a 1-5 overall rating.
Per question, the same for two anchors: a content-free answer ("I don't know.") and the reference answer.
Rows are appended as they are made, so a killed run resumes. Nothing here is fitted; see bench/calibrate.py.

`p_says` is the prompt the grader ships (prompts/grade_point.j2: one prompt per point, the point after the
answer). `--to-dump` turns a probe file into bench/ordering.py's dump format, with the grader's own signal
functions (coverage, overlap, gain against the "I don't know." anchor), for bench/calibrate.py.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from answers_data import load_answers  # noqa: E402

from interviewer.bank.storage import load_bank  # noqa: E402
from interviewer.grader.grader import rubric_for  # noqa: E402
from interviewer.grader.sanitize import screen  # noqa: E402
from interviewer.grading import make_grader  # noqa: E402
from interviewer.llm.base import CACHE_BREAK  # noqa: E402

WRONG = ("Now check each key point above for errors: does the answer state something wrong, reversed or "
         "contradictory about it? Reply with one line per key point: its number, a colon, then Yes if the answer "
         "states something wrong about that point, No if it does not (or does not mention it).")
OVERALL = ("How well does the answer make the key points above, correctly and in substance? Reply with one digit: "
           "1 (makes none of them, or gets them wrong), 2, 3, 4 or 5 (makes all of them correctly).")
NULL_ANSWER = "I don't know."
SAYS_SYSTEM = "You are a senior interviewer checking a candidate's answer against the key points of a strong answer."
SAYS = 'Does this answer say the following? "{point}"\nReply Yes or No.'
FULL = False  # p_wrong and overall: measured flat across answer kinds on rag-embeddings-01, so off by default


def with_instruction(messages: list[dict], instruction: str) -> list[dict]:
    head, _, _ = messages[1]["content"].rpartition(CACHE_BREAK)
    return [messages[0], {"role": "user", "content": head + CACHE_BREAK + "\n" + instruction}]


def probe(grader, question, answer: str) -> dict:
    rubric = rubric_for(question)
    text = screen(answer).text or NULL_ANSWER
    crit = list(rubric.criteria)
    messages = grader.messages(question, text)
    steps = [("" if k == 0 else "\n") + f"{k}:" for k in range(1, len(crit) + 1)]
    model = grader.model
    p_yes = [p["Yes"] for p in model.choose_each(messages, steps, ["Yes", "No"])]
    out = {"criteria": [c.id for c in crit], "p_yes": p_yes}
    if FULL:
        out["p_wrong"] = [p["Yes"] for p in model.choose_each(with_instruction(messages, WRONG), steps, ["Yes", "No"])]
        out["overall"] = model.choose(with_instruction(messages, OVERALL), ["1", "2", "3", "4", "5"])
    # The point after the answer, one prompt per point: the answer is shared, each point is a short suffix.
    head = f"Interview question: {question.question}\n\nCandidate's answer:\n<answer>\n{text}\n</answer>{CACHE_BREAK}\n\n"
    out["p_says"] = [model.choose([{"role": "system", "content": SAYS_SYSTEM},
                                   {"role": "user", "content": head + SAYS.format(point=c.point)}], ["Yes", "No"])["Yes"]
                     for c in crit]
    return out


def to_dump(path: Path) -> None:
    """Print ordering.py-style rows (one per answer) with the grader's signals, from a probe file."""
    from interviewer.grader.signals import explained_coverage, list_likeness, model_gain, source_overlap
    from interviewer.grader.text import content_stems

    rows = [json.loads(line) for line in path.read_text().splitlines() if line.strip()]
    null = {r["question_id"]: r for r in rows if r["kind"] == "anchor_null"}
    answers = {r["id"]: r for r in load_answers()}
    bank = load_bank(include_user=False)
    for r in rows:
        if r["kind"].startswith("anchor") or r["question_id"] not in null:
            continue
        text = screen(answers[r["id"]]["answer"]).text
        stems, prose = content_stems(text), 1.0 - list_likeness(text)
        criteria = []
        for c in rubric_for(bank.get(r["question_id"])).criteria:
            k, p_null = r["criteria"].index(c.id), null[r["question_id"]]["p_says"][r["criteria"].index(c.id)]
            sig = {"coverage": explained_coverage(text, c), "overlap": source_overlap(stems, c),
                   "p_yes": r["p_says"][k], "p_null": p_null, "gain": model_gain(r["p_says"][k], p_null, prose)}
            criteria.append({"criterion_id": c.id, "weight": c.weight, "core": c.core,
                             "human_verdict": r["verdicts"].get(c.id), "signals": sig})
        print(json.dumps({"id": r["id"], "question_id": r["question_id"], "kind": r["kind"], "split": r["split"],
                          "model_id": "local:qwen2.5-coder-1.5b via bench/probe_signals.py", "human": r["human"], "criteria": criteria}))


def main() -> None:
    if sys.argv[1:2] == ["--to-dump"]:
        return to_dump(Path(sys.argv[2]))
    ap = argparse.ArgumentParser()
    ap.add_argument("--split", choices=("dev", "heldout"), required=True)
    ap.add_argument("--every", type=int, default=1, help="every k-th question of the split (sorted by id)")
    ap.add_argument("--model", default="local:qwen2.5-coder-1.5b")
    ap.add_argument("--out", type=Path, required=True)
    args = ap.parse_args()
    recs = [r for r in load_answers() if r["split"] == args.split]
    qids = sorted({r["question_id"] for r in recs})[::args.every]
    done = set()
    if args.out.is_file():
        done = {json.loads(line)["id"] for line in args.out.read_text().splitlines() if line.strip()}
    bank = load_bank(include_user=False)
    grader = make_grader(args.model)
    with args.out.open("a") as out:
        for qid in qids:
            question = bank.get(qid)
            jobs = [(f"{qid}/@null", "anchor_null", NULL_ANSWER, None),
                    (f"{qid}/@reference", "anchor_reference", question.reference_answer, None)]
            jobs += [(r["id"], r["kind"], r["answer"], r) for r in recs if r["question_id"] == qid]
            for rid, kind, answer, rec in jobs:
                if rid in done:
                    continue
                start = time.perf_counter()
                row = {"id": rid, "question_id": qid, "kind": kind, "split": args.split,
                       "human": rec["grade"] if rec else None, "verdicts": rec["verdicts"] if rec else None,
                       **probe(grader, question, answer), "seconds": round(time.perf_counter() - start, 2)}
                out.write(json.dumps(row) + "\n")
                out.flush()
            print(f"{qid} done", file=sys.stderr, flush=True)


if __name__ == "__main__":
    main()
