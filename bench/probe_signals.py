"""Collect candidate model signals for the grader on the interview answer set, to decide which to ship.

    python bench/probe_signals.py --split dev --every 4 --out bench/results/probe_dev.jsonl
    python bench/probe_signals.py --ablation bench/probe/dev_every4.jsonl
    python bench/probe_signals.py --to-dump bench/probe/dev_every4.jsonl > bench/results/probe_dev_dump.jsonl

Collecting: per answer, `p_says`, the model's P(Yes) for each key point with the point asked after the answer
(today's grader prompt, Grader.p_yes); per question, the same for two anchors: a content-free answer
("I don't know.") and the reference answer. Rows are appended as they are made, so a killed run resumes.

bench/probe/dev_every4.jsonl is the probe that decided grader v2 (every 4th development question, 84 answers):
it was collected before that change, on the grader of commit 01495e9, so it also holds that grader's one-pass
P(Yes) (`p_yes`: the whole rubric before the answer, "1: Yes/No" point by point), which this script no longer
computes, and its `p_says` used a system prompt without today's sentence about untrusted data (the shipped
grader's signals correlate with it at r 0.95). Two more one-pass questions asked after the answer on
rag-embeddings-01 ("does the answer state something wrong about point k", and an overall 1-5 rating) were flat
across the six answer kinds and were dropped there.

`--ablation` prints what each step of the model signal adds (maps fitted out-of-fold by question); `--to-dump`
turns a probe file into bench/ordering.py's dump format with the grader's own signal functions, for
bench/calibrate.py.
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

NULL_ANSWER = "I don't know."


def probe(grader, question, answer: str) -> dict:
    text = screen(answer).text or NULL_ANSWER
    crit = list(rubric_for(question).criteria)
    return {"criteria": [c.id for c in crit], "p_says": [grader.p_yes(question, text, c) for c in crit]}


def signal_rows(path: Path) -> list[dict]:
    """bench/ordering.py-style rows (one per answer) from a probe file, with the grader's own signal functions:
    coverage, overlap, p_yes (the per-point P(Yes)), p_null, gain, and for the ablation one_pass (the probe's
    one-pass P(Yes)), says_anchored (gain without the prose share) and says_min_max (between the two anchors)."""
    from interviewer.grader.signals import (explained_coverage, explaining_text, list_likeness, model_gain,
                                            source_overlap)
    from interviewer.text import content_stems

    rows = [json.loads(line) for line in path.read_text().splitlines() if line.strip()]
    anchors = {(r["question_id"], r["kind"]): r for r in rows if r["kind"].startswith("anchor")}
    answers = {r["id"]: r for r in load_answers()}
    bank = load_bank(include_user=False)
    out = []
    for r in rows:
        if r["kind"].startswith("anchor"):
            continue
        null, ref = anchors[(r["question_id"], "anchor_null")], anchors[(r["question_id"], "anchor_reference")]
        text = screen(answers[r["id"]]["answer"]).text
        stems, prose = content_stems(explaining_text(text)), 1.0 - list_likeness(text)  # overlap outside bare lists
        criteria = []
        for c in rubric_for(bank.get(r["question_id"])).criteria:
            k = r["criteria"].index(c.id)
            says, says0, says1 = r["p_says"][k], null["p_says"][k], ref["p_says"][k]
            sig = {"coverage": explained_coverage(text, c), "overlap": source_overlap(stems, c), "p_yes": says,
                   "p_null": says0, "gain": model_gain(says, says0, prose),
                   "says_anchored": model_gain(says, says0, 1.0),
                   "says_min_max": min(2.0, max(0.0, (says - says0) / max(says1 - says0, 0.05)))}
            if "p_yes" in r:
                sig["one_pass"] = r["p_yes"][k]
            criteria.append({"criterion_id": c.id, "weight": c.weight, "core": c.core,
                             "human_verdict": r["verdicts"].get(c.id), "signals": sig})
        out.append({"id": r["id"], "question_id": r["question_id"], "kind": r["kind"], "split": r["split"],
                    "model_id": "local:qwen2.5-coder-1.5b via bench/probe_signals.py", "human": r["human"],
                    "criteria": criteria})
    return out


def to_dump(path: Path) -> None:
    for row in signal_rows(path):
        print(json.dumps(row))


def ablation(path: Path) -> None:
    """What each step of the model signal adds, on the probed answers: maps fitted out-of-fold by question
    (bench/calibrate.py's fit), one table row per signal."""
    from calibrate import ORDERINGS, orderings, out_of_fold
    from stats import pearson

    dump = signal_rows(path)
    steps = [("one-pass P(Yes) (the grader before), + coverage + overlap", ("one_pass", "coverage", "overlap")),
             ("per-point P(Yes), point after the answer", ("p_yes",)),
             ("  - anchored: log-odds over 'I don't know.'", ("says_anchored",)),
             ("  - anchored, x prose share = `gain` (shipped)", ("gain",)),
             ("  - `gain` + coverage + overlap", ("gain", "coverage", "overlap")),
             ("  - min-max between 'I don't know.' and the reference answer", ("says_min_max",))]
    y = [r["human"] for r in dump]
    print(f"{len(dump)} answers, {len({r['question_id'] for r in dump})} questions; maps fitted out-of-fold by "
          "question (5 folds, least squares through the origin)\n")
    print("| model signal | Pearson r | " + " | ".join(label for label, _ in ORDERINGS) + " |")
    print("|---|---|" + "---|" * len(ORDERINGS))
    for label, names in steps:
        s = out_of_fold(dump, names)
        print(f"| {label} | {pearson(s, y):.3f} | " + " | ".join(f"{v:.0%}" for v in orderings(dump, s)) + " |")
    print("\nMean per kind (weight-averaged over points):\n")
    kinds = ("strong", "paraphrase", "partial", "keyword_list", "wrong_facts", "wrong")
    print("| signal | " + " | ".join(kinds) + " |\n|---|" + "---|" * len(kinds))
    for f in ("one_pass", "p_yes", "says_anchored", "gain", "coverage"):
        means = []
        for kind in kinds:
            vals = [sum(c["weight"] * c["signals"][f] for c in r["criteria"]) / sum(c["weight"] for c in r["criteria"])
                    for r in dump if r["kind"] == kind]
            means.append(f"{sum(vals) / len(vals):.2f}")
        print(f"| {f} | " + " | ".join(means) + " |")


def main() -> None:
    if sys.argv[1:2] == ["--to-dump"]:
        return to_dump(Path(sys.argv[2]))
    if sys.argv[1:2] == ["--ablation"]:
        return ablation(Path(sys.argv[2]))
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
