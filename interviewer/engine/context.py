"""What every node may use besides the state: the bank and the grader. Passed to each graph run as LangGraph's
runtime context; never checkpointed. Nodes write no database: the session records what the state says
(session.py)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Protocol

from ..bank.models import Question
from ..bank.storage import Bank
from ..grader.models import Grade


class Grading(Protocol):
    """Everything the engine asks of a grader (interviewer.grader.grader.Grader is one; a remote grader or a
    test's fake is another): nothing about a model."""

    def grade(self, question: Question, answer: str, criteria: Sequence[str] | None = None) -> Grade:
        """One answer against the question's rubric (or only the named criteria: a follow-up's)."""
        ...

    def merge(self, base: Grade, followup: Grade, question: Question | None = None) -> Grade:
        """A follow-up's grade folded into the question's."""
        ...

    def discount(self, grade: Grade, criterion_ids: Sequence[str], question: Question | None = None) -> Grade:
        """The grade with the named criteria's credit lowered (points reached through a hint)."""
        ...

    def warm(self, question: Question, draft: str) -> int:
        """Work ahead on the answer being typed; changes no grade."""
        ...

    def prepare(self, question: Question) -> int:
        """Work ahead on a question just asked; changes no grade."""
        ...


@dataclass
class Context:
    bank: Bank
    make_grader: Callable[[], Grading]
    max_answer_chars: int = 20_000
    _grader: Grading | None = field(default=None, init=False, repr=False)

    @property
    def grader(self) -> Grading:
        """The grader, built on first use (loading a model is slow, and a resumed session may not need it)."""
        if self._grader is None:
            self._grader = self.make_grader()
        return self._grader
