"""One writer per session across threads and processes, and no answer recorded against the wrong question."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import threading
import time

import pytest

from interviewer.engine import Interview, InterviewConfig
from interviewer.errors import InterviewerError, SessionBusy, StaleAnswer

CONFIG = InterviewConfig(categories=["ML Fundamentals"], questions=2, max_followups=0, lexical=True, seed=3)


def test_a_second_resume_is_refused_while_the_first_holds_the_session():
    interview, _ = Interview.start(CONFIG)
    sid = interview.session_id
    try:
        with pytest.raises(SessionBusy, match="in use"):
            Interview.resume(sid)
    finally:
        interview.close()
    with Interview.resume(sid) as again:  # released on close
        assert again.status().position == 1


def test_resume_with_wait_takes_turns_across_threads():
    interview, _ = Interview.start(CONFIG)
    sid = interview.session_id
    interview.close()
    order: list[str] = []

    def answer(text: str) -> None:
        with Interview.resume(sid, wait=60) as it:
            order.append(f"start {text}")
            time.sleep(0.2)
            it.answer(text)
            order.append(f"end {text}")

    threads = [threading.Thread(target=answer, args=(t,)) for t in ("/skip", "/repeat")]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert [o.split()[0] for o in order] == ["start", "end", "start", "end"], order


def test_a_stale_answer_is_refused_not_misfiled():
    interview, _ = Interview.start(CONFIG)
    try:
        seen = len(interview.messages())
        interview.answer("/skip")  # another window moved on
        with pytest.raises(StaleAnswer, match="moved on"):
            interview.answer("An answer written for question 1.", seen=seen)
        assert all(m["text"] != "An answer written for question 1." for m in interview.messages())
    finally:
        interview.close()


def test_a_read_only_interview_cannot_answer():
    interview, _ = Interview.start(CONFIG)
    sid = interview.session_id
    interview.close()
    with Interview.open(sid) as look:
        with pytest.raises(InterviewerError, match="read-only"):
            look.answer("hello")


def test_a_killed_holder_releases_the_session(interviewer_home):
    interview, _ = Interview.start(CONFIG)
    sid = interview.session_id
    interview.close()
    code = textwrap.dedent(f"""
        import time
        from interviewer.engine import Interview
        it = Interview.resume({sid!r})
        print("held", flush=True)
        time.sleep(600)
    """)
    proc = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True,
                            env={**os.environ, "INTERVIEWER_HOME": str(interviewer_home)})
    try:
        assert proc.stdout.readline().strip() == "held"
        with pytest.raises(SessionBusy):
            Interview.resume(sid)
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait()
    with Interview.resume(sid, wait=10) as it:
        assert it.status().waiting
