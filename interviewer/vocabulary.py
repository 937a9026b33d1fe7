"""Words every layer shares: where a question stands, and how a score is printed.

A criterion's verdict is the grader's `interviewer.grader.models.Verdict`. These enums are `StrEnum`s, so a
member equals its string and a stored string compares equal to a member; graph state and the database hold
the plain strings (`.value`), never the members.
"""

from __future__ import annotations

from enum import StrEnum


class QuestionStatus(StrEnum):
    """A question in an interview: asked and waiting for its answer, or answered in one of four ways."""

    ASKED = "asked"
    GRADED = "graded"
    PENDING = "pending"  # answered; the grader failed and will be retried
    SKIPPED = "skipped"
    NO_ANSWER = "no_answer"


#: Statuses of a question that has a final score (skips and no-answers score 0; pending ones have none yet).
SCORED: frozenset[str] = frozenset({QuestionStatus.GRADED.value, QuestionStatus.SKIPPED.value,
                                    QuestionStatus.NO_ANSWER.value})

#: How a missing score (nothing graded yet) is printed everywhere.
NO_SCORE = "n/a"


def format_score(score: float | None) -> str:
    """A 0-10 score with one decimal, or NO_SCORE when there is none: the one way every front prints one."""
    return NO_SCORE if score is None else f"{score:.1f}"
