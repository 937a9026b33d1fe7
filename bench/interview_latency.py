"""The wait a candidate sees: seconds from submitting an answer to the interviewer's next message, through the
code path the browser UI uses (ui.service.Service: ownership check, session lock, graph invoke, grade, reply).

    python bench/interview_latency.py [--model local:qwen2.5-coder-1.5b] [--questions 6] [--interviews 2] [--typing 60]

Each ~150-word answer (a reference answer cut to 150 words) is "typed": the drafts the UI sends while the
candidate types (every --draft-words words, the last one the whole answer) reach Service.warm, spread over
--typing seconds of a typist's time; --review seconds after the last word the answer is submitted and the wait
is timed. As in the browser, drafts go to the server from a background sender, one at a time, the latest
winning, and the typist never waits for them: a submit can arrive while the server is still working on a
draft. With --no-drafts nothing is read ahead (a client that sends no drafts). Prints per-answer waits, and the
first answer of each interview against the later answers' median: the first interview runs on a fresh server
(the model loaded by its start), the next ones on the same warm process. Review grades run as in the product
(in the background once a question is settled; INTERVIEWER_REVIEW=0 turns them off): the last answer's wait is
the wait for the report, which waits up to 10 s for the last reviews; the last column says how many of the
report's questions had their review grade by then.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import threading
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


class DraftSender:
    """The browser's draft channel: one request at a time, the latest draft replacing any not yet sent."""

    def __init__(self, service, sid: str, token: str) -> None:
        self.service, self.sid, self.token = service, sid, token
        self.latest: str | None = None
        self.tokens = 0
        self.closed = False
        self.cond = threading.Condition()
        self.thread = threading.Thread(target=self.run, daemon=True)
        self.thread.start()

    def send(self, draft: str) -> None:
        with self.cond:
            self.latest = draft
            self.cond.notify()

    def run(self) -> None:
        while True:
            with self.cond:
                while self.latest is None and not self.closed:
                    self.cond.wait()
                if self.latest is None:
                    return
                draft, self.latest = self.latest, None
            self.tokens += self.service.warm(self.sid, self.token, draft)

    def stop(self) -> int:
        """Stop sending (a draft being worked on goes on in the background, as on a server). Returns the
        tokens read ahead so far."""
        with self.cond:
            self.closed = True
            self.latest = None
            self.cond.notify()
        return self.tokens


def run_interview(service, config, args, label: str) -> list[tuple]:
    """One interview through the service; a row per answer: (interview, question, words, criteria, tokens
    read ahead, wait, score)."""
    view, reply = service.start(config)
    sid, token = view.session_id, view.token
    rows = []
    while not view.done:
        q = service.bank.get(view.status.question_id)
        words = answer_for(q).split()
        sender = DraftSender(service, sid, token)
        if not args.no_drafts:
            steps = sorted(set(range(args.draft_words, len(words), args.draft_words)) | {len(words)})
            pause = args.typing / max(1, len(steps))
            for n in steps:
                time.sleep(pause)  # the typist's time
                sender.send(" ".join(words[:n]))
        time.sleep(args.review)
        warm_tokens = sender.stop()
        start = time.perf_counter()
        view, reply = service.answer(sid, token, " ".join(words))
        wait = time.perf_counter() - start
        reviewed = "-"
        if view.done:  # the last answer's wait includes the report's wait for the last reviews (<= REPORT_WAIT_S)
            report = view.report
            reviewed = f"{sum(1 for x in report['questions'] if x['reviewed'])}/{len(report['questions'])}"
        rows.append((label, q.id, len(words), len(q.rubric.criteria), warm_tokens, wait, reply.score, reviewed))
    return rows


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--model", default="local:qwen2.5-coder-1.5b")
    ap.add_argument("--questions", type=int, default=6)
    ap.add_argument("--interviews", type=int, default=2,
                    help="interviews run one after another in this process: the first on a fresh server")
    ap.add_argument("--typing", type=float, default=60.0, help="seconds a candidate spends typing one answer")
    ap.add_argument("--draft-words", type=int, default=15)
    ap.add_argument("--review", type=float, default=2.0, help="seconds from the last word typed to the submit")
    ap.add_argument("--no-drafts", action="store_true")
    args = ap.parse_args()
    os.environ.setdefault("INTERVIEWER_HOME", tempfile.mkdtemp(prefix="latency-"))

    from interviewer.engine import InterviewConfig
    from interviewer.settings import Settings
    from interviewer.ui.service import Service

    service = Service(Settings(model=args.model))
    rows = []
    for i in range(args.interviews):
        config = InterviewConfig(questions=args.questions, max_followups=0, seed=11 + i, model=args.model)
        rows += run_interview(service, config, args, "fresh server" if i == 0 else f"warm server #{i + 1}")
    mode = ("no drafts" if args.no_drafts else f"drafts every {args.draft_words} words over {args.typing:.0f} s")
    mode += f", submitted {args.review:g} s after the last word"
    print(f"python bench/interview_latency.py --model {args.model} --questions {args.questions} --interviews "
          f"{args.interviews}{' --no-drafts' if args.no_drafts else f' --typing {args.typing:g} --draft-words {args.draft_words}'}"
          f" --review {args.review:g}\n")
    print(f"{args.model}, {mode}\n")
    print("| interview | question | words | criteria | tokens read ahead | submit to reply s | live score | "
          "reviewed in the report |")
    print("|---|---|---|---|---|---|---|---|")
    for r in rows:
        print(f"| {r[0]} | {r[1]} | {r[2]} | {r[3]} | {r[4]} | {r[5]:.2f} | {r[6] if r[6] is None else f'{r[6]:.1f}'} "
              f"| {r[7]} |")
    firsts = {}
    later = []
    for r in rows:
        if r[0] not in firsts:
            firsts[r[0]] = r[5]
        else:
            later.append(r[5])
    base = statistics.median(later) if later else float("nan")
    print("\n| answer | submit to reply s | x later median |\n|---|---|---|")
    for label, wait in firsts.items():
        print(f"| first answer, {label} | {wait:.2f} | {wait / base:.2f} |")
    if later:
        print(f"| later answers (median of {len(later)}; p90 {np.percentile(later, 90):.2f} s) | {base:.2f} | 1.00 |")


if __name__ == "__main__":
    main()
