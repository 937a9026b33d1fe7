"""`interviewer interview` in a real subprocess, driven through a pipe: answers, commands, and a SIGKILL
after the second graded answer followed by --resume."""

from __future__ import annotations

import os
import queue
import re
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from interviewer.cli import cli
from interviewer.store import Transcripts

EXE = str(Path(sys.executable).parent / "interviewer")
#: Only a safety net so a broken run cannot hang the suite; nothing asserts on time.
PATIENCE = 300

ANSWER = ("I would version the data and the model together, log every prediction with its features, and watch\n"
          "the input distributions for drift with a population stability index, retraining on a schedule.\n")


class Proc:
    """A running `interviewer` whose stdout lines arrive on a queue (a reader thread drains the pipe)."""

    def __init__(self, args: list[str], home: Path) -> None:
        env = {**os.environ, "INTERVIEWER_HOME": str(home), "PYTHONUNBUFFERED": "1", "COLUMNS": "200"}
        self.p = subprocess.Popen([EXE, *args], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                  stderr=subprocess.STDOUT, env=env, text=True)
        self.lines: queue.Queue[str | None] = queue.Queue()
        self.seen: list[str] = []
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        for line in self.p.stdout:
            self.lines.put(line)
        self.lines.put(None)

    def until(self, pattern: str) -> re.Match:
        deadline = time.monotonic() + PATIENCE
        rx = re.compile(pattern)
        while time.monotonic() < deadline:
            try:
                line = self.lines.get(timeout=1)
            except queue.Empty:
                continue
            if line is None:
                break
            self.seen.append(line)
            if m := rx.search(line):
                return m
        raise AssertionError(f"never saw {pattern!r}; output:\n{''.join(self.seen)}")

    def send(self, text: str) -> None:
        self.p.stdin.write(text)
        self.p.stdin.flush()

    def kill(self) -> None:
        self.p.send_signal(signal.SIGKILL)
        self.p.wait()

    def finish(self, text: str = "") -> str:
        """Send the rest of the input, close stdin, and return everything printed."""
        self.p.stdin.write(text)
        self.p.stdin.close()
        self.p.wait(timeout=PATIENCE)
        while (line := self.lines.get(timeout=PATIENCE)) is not None:
            self.seen.append(line)
        return "".join(self.seen)


def run(args: list[str], stdin: str, home: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "INTERVIEWER_HOME": str(home), "COLUMNS": "200"}
    return subprocess.run([EXE, *args], input=stdin, capture_output=True, text=True, env=env, timeout=PATIENCE)


def test_help():
    result = CliRunner().invoke(cli, ["interview", "--help"])
    assert result.exit_code == 0
    for flag in ("--categories", "--questions", "--level", "--model", "--resume", "--seed", "--lexical"):
        assert flag in result.output


def test_a_piped_interview(interviewer_home):
    stdin = "\n".join([
        "/repeat",
        "",  # empty: asked again
        "My answer spans",
        "two lines.",
        ".",
        "/skip",
        "/quit",
    ]) + "\n"
    result = run(["interview", "--lexical", "-n", "3", "--max-followups", "0", "--seed", "4", "-c", "mlops"],
                 stdin, interviewer_home)
    assert result.returncode == 0, result.stderr
    out = result.stdout
    sid = re.search(r"Session id: (\S+)", out).group(1)
    assert out.count("Question 1 of 3") == 2  # asked, then repeated
    assert "didn't get an answer" in out and "Question 2 of 3" in out and "Question 3 of 3" in out
    assert "# Interview report" in out and "Reference answer" in out
    store = Transcripts.open()
    turns = store.turns(sid)
    assert turns[0]["answers"][0]["text"] == "My answer spans\ntwo lines."
    assert [t["status"] for t in turns] == ["graded", "skipped", "asked"]
    assert store.session(sid)["status"] == "quit"


def test_unknown_category_is_a_clean_error(interviewer_home):
    result = run(["interview", "--lexical", "-c", "quantum-baking"], "", interviewer_home)
    assert result.returncode == 1
    assert "unknown categories: quantum-baking" in result.stderr and "Traceback" not in result.stderr


def test_end_of_input_saves_the_session(interviewer_home):
    result = run(["interview", "--lexical", "-n", "2", "--seed", "1"], ANSWER, interviewer_home)
    assert result.returncode == 0
    assert "Resume with: interviewer interview --resume" in result.stdout


@pytest.mark.parametrize("model", [
    pytest.param(["--lexical"], id="lexical"),
    pytest.param(["--model", "local:smollm2-135m"], id="smollm2", marks=pytest.mark.slow),
])
def test_sigkill_after_the_second_graded_answer_then_resume(interviewer_home, model):
    args = ["interview", *model, "-n", "4", "--max-followups", "0", "--seed", "7", "-c", "mlops"]
    first = Proc(args, interviewer_home)
    sid = first.until(r"Session id: (\S+)").group(1)
    first.until(r"Question 1 of 4")
    first.send(ANSWER + "\n")
    first.until(r"Question 2 of 4")
    first.send("A second answer: canary deployments, shadow traffic and rollback on metric regressions.\n\n")
    first.until(r"Question 3 of 4")  # printed only after answer 2 was graded and stored
    first.kill()
    assert first.p.returncode == -signal.SIGKILL

    store = Transcripts.open()
    turns = store.turns(sid)
    assert [t["status"] for t in turns] == ["graded", "graded", "asked"]
    for t in turns[:2]:
        [a] = t["answers"]
        assert a["status"] == "graded" and a["grade"].criteria and a["score"] is not None
    assert turns[1]["answers"][0]["text"].startswith("A second answer")
    third = turns[2]["question_id"]
    store.close()

    second = Proc(["interview", "--resume", sid], interviewer_home)  # the model comes from the session
    second.until(r"resumed at question 3 of 4")
    second.until(r"Question 3 of 4")
    out = second.finish("Feature stores keep offline and online features consistent.\n\n/quit\n")
    assert second.p.returncode == 0, out
    assert "Question 1 of 4" not in out and "# Interview report" in out

    store = Transcripts.open()
    turns = store.turns(sid)
    assert turns[2]["question_id"] == third
    assert [t["status"] for t in turns] == ["graded", "graded", "graded", "asked"]
    assert [t["answers"][0]["text"][:8] for t in turns[:3]] == [ANSWER[:8], "A second", "Feature "]
    assert store.session(sid)["report"]["answered"] == 3


def test_the_terminal_reads_ahead_the_latest_lines(monkeypatch):
    """Each line typed goes to the grader in the background; the answer itself is unchanged."""
    import threading

    from interviewer.cli import interview as cli_interview

    seen: list[str] = []
    done = threading.Event()

    class Fake:
        def warm(self, text: str) -> int:
            seen.append(text)
            if text.endswith("third line"):
                done.set()
            return 1

    lines = iter(["first line", "second line", "third line", ""])
    monkeypatch.setattr("builtins.input", lambda prompt="": next(lines))
    text = cli_interview.read_answer(True, cli_interview.ReadAhead(Fake()))
    assert text == "first line\nsecond line\nthird line"
    assert done.wait(5) and seen[-1] == text
