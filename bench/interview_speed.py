"""Seconds to grade one interview-length answer (about 150 words) against a bank rubric, and where they go.

    python bench/interview_speed.py [--model local:qwen2.5-coder-1.5b] [--repeat 1]

The answers are the test suite's strong answers plus each question's reference answer cut to ~150 words,
for a dozen bank questions. Prints per-answer seconds (median, p90), model calls, and new vs. cached prompt tokens.
"""

from __future__ import annotations

import argparse
import statistics
import time

import numpy as np
from sample_answers import ANSWERS

from interviewer.bank.models import strip_markdown
from interviewer.bank.storage import load_bank
from interviewer.grading import make_grader

QUESTIONS = ["ml-fundamentals-02", "deep-learning-01", "transformers-llms-01", "transformers-llms-08",
             "rag-embeddings-02", "fine-tuning-01", "agents-tool-use-01", "vector-databases-01", "mlops-02"]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--model", default="local:qwen2.5-coder-1.5b")
    args = ap.parse_args()
    bank = load_bank(include_user=False)
    cases = [(bank.get(qid), a["strong"]) for qid, a in ANSWERS.items()]
    for qid in QUESTIONS:
        q = bank.get(qid)
        prose = " ".join(line for line in strip_markdown(q.reference_answer).splitlines()
                         if line.strip() and not line.lstrip().startswith(("#", "from ", "import ")))
        cases.append((q, " ".join(prose.split()[:150])))
    grader = make_grader(args.model)
    model = grader.model
    rows = []
    for q, answer in cases:
        s0 = (model.stats.calls, model.stats.prompt_tokens, model.stats.cached_tokens)
        start = time.perf_counter()
        g = grader.grade(q, answer)
        secs = time.perf_counter() - start
        s1 = (model.stats.calls, model.stats.prompt_tokens, model.stats.cached_tokens)
        rows.append((q.id, len(answer.split()), len(g.criteria), secs, s1[0] - s0[0], s1[1] - s0[1], s1[2] - s0[2],
                     g.score))
    print(f"model {model.model_id}, {len(rows)} answers\n")
    print("| question | words | criteria | seconds | model calls | new prompt tokens | cached tokens | score |")
    print("|---|---|---|---|---|---|---|---|")
    for r in rows:
        print(f"| {r[0]} | {r[1]} | {r[2]} | {r[3]:.2f} | {r[4]} | {r[5]} | {r[6]} | {r[7]:.1f} |")
    secs = [r[3] for r in rows]
    new = sum(r[5] for r in rows)
    print(f"\nseconds per answer: median {statistics.median(secs):.2f}, p90 {np.percentile(secs, 90):.2f}; "
          f"new prompt tokens per answer {new / len(rows):.0f} (effective {new / sum(secs):.0f} tok/s); "
          f"generated tokens: 0 (each decision reads one next-token distribution)")


if __name__ == "__main__":
    main()
