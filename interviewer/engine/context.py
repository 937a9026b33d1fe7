"""What every node may use besides the state: the bank, the transcript store, the grader. Passed to each
graph run as LangGraph's runtime context; never checkpointed."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Protocol

from ..bank.models import Question
from ..bank.storage import Bank
from ..grader.models import Grade
from ..store.transcripts import Transcripts


class GraderLike(Protocol):
    def grade(self, question: Question, answer: str, criteria: Sequence[str] | None = None) -> Grade: ...

    def merge(self, base: Grade, followup: Grade, question: Question | None = None) -> Grade: ...

    def warm(self, question: Question, draft: str) -> int: ...

    def prepare(self, question: Question) -> int: ...


@dataclass
class Context:
    bank: Bank
    store: Transcripts
    make_grader: Callable[[], GraderLike]
    max_answer_chars: int = 20_000
    _grader: GraderLike | None = field(default=None, init=False, repr=False)

    @property
    def grader(self) -> GraderLike:
        """The grader, built on first use (loading a model is slow, and a resumed session may not need it)."""
        if self._grader is None:
            self._grader = self.make_grader()
        return self._grader
