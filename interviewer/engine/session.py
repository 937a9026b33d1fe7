"""The engine's API: one `Interview` per session, for the terminal and for any UI.

    from interviewer.engine import Interview, InterviewConfig

    interview, reply = Interview.start(InterviewConfig(categories=["RAG & Embeddings"], questions=5))
    print(interview.session_id)          # keep it: the session can be resumed from any process
    print(reply.text)                    # the greeting and the first question

    reply = interview.answer("Chunking trades recall for precision ...")
    reply.messages   # the interviewer's new messages: [{"role", "kind", "text", "position"}, ...]
    reply.grade      # the current question's grade after that answer (Grade as a dict), or None
    reply.refused    # True: the input was not taken (too long, or empty the first time): resend it
    reply.done       # True once the report is out; then interview.report() is final
    interview.status()    # Status: position k of total, question id, phase, pending grades, done
    interview.messages()  # the whole transcript so far (both roles), e.g. to redraw a chat
    interview.report()    # the report as data (partial while the interview runs); report_markdown()
    interview.close()     # or use `with Interview.resume(session_id) as interview: ...`

    interview = Interview.resume(session_id)   # finishes work a crash interrupted, retries pending grades
    interview = Interview.open(session_id)     # read-only look: runs nothing, loads no model

Candidate commands are plain answers: "/skip", "/repeat", "/quit". Messages of kind "report" (and the
report itself) are the only ones that show reference answers or rubric points; `reply.grade` carries rubric
text in its feedback, so a UI that wants to keep the interview blind shows only `reply.score` until done.

There is no module-level state: every Interview holds its own connections and one LangGraph thread
(thread_id = session id) in the checkpoint database, so a web UI can keep just the session id per user and
call `Interview.resume(session_id, bank=bank)` per request (pass a loaded Bank to skip re-reading the YAML;
models are cached per process by the registry). One writer at a time per session: `start` and `resume` take
the session's lock (threads and processes alike; see `lock.py`) and `close` releases it. `resume(wait=S)`
waits up to S seconds for another holder; by default it fails at once with SessionBusy. `answer(text,
seen=N)` refuses (StaleAnswer) when the transcript no longer has the N messages the caller showed.
"""

from __future__ import annotations

import secrets
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any

from langgraph.checkpoint.sqlite import SqliteSaver
from langgraph.types import Command

from .. import __version__
from ..bank.storage import Bank, load_bank
from ..errors import InputError, InterviewerError, SessionNotFound, StaleAnswer
from ..paths import checkpoints_path
from ..settings import Settings, get_settings
from ..store.transcripts import Transcripts
from .context import Context, GraderLike
from .graph import compile_graph
from .inputs import COMMANDS, RETRY, clean_text
from .lock import SessionLock
from .phrasing import render
from .report import build_report, to_markdown
from .state import InterviewConfig, Message


@dataclass
class Status:
    session_id: str
    position: int  # 1-based number of the current question (0 before the first)
    total: int
    question_id: str | None
    category: str | None
    phase: str  # "question" or "follow_up"
    followups: int  # follow-ups asked on the current question
    pending_grades: int  # answers kept but not graded yet (the grader failed)
    waiting: bool  # waiting for the candidate's reply
    done: bool


@dataclass
class Reply:
    messages: list[Message]  # the interviewer's new messages, in order
    grade: dict | None = None  # the current question's grade after this answer (follow-ups merged)
    score: float | None = None
    question_id: str | None = None  # the question the reply was about
    refused: bool = False  # not taken: too long, or empty on the first try; the candidate should resend
    done: bool = False
    status: Status | None = field(default=None, repr=False)

    @property
    def text(self) -> str:
        return "\n\n".join(m["text"] for m in self.messages)


def new_session_id() -> str:
    return f"{datetime.now(timezone.utc):%Y%m%d-%H%M}-{secrets.token_hex(3)}"


def default_grader(config: InterviewConfig, settings: Settings) -> GraderLike:
    """The real grader on the configured model (or model-free when config.lexical)."""
    from ..grader.grader import Grader
    from ..llm.registry import get_model

    return Grader(None if config.lexical else get_model(config.model or settings.model, settings))


class Interview:
    """A live interview session. Build it with `start`, `resume` or `open`, not directly."""

    def __init__(self, session_id: str, *, bank: Bank, store: Transcripts, conn: sqlite3.Connection,
                 make_grader: Callable[[], GraderLike], settings: Settings) -> None:
        self.session_id = session_id
        self.bank = bank
        self.store = store
        self._conn = conn
        self._graph = compile_graph(SqliteSaver(conn))
        self._config = {"configurable": {"thread_id": session_id}}
        self.context = Context(bank=bank, store=store, make_grader=make_grader,
                               max_answer_chars=settings.max_answer_chars)
        self.settings = settings
        self._lock: SessionLock | None = None  # held by interviews made with start/resume

    # -- construction ---------------------------------------------------------------------
    @classmethod
    def _make(cls, session_id: str, config: InterviewConfig | None, *, grader: GraderLike | None,
              bank: Bank | None, settings: Settings | None, store: Transcripts | None = None) -> "Interview":
        settings = settings or get_settings()
        store = store or Transcripts.open()
        conn = sqlite3.connect(str(checkpoints_path()), timeout=30, check_same_thread=False)
        holder: dict[str, InterviewConfig] = {}

        def make_grader() -> GraderLike:
            if grader is not None:
                return grader
            return default_grader(config or holder["config"], settings)

        interview = cls(session_id, bank=bank or load_bank(), store=store, conn=conn, make_grader=make_grader,
                        settings=settings)
        if config is None:
            values = interview._values()
            if values:
                holder["config"] = InterviewConfig.model_validate(values["config"])
        return interview

    @classmethod
    def start(cls, config: InterviewConfig | dict | None = None, *, grader: GraderLike | None = None,
              bank: Bank | None = None, settings: Settings | None = None) -> tuple["Interview", Reply]:
        """Plan a new interview and ask the first question. Unknown categories or a bad model name fail
        here, before anything is recorded. The grader (and its model) is loaded now unless given."""
        settings = settings or get_settings()
        config = InterviewConfig.model_validate(config or {})
        bank = bank or load_bank()
        bank.in_categories(config.categories)  # a clear error for unknown categories
        config = config.model_copy(update={
            "seed": config.seed if config.seed is not None else secrets.randbelow(2**31),
            "model": None if config.lexical else (config.model or settings.model),
        })
        store = Transcripts.open()
        session_id = new_session_id()
        while store.db["sessions"].count_where("id = ?", [session_id]):
            session_id = new_session_id()
        interview = cls._make(session_id, config, grader=grader, bank=bank, settings=settings, store=store)
        try:
            interview._lock = SessionLock(session_id).acquire(0)
            interview.context.grader  # load the model now: a bad name fails before the interview starts
            store.create_session(session_id, config.model_dump(), app_version=__version__)
            reply = interview._run({"session_id": session_id, "config": config.model_dump()}, before=0)
        except BaseException:
            interview.close()
            raise
        return interview, reply

    @classmethod
    def open(cls, session_id: str, *, grader: GraderLike | None = None, bank: Bank | None = None,
             settings: Settings | None = None) -> "Interview":
        """Attach to a session without running anything (for reports and transcripts)."""
        store = Transcripts.open()
        try:
            sid = store.resolve(session_id)
        except SessionNotFound:
            store.close()
            raise
        interview = cls._make(sid, None, grader=grader, bank=bank, settings=settings, store=store)
        if not interview._values():
            interview.close()
            raise SessionNotFound(f"session {sid} has no saved interview state (was {checkpoints_path()} removed?)")
        return interview

    @classmethod
    def resume(cls, session_id: str, *, grader: GraderLike | None = None, bank: Bank | None = None,
               settings: Settings | None = None, wait: float = 0) -> "Interview":
        """Continue a session: finish whatever a crash interrupted (e.g. grading the last answer), retry
        grades that failed, and wait for the candidate again. `last_reply` holds what that produced.
        Takes the session's lock, waiting up to `wait` seconds for another holder (SessionBusy after)."""
        interview = cls.open(session_id, grader=grader, bank=bank, settings=settings)
        try:
            interview._lock = SessionLock(interview.session_id).acquire(wait)
            interview.last_reply = interview._catch_up()
        except BaseException:
            interview.close()
            raise
        return interview

    # -- the conversation -------------------------------------------------------------------
    def answer(self, text: Any, *, seen: int | None = None) -> Reply:
        """Send the candidate's reply (an answer or /skip, /repeat, /quit) and get the interviewer's turn.
        `seen`: how many messages the sender's screen showed; if the session has moved on since (another
        window answered), the answer is refused with StaleAnswer rather than recorded against the wrong
        question."""
        if self._lock is None or not self._lock.held:
            raise InterviewerError(f"interview {self.session_id} was opened read-only; use Interview.resume")
        if seen is not None and seen != len(self.messages()):
            raise StaleAnswer(f"interview {self.session_id} moved on in another window since this answer was "
                              "written; reload to see the current question")
        if self.status().done:
            raise InputError(f"interview {self.session_id} is over; see its report")
        catch_up = self._catch_up()
        if catch_up.done:
            return catch_up
        if not self.status().waiting:
            raise InterviewerError(f"interview {self.session_id} is not waiting for an answer; resume it first")
        cleaned = clean_text(text)
        if len(cleaned) > self.context.max_answer_chars and cleaned.lower() not in COMMANDS:
            # Refused before it reaches the graph: nothing is recorded and the candidate can resend.
            notice = render("too_long", chars=len(cleaned), limit=self.context.max_answer_chars)
            position = self.status().position
            return Reply([{"role": "interviewer", "kind": "notice", "text": notice, "position": position}],
                         refused=True, question_id=self.status().question_id, status=self.status())
        return self._run(Command(resume=cleaned), before=len(self._values().get("messages", [])))

    def warm(self, draft: str) -> int:
        """Hand the grader the answer being typed, so that grading the final answer pays only for what
        changed (a local model evaluates the prompt up to the draft now). Changes nothing in the session;
        needs no lock. Returns the prompt tokens evaluated."""
        status = self.status()
        if status.done or not status.waiting or not status.question_id:
            return 0
        draft = clean_text(draft)[: self.context.max_answer_chars]
        if draft.lower() in COMMANDS:
            return 0
        grader = self.context.grader
        return grader.warm(self.bank.get(status.question_id), draft) if hasattr(grader, "warm") else 0

    def status(self) -> Status:
        snapshot = self._graph.get_state(self._config)
        values = snapshot.values or {}
        qid = values.get("question_id")
        return Status(
            session_id=self.session_id, position=values.get("position", 0), total=len(values.get("slots", [])),
            question_id=qid, category=(values.get("results", {}).get(qid) or {}).get("category") if qid else None,
            phase=values.get("phase", "question"), followups=values.get("followups", 0),
            pending_grades=len(values.get("pending", [])), waiting=bool(snapshot.interrupts),
            done=bool(values.get("done")),
        )

    def messages(self) -> list[Message]:
        """Every message so far, interviewer's and candidate's, in order."""
        return list(self._values().get("messages", []))

    def current_prompt(self) -> str | None:
        """What the candidate is being asked now (None when the interview is over)."""
        values = self._values()
        return None if values.get("done") else values.get("prompt")

    def report(self) -> dict:
        """The final report once done; before that, a report of what has been answered so far."""
        values = self._values()
        if values.get("report"):
            return values["report"]
        return build_report(values, self.bank)

    def report_markdown(self) -> str:
        return to_markdown(self.report())

    def close(self) -> None:
        try:
            self._conn.close()
            self.store.close()
        finally:
            if self._lock is not None:
                self._lock.release()

    def __enter__(self) -> "Interview":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- internals ----------------------------------------------------------------------------
    last_reply: Reply | None = None

    def _values(self) -> dict:
        return dict(self._graph.get_state(self._config).values or {})

    def _invoke(self, value: Any) -> None:
        # durability="sync": each step's checkpoint is on disk before the next step starts, so a kill at
        # any point resumes from the last finished step.
        self._graph.invoke(value, self._config, context=self.context, durability="sync")

    def _run(self, value: Any, *, before: int) -> Reply:
        self._invoke(value)
        return self._reply(before)

    def _catch_up(self) -> Reply:
        """Finish an interrupted step, then retry pending grades; the Reply holds what that said."""
        before = len(self._values().get("messages", []))
        snapshot = self._graph.get_state(self._config)
        if snapshot.next and not snapshot.interrupts:
            self._invoke(None)
            snapshot = self._graph.get_state(self._config)
        if snapshot.interrupts and snapshot.values.get("pending"):
            self._invoke(Command(resume=RETRY))
        return self._reply(before)

    def _reply(self, before: int) -> Reply:
        values = self._values()
        new = values.get("messages", [])[before:]
        said = [m for m in new if m.get("role") == "interviewer"]
        inp = values.get("input") or {}
        heard = [m for m in new if m.get("role") == "candidate"]
        answered = heard[-1] if heard and heard[-1].get("kind") == "answer" else None
        result = None
        if answered is not None:
            result = next((r for r in values.get("results", {}).values()
                           if r["position"] == answered.get("position")), None)
        grade = result.get("grade") if result else None
        refused = bool(before) and not heard and inp.get("kind") in ("empty", "too_long") and bool(new)
        return Reply(
            messages=said, grade=grade, score=grade["score"] if grade else None,
            question_id=result["question_id"] if result else values.get("question_id"), refused=refused,
            done=bool(values.get("done")), status=self.status(),
        )
