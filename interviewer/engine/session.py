"""The engine's API: one `Interview` per session, for the terminal and for any UI.

    from interviewer.engine import Interview, InterviewConfig

    interview, reply = Interview.start(InterviewConfig(categories=["RAG & Embeddings"], questions=5))
    print(interview.session_id)          # keep it: the session can be resumed from any process
    print(reply.text)                    # the greeting and the first question

    reply = interview.answer("Chunking trades recall for precision ...")
    reply.messages   # the interviewer's new messages: [{"role", "kind", "text", "position"}, ...]
    reply.grade      # the current question's grade after that answer (a Grade), or None
    reply.card       # ScoreCard of the question answered: its score, and its points once it is settled
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

One pass per answer: the text goes into the graph as it is (the graph cleans and validates it, so a refusal
is recorded in the state like any other turn), the graph is invoked once, and the Reply is built from what
that invoke returned. An Interview reads its checkpoint once when it is opened and keeps the latest state
from then on, so opening a session and answering costs two checkpoint reads (the open, and the invoke's own).

The checkpoint is the one source of truth; the transcript database is its read model. The graph's nodes write
no database: after each invoke the Interview records the state it returned in one transaction
(`Transcripts.project`, upserts keyed by stable ids, so recording a state twice changes nothing). An answer is
in the checkpoint before it is graded (durability="sync": each step's checkpoint is on disk before the next
step starts), so a process killed while grading loses nothing: `resume` finishes the step and records the
state, and an Interview that resumed a session records it at the latest when it is closed, which heals a crash
between a checkpoint and its recording.

The graph is compiled once per process and checkpoint database (graph.py `compiled`); every Interview is one
LangGraph thread (thread_id = session id) in it and holds its own transcript connection, so a web UI can keep
just the session id per user and call `Interview.resume(session_id, bank=bank)` per request (pass a loaded Bank
to skip re-reading the YAML; models are cached per process by the registry). One writer at a time per session:
`start` and `resume` take the session's lock (threads and processes alike; see `lock.py`) and `close` releases
it. `resume(wait=S)` waits up to S seconds for another holder; by default it fails at once with SessionBusy.
`answer(text, seen=N)` refuses (StaleAnswer) when the transcript no longer has the N messages the caller showed.
"""

from __future__ import annotations

import logging
import secrets
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any, cast

from langchain_core.runnables import RunnableConfig
from langgraph.types import Command

from .. import __version__, grading
from ..bank.storage import Bank, load_bank
from ..errors import InputError, InterviewerError, SessionNotFound, StaleAnswer
from ..grader.models import Grade
from ..paths import checkpoints_path
from ..settings import Settings, get_settings
from ..store.transcripts import Transcripts
from ..vocabulary import QuestionStatus
from .context import Context, Grading
from .graph import compiled
from .inputs import COMMANDS, RETRY, clean_text
from .lock import SessionLock
from .report import ScoreCard, build_report, score_card, to_markdown
from .reviews import REPORT_WAIT_S, Reviewing, ahead, current, due, review_queue
from .state import InterviewConfig, InterviewState, Message, upgrade_results

#: A draft of the last question's answer shorter than this is not reviewed ahead.
MIN_AHEAD_WORDS = 30
#: Input kinds the graph did not take: the candidate should send something again.
REFUSED = ("empty", "too_long")
#: Input kinds that leave the question with something to show on a score card.
ANSWERED = ("answer", "no_answer", "skip", "quit")


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
    messages: list[Message]  # the interviewer's new messages, in order: always the end of the transcript
    grade: Grade | None = None  # the question's grade after this answer (follow-ups merged); None unless graded
    score: float | None = None
    question_id: str | None = None  # the question the reply was about
    refused: bool = False  # not taken: too long, or empty on the first try; the candidate should resend
    done: bool = False
    status: Status | None = field(default=None, repr=False)
    card: ScoreCard | None = field(default=None, repr=False)  # that question's score card, once it has an answer

    @property
    def text(self) -> str:
        return "\n\n".join(m["text"] for m in self.messages)


def new_session_id() -> str:
    return f"{datetime.now(timezone.utc):%Y%m%d-%H%M}-{secrets.token_hex(3)}"


class Interview:
    """A live interview session. Build it with `start`, `resume` or `open`, not directly."""

    def __init__(self, session_id: str, *, bank: Bank, store: Transcripts, make_grader: Callable[[], Grading],
                 settings: Settings, make_reviewer: Callable[[], Reviewing] | None = None) -> None:
        self.session_id = session_id
        self.make_reviewer = make_reviewer  # None: no review grades (the live grade is final)
        self.bank = bank
        self.store = store
        # Compiled once per process and checkpoint database; a damaged file fails here (StoreCorrupt).
        self._graph = compiled(str(checkpoints_path()))
        self._config: RunnableConfig = {"configurable": {"thread_id": session_id}}
        self.context = Context(bank=bank, make_grader=make_grader, max_answer_chars=settings.max_answer_chars)
        self.settings = settings
        self._lock: SessionLock | None = None  # held by interviews made with start/resume
        # The latest graph state this Interview read or produced, and where the graph stands.
        self._state: InterviewState = {}
        self._waiting = False  # paused at its interrupt, waiting for the candidate
        self._unfinished = False  # a step a crash interrupted is still to run
        # The state last recorded in the transcript database by this Interview (None: none yet).
        self._recorded: InterviewState | None = None

    # -- construction ---------------------------------------------------------------------
    @classmethod
    def _make(cls, session_id: str, config: InterviewConfig | None, *, grader: Grading | None,
              bank: Bank | None, settings: Settings | None, store: Transcripts | None = None,
              reviewer: Reviewing | None = None) -> "Interview":
        settings = settings or get_settings()
        store = store or Transcripts.open()

        def make_grader() -> Grading:
            if grader is not None:
                return grader
            chosen = config or interview.config
            return grading.make_grader(chosen.grading_model(settings), settings)

        def make_reviewer() -> Reviewing:
            if reviewer is not None:
                return reviewer
            chosen = config or interview.config
            return grading.make_reviewer(chosen.grading_model(settings), settings)

        try:
            interview = cls(session_id, bank=bank or load_bank(), store=store, make_grader=make_grader,
                            settings=settings,
                            # A grader given without a reviewer (a remote grader, a test's fake) grades alone.
                            make_reviewer=make_reviewer if settings.review and (grader is None or reviewer is not None)
                            else None)
        except BaseException:
            store.close()
            raise
        return interview  # noqa: RET504 - make_grader reads it

    @classmethod
    def start(cls, config: InterviewConfig | dict[str, Any] | None = None, *, grader: Grading | None = None,
              bank: Bank | None = None, settings: Settings | None = None, reviewer: Reviewing | None = None
              ) -> tuple["Interview", Reply]:
        """Plan a new interview and ask the first question. Unknown categories or a bad model name fail
        here, before anything is recorded. The grader (and its model) is loaded now unless given."""
        settings = settings or get_settings()
        config = InterviewConfig.model_validate(config or {})
        bank = bank or load_bank()
        bank.in_categories(config.categories)  # a clear error for unknown categories
        config = config.model_copy(update={
            "seed": config.seed if config.seed is not None else secrets.randbelow(2**31),
            "model": config.grading_model(settings),
        })
        store = Transcripts.open()
        session_id = new_session_id()
        while store.exists(session_id):
            session_id = new_session_id()
        interview = cls._make(session_id, config, grader=grader, bank=bank, settings=settings, store=store,
                              reviewer=reviewer)
        try:
            interview._lock = SessionLock(session_id).acquire(0)
            interview.context.grader  # load the model now: a bad name fails before the interview starts
            store.create_session(session_id, config.model_dump(), app_version=__version__)
            # What the plan needs from earlier sessions, read here: nodes read no database.
            interview._invoke({"session_id": session_id, "config": config.model_dump(), "mastery": store.mastery(),
                               "avoid": sorted(store.seen_question_ids(exclude_session=session_id))})
            reply = interview._reply({})
            interview.prepare()
        except BaseException:
            interview.close()
            raise
        return interview, reply

    @classmethod
    def open(cls, session_id: str, *, grader: Grading | None = None, bank: Bank | None = None,
             settings: Settings | None = None) -> "Interview":
        """Attach to a session without running anything (for reports and transcripts): one checkpoint read,
        no lock, no model loaded."""
        return cls._attach(session_id, grader=grader, bank=bank, settings=settings, lock_wait=None)

    @classmethod
    def _attach(cls, session_id: str, *, grader: Grading | None, bank: Bank | None, settings: Settings | None,
                lock_wait: float | None, reviewer: Reviewing | None = None) -> "Interview":
        """An existing session (an id or a unique prefix), its state read once; with `lock_wait`, its lock
        is taken first (the state may change until then)."""
        store = Transcripts.open()
        try:
            sid = store.resolve(session_id)
        except SessionNotFound:
            store.close()
            raise
        interview = cls._make(sid, None, grader=grader, bank=bank, settings=settings, store=store, reviewer=reviewer)
        try:
            if lock_wait is not None:
                interview._lock = SessionLock(sid).acquire(lock_wait)
            interview._load()
            if not interview._state:
                raise SessionNotFound(f"session {sid} has no saved interview state (was {checkpoints_path()} removed?)")
        except BaseException:
            interview.close()
            raise
        return interview

    @classmethod
    def resume(cls, session_id: str, *, grader: Grading | None = None, bank: Bank | None = None,
               settings: Settings | None = None, wait: float = 0, retry: bool = True,
               reviewer: Reviewing | None = None) -> "Interview":
        """Continue a session: finish whatever a crash interrupted (e.g. grading the last answer), retry
        grades that failed (unless `retry` is False: the next answer retries them anyway), and wait for
        the candidate again. `last_reply` holds what that produced. The transcript database is brought up to
        the checkpoint as soon as anything runs, else with the next answer or on `close`. Takes the session's
        lock, waiting up to `wait` seconds for another holder (SessionBusy after)."""
        interview = cls._attach(session_id, grader=grader, bank=bank, settings=settings, lock_wait=wait,
                                reviewer=reviewer)
        try:
            interview.last_reply = interview._catch_up(retry=retry)
            interview.review()  # settled questions whose review a restart lost
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
        if seen is not None and seen != len(self._state.get("messages", [])):
            raise StaleAnswer(f"interview {self.session_id} moved on in another window since this answer was "
                              "written; reload to see the current question")
        if self._state.get("done"):
            raise InputError(f"interview {self.session_id} is over; see its report")
        if not self._waiting:
            raise InterviewerError(f"interview {self.session_id} is not waiting for an answer; resume it first")
        before = self._state
        self._invoke(Command(resume=text))
        if self.review() and self._state.get("done"):
            self.wait_reviews(REPORT_WAIT_S)  # the report shows review grades where they land in time
        reply = self._reply(before, sent=True)
        if self.status().question_id != before.get("question_id"):
            self.prepare()  # a new question was asked
        return reply

    def review(self) -> int:
        """Queue, in the background, the review of every settled question without a review of its current
        answers (a no-op when reviews are off). Returns how many reviews of this session are outstanding."""
        if self.make_reviewer is None:
            return 0
        queue = review_queue()
        for job in due(self._state, self.bank, self.store.reviews(self.session_id)):
            queue.submit(job, self.make_reviewer)
        return queue.outstanding(self.session_id)

    def wait_reviews(self, timeout: float) -> bool:
        """Wait up to `timeout` seconds for this session's queued reviews; True when none is left."""
        return review_queue().wait(self.session_id, timeout)

    def reviews(self) -> dict[int, Grade]:
        """The review grades landed so far, of the questions' current answers: position -> grade."""
        return current(self._state, self.store.reviews(self.session_id))

    def prepare(self) -> threading.Thread | None:
        """Start, in the background, what the first answer to the current question would otherwise pay for
        (the grader's `prepare`: the model's first evaluation, the question's anchors), so the candidate
        never waits for it. Called whenever a question is put to the candidate; holds nothing of this
        Interview but its grader and the question, needs no lock, and never delays the question. Returns
        the thread, or None when no question waits."""
        status = self.status()
        if status.done or not status.waiting or not status.question_id:
            return None
        grader, question = self.context.grader, self.bank.get(status.question_id)
        thread = threading.Thread(target=_quietly, args=(grader.prepare, question), daemon=True,
                                  name=f"prepare-{question.id}")
        thread.start()
        self.preparing = thread
        return thread

    def warm(self, draft: str) -> int:
        """Hand the grader the answer being typed, so that grading the final answer pays only for what
        changed (a local model evaluates the prompt up to the draft now). Changes nothing in the session;
        needs no lock. Returns the prompt tokens evaluated."""
        status = self.status()
        if status.done or not status.waiting or not status.question_id:
            return 0
        limit = self.context.max_answer_chars
        draft = clean_text(str(draft)[: 4 * limit])[:limit]  # bounded before any cleaning, like an answer
        if draft.lower() in COMMANDS:
            return 0
        done = self.context.grader.warm(self.bank.get(status.question_id), draft)
        if self.make_reviewer is not None and status.position == status.total and len(draft.split()) >= MIN_AHEAD_WORDS:
            # The last question's review is read ahead too: the report waits for it (REPORT_WAIT_S).
            job = ahead(self._state, self.bank, draft)
            if job is not None:
                review_queue().submit(job, self.make_reviewer, ahead=True)
        return done

    @property
    def config(self) -> InterviewConfig:
        """What the candidate chose (the grading model resolved when the interview started)."""
        return InterviewConfig.model_validate(self._state["config"])

    def status(self) -> Status:
        values = self._state
        qid = values.get("question_id")
        return Status(
            session_id=self.session_id, position=values.get("position", 0), total=len(values.get("slots", [])),
            question_id=qid, category=(values.get("results", {}).get(qid) or {}).get("category") if qid else None,
            phase=values.get("phase", "question"), followups=values.get("followups", 0),
            pending_grades=len(values.get("pending", [])), waiting=self._waiting, done=bool(values.get("done")),
        )

    def messages(self) -> list[Message]:
        """Every message so far, interviewer's and candidate's, in order (the report's as it stands now, with
        the review grades landed so far)."""
        return self._current(self._state.get("messages", []))

    def _current(self, messages: list[Message]) -> list[Message]:
        """The messages with a report's text brought up to date: the graph wrote it from the live grades."""
        if not any(m.get("kind") == "report" for m in messages):
            return list(messages)
        text = self.report_markdown()
        return [cast(Message, {**m, "text": text}) if m.get("kind") == "report" else m for m in messages]

    def current_prompt(self) -> str | None:
        """What the candidate is being asked now (None when the interview is over)."""
        return None if self._state.get("done") else self._state.get("prompt")

    def report(self, reviews: dict[int, Grade] | None = None) -> dict[str, Any]:
        """The report (partial while the interview runs), each question scored by its review grade once it
        landed, else by its live grade (marked provisional while a review is to come). `reviews`: the review
        grades read earlier (see `reviews`), to build the report after this Interview is closed."""
        return build_report(self._state, self.bank, self.reviews() if reviews is None else reviews,
                            reviewing=self.make_reviewer is not None)

    def report_markdown(self) -> str:
        return to_markdown(self.report())

    def score_card(self, question_id: str | None = None) -> ScoreCard | None:
        """A question's score card (default: the latest question with an answer); None when there is none."""
        results = self._state.get("results", {})
        if question_id is None:
            answered = [r for r in results.values() if r["status"] != QuestionStatus.ASKED]
            question_id = max(answered, key=lambda r: r["position"])["question_id"] if answered else None
        result = results.get(question_id) if question_id else None
        if not result:
            return None
        return score_card(self.bank, result, self.reviews().get(result["position"]),
                          reviewing=self.make_reviewer is not None)

    def export(self) -> dict[str, Any]:
        """The session as one JSON-able document: session row, report, messages and transcript."""
        return self.store.export_session(self.session_id, report=self.report(), messages=self.messages())

    def close(self) -> None:
        """Let go of the session: record the state if this Interview resumed it and recorded nothing yet (the
        heal of a crash between a checkpoint and its recording), then close the transcript connection and
        release the lock. The checkpoint database stays open for the next Interview of this process."""
        try:
            if self._lock is not None and self._lock.held and self._recorded is None and self._state:
                self._record()
        finally:
            try:
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
    preparing: threading.Thread | None = None  # the latest background preparation (see `prepare`)

    def _load(self) -> None:
        """Read the checkpoint: the state, and whether the graph waits for the candidate or a crash
        interrupted a step. A state from before grades and statuses were typed is upgraded here, the one
        place a session is read; when this Interview holds the lock, the upgrade is written back so that the
        graph's own nodes read it too."""
        snapshot = self._graph.get_state(self._config)
        values = cast(InterviewState, dict(snapshot.values or {}))
        upgraded = upgrade_results(values.get("results", {}))
        if upgraded and self._lock is not None and snapshot.next:
            self._graph.update_state(self._config, {"results": upgraded})
            snapshot = self._graph.get_state(self._config)
            values = cast(InterviewState, dict(snapshot.values))
        elif upgraded:
            values["results"] = {**values["results"], **upgraded}
        self._state = values
        self._waiting = bool(snapshot.interrupts)
        self._unfinished = bool(snapshot.next) and not self._waiting

    def _invoke(self, value: Any) -> InterviewState:
        """Run the graph until it waits for the candidate or ends, keep the state it returns, and record it
        in the transcript database."""
        # durability="sync": each step's checkpoint is on disk before the next step starts, so a kill at
        # any point resumes from the last finished step (an answer's, before it is graded).
        out = self._graph.invoke(value, self._config, context=self.context, durability="sync")
        if not isinstance(out, dict):  # nothing ran: the state is what the checkpoint holds
            self._load()
        else:
            interrupts = out.pop("__interrupt__", None)
            self._state, self._waiting, self._unfinished = cast(InterviewState, out), bool(interrupts), False
        self._record()
        return self._state

    def _record(self) -> None:
        """Write the state to the transcript database, in one transaction: what changed since this Interview
        last recorded it, or all of it the first time (which also heals a crash between a checkpoint and its
        recording)."""
        self.store.project(self._state, before=self._recorded)
        self._recorded = self._state

    def _catch_up(self, *, retry: bool = True) -> Reply:
        """Finish an interrupted step, then (with `retry`) retry pending grades; the Reply holds what that
        said."""
        before = self._state
        if self._unfinished:
            self._invoke(None)
        if retry and self._waiting and self._state.get("pending"):
            self._invoke(Command(resume=RETRY))
        return self._reply(before, card=self._state is not before)

    def _reply(self, before: InterviewState, *, sent: bool = False, card: bool = False) -> Reply:
        """What changed from `before` to the current state: the interviewer's new messages and, for an
        answer (`sent`), whether it was taken, its question's grade and score card."""
        after = self._state
        new = after.get("messages", [])[len(before.get("messages", [])):]
        said = self._current([m for m in new if m.get("role") == "interviewer"])
        kind = after["input"]["kind"] if sent and "input" in after else None
        qid = before.get("question_id") or after.get("question_id")
        result = after.get("results", {}).get(qid) if qid else None
        grade = result.get("grade") if result and kind == "answer" else None
        show_card = kind in ANSWERED or card
        return Reply(
            messages=said, grade=grade, score=grade.score if grade is not None else None, question_id=qid,
            refused=kind in REFUSED, done=bool(after.get("done")), status=self.status(),
            card=(self.score_card(qid) if sent else self.score_card()) if show_card else None,
        )


def _quietly(work: Callable[..., Any], *args: Any) -> None:
    """Background preparation is an optimisation: a failure there is logged, never raised (the answer's own
    grade reports real errors)."""
    try:
        work(*args)
    except Exception:  # noqa: BLE001
        logging.getLogger(__name__).debug("background preparation failed", exc_info=True)
