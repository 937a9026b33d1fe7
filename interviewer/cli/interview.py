"""`interviewer interview`: a live interview in the terminal, on the same engine as the UI.

Answers may span lines: finish one with an empty line or a line holding a single ".". Works with stdin
from a pipe too (each answer is a block of lines ended the same way; end of input saves and stops).
"""

from __future__ import annotations

import sys
import threading
from typing import get_args

import click
from rich.console import Console
from rich.markdown import Markdown
from rich.markup import escape

from ..engine import Interview, InterviewConfig, Reply
from ..engine.state import Level
from ..engine.inputs import COMMANDS
from ..settings import Settings
from ..vocabulary import format_score
from . import cli
from .options import model_options

END_MARKERS = ("", ".")


class ReadAhead:
    """Hands the answer typed so far (line by line) to the grader in a background thread, so the model reads
    it while the candidate writes the next line and grading after the last line is quick. Only the latest
    text is kept; a failure here only loses the head start."""

    def __init__(self, interview: Interview) -> None:
        self.interview = interview
        self.lock = threading.Lock()
        self.latest: str | None = None
        self.running = False

    def feed(self, text: str) -> None:
        with self.lock:
            self.latest = text
            if self.running:
                return
            self.running = True
        threading.Thread(target=self._run, daemon=True).start()

    def _run(self) -> None:
        while True:
            with self.lock:
                text, self.latest = self.latest, None
                if text is None:
                    self.running = False
                    return
            try:
                self.interview.warm(text)
            except Exception:  # noqa: BLE001 - an optimisation only
                pass


def read_answer(interactive: bool, ahead: ReadAhead | None = None) -> str | None:
    """One answer: lines up to an empty line or '.'; a command or an empty first line is sent at once.
    None at end of input. Each line typed is handed to `ahead`, if given."""
    lines: list[str] = []
    while True:
        try:
            line = input("> " if interactive and not lines else ("  " if interactive else ""))
        except EOFError:
            return "\n".join(lines) if lines else None
        stripped = line.strip()
        if not lines and (stripped.lower() in COMMANDS or stripped in END_MARKERS):
            return "" if stripped == "." else stripped
        if stripped in END_MARKERS:
            return "\n".join(lines)
        lines.append(line.rstrip("\n"))
        if ahead is not None:
            ahead.feed("\n".join(lines))


def lexical_session(interview: Interview) -> bool:
    """True for a model-free interview (nothing to read ahead)."""
    return interview.config.lexical


class Terminal:
    def __init__(self, show_scores: bool) -> None:
        self.console = Console(highlight=False, soft_wrap=not sys.stdout.isatty())
        self.show_scores = show_scores

    def say(self, reply: Reply) -> None:
        if self.show_scores and reply.score is not None and not reply.done:
            # Before the next message, which may already belong to the next question.
            self.console.print(f"[dim](your score on that question so far: {format_score(reply.score)}/10)[/]")
        for m in reply.messages:
            if m["kind"] == "report":
                self.console.print()
                if self.console.is_terminal:
                    self.console.print(Markdown(m["text"]))
                else:  # piped: the Markdown itself, unwrapped and uncropped
                    self.console.out(m["text"], highlight=False)
            else:
                self.console.print()
                self.console.print("[bold cyan]Interviewer:[/] " + escape(m["text"]))
        self.flush()

    def note(self, text: str) -> None:
        self.console.print(f"[dim]{text}[/]")
        self.flush()

    def flush(self) -> None:
        self.console.file.flush()


def _setup_readline() -> None:
    try:
        import readline  # noqa: F401  (line editing and history for input())
    except ImportError:  # pragma: no cover - Windows without pyreadline
        pass


@cli.command()
@click.option("--categories", "-c", multiple=True,
              help="Categories (name or slug); repeatable or comma-separated. Default: all.")
@click.option("--questions", "-n", type=click.IntRange(1, 50), default=5, show_default=True,
              help="Number of questions.")
@click.option("--level", type=click.Choice(get_args(Level)), default="senior",
              show_default=True, help="Question difficulty; adaptive follows your running score.")
@click.option("--max-followups", type=click.IntRange(0, 5), default=2, show_default=True,
              help="Follow-ups per question at most: each probes the weakest core point still open (once "
                   "every core point is met, one deeper point).")
@click.option("--seed", type=click.IntRange(0, 2**63 - 1), default=None, help="Repeatable question selection.")
@click.option("--resume", "resume_id", default=None, metavar="ID", help="Continue an earlier session.")
@click.option("--lexical", is_flag=True, help="Grade with model-free signals only (fast, less accurate).")
@click.option("--show-scores", is_flag=True, help="Show each question's score as you go (points stay hidden).")
@model_options
def interview(categories: tuple[str, ...], questions: int, level: str, max_followups: int, seed: int | None,
              resume_id: str | None, lexical: bool, show_scores: bool, settings: Settings) -> None:
    """Run a mock interview in the terminal.

    Finish each answer with an empty line (or a line with a single "."). Ask a clarifying question, ask for a
    hint or say you don't know in plain words; commands: /hint, /skip, /repeat, /quit (ends early with a report). The session id is printed first: if the process stops, continue
    with `interviewer interview --resume ID`.
    """
    interactive = sys.stdin.isatty()
    if interactive:
        _setup_readline()
    term = Terminal(show_scores)
    if resume_id:
        it = Interview.resume(resume_id, settings=settings)
        it.prepare()  # what the next answer would pay for first, while the question is read again
        status = it.status()
        term.note(f"Session id: {it.session_id} (resumed at question {status.position} of {status.total})")
        if it.last_reply and it.last_reply.messages:
            term.say(it.last_reply)
        elif status.done:
            term.say(Reply([m for m in it.messages() if m["kind"] == "report"], done=True))
        else:
            prompt = it.current_prompt() or ""
            term.say(Reply([{"role": "interviewer", "kind": "repeat", "text": prompt,
                             "position": status.position}]))
    else:
        config = InterviewConfig(categories=list(categories), questions=questions, level=level,
                                 max_followups=max_followups, seed=seed, lexical=lexical, model=settings.model)
        if not lexical:
            term.note(f"Loading {settings.model} ...")
        it, reply = Interview.start(config, settings=settings)
        term.note(f"Session id: {it.session_id} (resume with: interviewer interview --resume {it.session_id})")
        term.say(reply)
    with it:
        if interactive and not it.status().done:
            term.note('Finish each answer with an empty line or a single ".".')
        ahead = ReadAhead(it) if interactive and not it.status().done and not lexical_session(it) else None
        try:
            while not it.status().done:
                text = read_answer(interactive, ahead)
                if text is None:
                    term.note(f"Input ended; the session is saved. Resume with: interviewer interview --resume "
                              f"{it.session_id}")
                    return
                term.say(it.answer(text))
        except KeyboardInterrupt:
            term.note(f"\nStopped; the session is saved. Resume with: interviewer interview --resume {it.session_id}")
            raise SystemExit(130) from None
