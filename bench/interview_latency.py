"""The wait a candidate sees: seconds from submitting an answer to the interviewer's next message, through the
code path the browser UI uses (ui.service.Service: ownership check, session lock, graph invoke, grade, reply).

    python bench/interview_latency.py [--model local:qwen2.5-coder-1.5b] [--questions 6] [--typing 60]

Each ~150-word answer (a reference answer cut to 150 words) is "typed": the drafts the UI sends while the
candidate types (every --draft-words words) reach Service.warm, spread over --typing seconds of a typist's time,
then the answer is submitted and the wait is timed. With --no-drafts nothing is read ahead (a client that sends
no drafts, or the terminal). Prints per-answer waits, median and p90.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def answer_for(question) -> str:
    from interviewer.bank.models import strip_markdown

    prose = " ".join(line for line in strip_markdown(question.reference_answer).splitlines()
                     if line.strip() and not line.lstrip().startswith(("#", "from ", "import ", "```")))
    return " ".join(prose.split()[:150])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--model", default="local:qwen2.5-coder-1.5b")
    ap.add_argument("--questions", type=int, default=6)
    ap.add_argument("--typing", type=float, default=60.0, help="seconds a candidate spends typing one answer")
    ap.add_argument("--draft-words", type=int, default=15)
    ap.add_argument("--no-drafts", action="store_true")
    args = ap.parse_args()
    os.environ.setdefault("INTERVIEWER_HOME", tempfile.mkdtemp(prefix="latency-"))

    from interviewer.engine import InterviewConfig
    from interviewer.settings import Settings
    from interviewer.ui.service import Service

    service = Service(Settings(model=args.model))
    config = InterviewConfig(questions=args.questions, max_followups=0, seed=11, model=args.model)
    view, reply = service.start(config)
    sid, token = view.session_id, view.token
    rows = []
    while not view.done:
        q = service.bank.get(view.status.question_id)
        words = answer_for(q).split()
        warm_tokens = 0
        if not args.no_drafts:
            steps = range(args.draft_words, len(words) + 1, args.draft_words)
            pause = args.typing / max(1, len(steps))
            for n in steps:
                t0 = time.perf_counter()
                warm_tokens += service.warm(sid, token, " ".join(words[:n]))
                time.sleep(max(0.0, pause - (time.perf_counter() - t0)))  # the typist's time, not the wait
        start = time.perf_counter()
        view, reply = service.answer(sid, token, " ".join(words))
        wait = time.perf_counter() - start
        rows.append((q.id, len(words), len(q.rubric.criteria), warm_tokens, wait, reply.score))
    mode = "no drafts" if args.no_drafts else f"drafts every {args.draft_words} words over {args.typing:.0f} s"
    print(f"python bench/interview_latency.py --model {args.model} --questions {args.questions}"
          f"{' --no-drafts' if args.no_drafts else f' --typing {args.typing:g} --draft-words {args.draft_words}'}\n")
    print(f"{args.model}, {mode}\n")
    print("| question | words | criteria | tokens read ahead | submit to reply s | score |")
    print("|---|---|---|---|---|---|")
    for r in rows:
        print(f"| {r[0]} | {r[1]} | {r[2]} | {r[3]} | {r[4]:.2f} | {r[5] if r[5] is None else f'{r[5]:.1f}'} |")
    waits = [r[4] for r in rows]
    print(f"\nsubmit to reply: median {statistics.median(waits):.2f} s, p90 {np.percentile(waits, 90):.2f} s")


if __name__ == "__main__":
    main()
