"""The review grades of interviews: each settled question is reviewed off the live path.

The live grade picks the next move in ~2 s; the number a candidate keeps comes from the review grade
(grader/review.py), computed here in the background once a question is settled, while the candidate reads and
answers the next one. One worker thread per process reviews one answer at a time, and the reviewer gives way to
live work before each model call, so the conversation never waits for a review.

Nothing here is part of the graph: a review is a pure function of a question's answers (their `review_basis`),
stored in the transcript database when it lands. A review that fails or never lands loses nothing: the live
grade stays the question's score (shown as provisional). A process killed mid-review loses only that review:
a settled question without a stored review of its current answers is queued again whenever its session is
resumed (`due`).
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Protocol

from ..bank.models import Question
from ..bank.storage import Bank
from ..grader.models import Grade
from ..llm.base import low_priority
from ..store.transcripts import Transcripts, review_basis
from ..vocabulary import AnswerStatus, QuestionStatus
from .state import InterviewState, QuestionResult

#: How long the report waits for the reviews of the last questions, at most (seconds).
REPORT_WAIT_S = 10.0

log = logging.getLogger(__name__)


class Reviewing(Protocol):
    """What the queue asks of a reviewer (interviewer.grader.review.Reviewer is one; a test's fake another)."""

    def review(self, question: Question, answer: str, *, hinted: Sequence[str] = ()) -> Grade: ...


@dataclass(frozen=True)
class ReviewJob:
    """One settled question to review: all of the candidate's answers to it, joined."""

    session_id: str
    position: int
    question: Question
    text: str
    hinted: tuple[str, ...]
    basis: str

    @property
    def key(self) -> tuple[str, int, str]:
        return self.session_id, self.position, self.basis


def review_text(result: QuestionResult) -> str:
    """What a review reads: the candidate's graded answers to the question and its follow-ups, in order."""
    answers = sorted(result.get("answers", []), key=lambda a: a["number"])
    return "\n\n".join(a.get("text", "") for a in answers if a["status"] == AnswerStatus.GRADED and a.get("text"))


def due(state: InterviewState, bank: Bank, stored: Mapping[int, tuple[str, Grade]]) -> list[ReviewJob]:
    """The settled, graded questions of `state` without a stored review of their current answers."""
    jobs = []
    for result in sorted(state.get("results", {}).values(), key=lambda r: r["position"]):
        if not result.get("finished") or result["status"] != QuestionStatus.GRADED or result.get("grade") is None:
            continue
        basis = review_basis(result)
        text = review_text(result)
        if not text or stored.get(result["position"], ("", None))[0] == basis:
            continue
        jobs.append(ReviewJob(session_id=state["session_id"], position=result["position"],
                              question=bank.get(result["question_id"]), text=text,
                              hinted=tuple(result.get("hinted", [])), basis=basis))
    return jobs


def ahead(state: InterviewState, bank: Bank, draft: str) -> ReviewJob | None:
    """The review job the current question would get if the draft were its last answer (see ReviewQueue.submit's
    `ahead`); None when no question waits."""
    qid = state.get("question_id")
    result = state.get("results", {}).get(qid) if qid else None
    if qid is None or result is None or state.get("done"):
        return None
    text = "\n\n".join(t for t in (review_text(result), draft.strip()) if t)
    return ReviewJob(session_id=state["session_id"], position=result["position"], question=bank.get(qid), text=text,
                     hinted=tuple(result.get("hinted", [])), basis="ahead:" + str(hash(text)))


def current(state: InterviewState, stored: Mapping[int, tuple[str, Grade]]) -> dict[int, Grade]:
    """The stored reviews that are of the questions' current answers: position -> review grade."""
    out = {}
    for result in state.get("results", {}).values():
        review = stored.get(result["position"])
        if review is not None and result["status"] == QuestionStatus.GRADED and review[0] == review_basis(result):
            out[result["position"]] = review[1]
    return out


class ReviewQueue:
    """One background worker that reviews queued questions one at a time and stores each review as it lands.
    Submitting the same job twice (a question already queued, or being reviewed) does nothing."""

    def __init__(self, open_store: Callable[[], Transcripts] = Transcripts.open) -> None:
        self._open_store = open_store
        self._jobs: queue.Queue[tuple[ReviewJob, Callable[[], Reviewing], bool]] = queue.Queue()
        self._open: set[tuple[str, int, str]] = set()  # queued or running
        self._changed = threading.Condition()
        self._thread: threading.Thread | None = None

    def submit(self, job: ReviewJob, make_reviewer: Callable[[], Reviewing], *, ahead: bool = False) -> bool:
        """Queue a review; False when the same one is already queued or running. `ahead`: a review of a draft
        of the answer, done only while nothing else is queued and never stored: a local model memoizes its
        judgements, so when the final answer is that draft its review is read from the memo (the report of
        the last question waits for nothing)."""
        with self._changed:
            if job.key in self._open or (ahead and self._open):
                return False
            self._open.add(job.key)
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._work, daemon=True, name="reviews")
                self._thread.start()
        self._jobs.put((job, make_reviewer, ahead))
        return True

    def outstanding(self, session_id: str) -> int:
        """Reviews of this session queued or running."""
        with self._changed:
            return sum(1 for key in self._open if key[0] == session_id)

    def wait(self, session_id: str, timeout: float) -> bool:
        """Wait up to `timeout` seconds for this session's reviews; True when none is left."""
        deadline = time.monotonic() + timeout
        with self._changed:
            while any(key[0] == session_id for key in self._open):
                left = deadline - time.monotonic()
                if left <= 0:
                    return False
                self._changed.wait(left)
        return True

    def _work(self) -> None:
        with low_priority():  # every model call of a review waits for live work (llm.base.low_priority)
            self._loop()

    def _loop(self) -> None:
        while True:
            job, make_reviewer, ahead = self._jobs.get()
            try:
                grade = make_reviewer().review(job.question, job.text, hinted=job.hinted)
                if ahead:
                    continue
                store = self._open_store()
                try:
                    store.record_review(job.session_id, job.position, job.question.id, job.basis, grade)
                finally:
                    store.close()
            except Exception:  # noqa: BLE001 - the live grade stands; the review is retried on resume
                if ahead:
                    continue
                log.warning("review of %s question %d failed; the live grade stands", job.session_id, job.position,
                            exc_info=True)
            finally:
                with self._changed:
                    self._open.discard(job.key)
                    self._changed.notify_all()


_QUEUE: ReviewQueue | None = None
_QUEUE_LOCK = threading.Lock()


def review_queue() -> ReviewQueue:
    """The process's review queue."""
    global _QUEUE
    with _QUEUE_LOCK:
        if _QUEUE is None:
            _QUEUE = ReviewQueue()
        return _QUEUE
