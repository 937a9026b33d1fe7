"""Words every layer shares: a criterion's verdict and an answer's flags, where a question, an answer, a follow-up
and a session stand, and how a score is printed.

These are `StrEnum`s: a member is its string (`f"{Verdict.MET}"` is "met", `Verdict.MET == "met"`), so the
database holds the plain values and a stored string compares equal to a member. The graph state holds the
members themselves (the checkpointer is told these types, see engine/state.py `STATE_TYPES`). A mistyped
member is an AttributeError at once and a type error for the checker; a raw string literal is neither.
"""

from __future__ import annotations

from enum import StrEnum


class Verdict(StrEnum):
    """How far an answer made one rubric point."""

    MET = "met"
    PARTIAL = "partial"
    MISSED = "missed"
    NO_EVIDENCE = "not_enough_evidence"
    WRONG = "wrong"  # stated, but contradicting the reference (only the review grade finds this)

    @property
    def missed(self) -> bool:
        """Not made at all (missed, or no evidence either way): what a follow-up probes, and a report's and a
        score card's "missed"."""
        return self in (Verdict.MISSED, Verdict.NO_EVIDENCE)

    @property
    def unmet(self) -> bool:
        """Not fully made (missed, no evidence, or only partly made): what a hint may lead to, and what the
        feedback lists under "Missed"."""
        return self is not Verdict.MET


class GradeStage(StrEnum):
    """Which grade a number is: the live one (chosen in ~2 s to pick the next move; provisional) or the review
    (computed off the live path once a question is settled: checks facts, credits ideas; the one a candidate keeps)."""

    LIVE = "live"
    REVIEW = "review"


class Flag(StrEnum):
    """Something about an answer as a whole that a grade carries besides its score."""

    EMPTY = "empty"
    OFF_TOPIC = "off_topic"
    NON_ENGLISH = "non_english"
    GARBLED = "garbled"
    LOW_CONFIDENCE = "low_confidence"
    INJECTION = "injection_attempt"
    KEYWORD_LIST = "keyword_list"  # key terms of several points named only in bare lists (not an abstention)


class QuestionStatus(StrEnum):
    """A question in an interview: asked and waiting for its answer, or answered in one of four ways."""

    ASKED = "asked"
    GRADED = "graded"
    PENDING = "pending"  # answered; the grader failed and will be retried
    SKIPPED = "skipped"
    NO_ANSWER = "no_answer"


class AnswerStatus(StrEnum):
    """One answer (to a question or to a follow-up): kept the moment it arrives, then graded."""

    RECEIVED = "received"  # kept, not graded yet
    GRADED = "graded"
    PENDING = "pending"  # the grader failed; retried with the next answer, on resume and before the report
    SKIPPED = "skipped"
    NO_ANSWER = "no_answer"


class FollowUpStatus(StrEnum):
    """A follow-up: asked, then as far as its answer got (see AnswerStatus)."""

    ASKED = "asked"
    RECEIVED = "received"
    GRADED = "graded"
    PENDING = "pending"
    SKIPPED = "skipped"
    NO_ANSWER = "no_answer"


class SessionStatus(StrEnum):
    """An interview session: running (or paused, to be resumed), over, or ended early with /quit."""

    ACTIVE = "active"
    FINISHED = "finished"
    QUIT = "quit"


#: Statuses of a question that has a final score (skips and no-answers score 0; pending ones have none yet).
SCORED: frozenset[QuestionStatus] = frozenset({QuestionStatus.GRADED, QuestionStatus.SKIPPED,
                                               QuestionStatus.NO_ANSWER})

#: How a missing score (nothing graded yet) is printed everywhere.
NO_SCORE = "n/a"


def final_score(status: QuestionStatus, graded: float | None) -> float | None:
    """A question's final score: its grade's score (`graded`) once graded, 0 when skipped or not answered, None
    while it has none (asked, or its grade pending)."""
    if status in (QuestionStatus.SKIPPED, QuestionStatus.NO_ANSWER):
        return 0.0
    if status == QuestionStatus.GRADED and graded is not None:
        return round(float(graded), 2)
    return None


def format_score(score: float | None) -> str:
    """A 0-10 score with one decimal, or NO_SCORE when there is none: the one way every front prints one."""
    return NO_SCORE if score is None else f"{score:.1f}"
