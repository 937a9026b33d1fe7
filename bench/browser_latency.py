"""The candidate's wait in a real browser: headless Chromium (Debian's, driven by Playwright) types each answer
into `interviewer ui` key by key, as a person at --wpm words per minute would (the page sends its drafts as it
types), clicks Submit, and the wait until the interviewer's next message appears is timed. The first answer of
the interview is reported against the later ones. Prints a table; asserts nothing.

    python bench/browser_latency.py [--model local:qwen2.5-coder-1.5b] [--questions 3] [--wpm 190]

Needs Debian's chromium (`make test` installs it). Uses a fresh user directory and a fresh server: the first
answer is that of a fresh server.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))

from interview_latency import answer_for  # noqa: E402
from ui_server import UIServer  # noqa: E402

ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run", "--disable-quic"]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--model", default="local:qwen2.5-coder-1.5b")
    ap.add_argument("--questions", type=int, default=3)
    ap.add_argument("--wpm", type=float, default=190)
    args = ap.parse_args()
    from playwright.sync_api import expect, sync_playwright

    from interviewer.bank.storage import load_bank

    bank = load_bank(include_user=False)
    home = Path(tempfile.mkdtemp(prefix="browser-latency-")) / "home"
    home.mkdir()
    server = UIServer(home, model=args.model, env={"INTERVIEWER_N_THREADS": "2"})
    delay_ms = 60_000 / (args.wpm * 6)  # ~6 characters a word, spaces included
    rows = []
    done: set[str] = set()
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=shutil.which("chromium"), args=ARGS)
            page = browser.new_page(viewport={"width": 1280, "height": 900})
            page.set_default_timeout(600_000)
            expect.set_options(timeout=600_000)
            page.goto(server.url)
            page.locator("#start-btn").wait_for()
            box = page.get_by_label("number input for Number of questions")
            box.fill(str(args.questions))
            box.press("Tab")
            page.get_by_text("More options").click()
            box = page.get_by_label("number input for Follow-ups per question at most")
            box.fill("0")
            box.press("Tab")
            page.click("#start-btn")
            for k in range(1, args.questions + 1):
                header = page.locator("#iv-header")
                expect(header).to_contain_text(f"Question {k} of {args.questions}")
                q = None
                while q is None:  # the question on screen: the bank question whose text appears last in the chat
                    shown = " ".join(page.locator("#chat").inner_text().split())
                    at = {qid: shown.rfind(" ".join(x.question.split())[:50]) for qid, x in bank.questions.items()}
                    last = max(at, key=lambda qid: at[qid])
                    q = bank.get(last) if at[last] >= 0 and last not in done else None
                    time.sleep(0.2)
                done.add(q.id)
                answer = answer_for(q)
                box = page.locator("#answer-box textarea")
                box.click()
                box.press_sequentially(answer, delay=delay_ms)
                time.sleep(2)  # reading it over before sending
                start = time.perf_counter()
                page.click("#submit-btn")
                if k < args.questions:
                    expect(header).to_contain_text(f"Question {k + 1} of {args.questions}")
                else:
                    expect(header).to_contain_text("Interview finished")
                rows.append((k, q.id, len(answer.split()), time.perf_counter() - start))
            browser.close()
    finally:
        server.stop()
    print(f"python bench/browser_latency.py --model {args.model} --questions {args.questions} --wpm {args.wpm:g}\n")
    print("| answer | question | words | submit to next message s |\n|---|---|---|---|")
    for k, qid, words, wait in rows:
        print(f"| {k} | {qid} | {words} | {wait:.2f} |")
    later = [r[3] for r in rows[1:]]
    if later:
        base = statistics.median(later)
        print(f"\nfirst answer {rows[0][3]:.2f} s = {rows[0][3] / base:.2f} x the later answers' median ({base:.2f} s)")


if __name__ == "__main__":
    main()
