"""The grader's output contract: per-criterion verdicts, a score computed in code, flags and feedback.

A `Grade` is what every layer holds: the graph state, the transcript store (rows map back to it), the engine's
Reply, the fronts. What counts as a point made, partly made, missed or still open is decided here (by
`Verdict`'s properties), once, for follow-ups, hints, feedback, score cards and reports alike.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable

from pydantic import BaseModel, Field

from ..vocabulary import Flag, GradeStage, Verdict

__all__ = ["ABSTAIN_FLAGS", "CriterionGrade", "FactError", "Feedback", "Flag", "Grade", "GradeStage", "Verdict"]


#: Flags that mean "no confident number": the grade is shown as abstained.
ABSTAIN_FLAGS = {Flag.EMPTY, Flag.OFF_TOPIC, Flag.NON_ENGLISH, Flag.GARBLED, Flag.LOW_CONFIDENCE}


class CriterionGrade(BaseModel):
    criterion_id: str
    verdict: Verdict
    score: float = Field(ge=0, le=1, description="Credit for this criterion, 0-1")
    confidence: float = Field(ge=0, le=1)
    evidence: str | None = Field(None, description="A quote from the answer; always found in the answer")
    signals: dict[str, float] = Field(default_factory=dict, description="model p_yes, key-term coverage, similarity")
    weight: int = 1
    core: bool = False


class FactError(BaseModel):
    """A claim of the answer that contradicts the reference: the candidate's words and the correction, both
    quoted (the correction from the reference answer, or a beyond_reference criterion's justification)."""

    quote: str = Field(description="The candidate's words; always found in the answer")
    correction: str = Field(description="What the reference says instead; always a span of it (or a criterion's source)")
    criterion_id: str | None = Field(None, description="The rubric point the claim is about, if any")
    confidence: float = Field(ge=0, le=1)


class Feedback(BaseModel):
    covered: list[str] = Field(default_factory=list)
    missed: list[str] = Field(default_factory=list)
    study: str | None = None
    # The review's feedback (empty in a live grade): what was right in the candidate's words, what was wrong
    # with its correction, and the outline of a strong answer (the rubric's points, core ones first).
    right: list[str] = Field(default_factory=list)
    wrong: list[str] = Field(default_factory=list)
    outline: list[str] = Field(default_factory=list)

    def as_text(self) -> str:
        lines = []
        if self.right:
            lines.append("Right: " + "; ".join(self.right))
        if self.wrong:
            lines.append("Wrong: " + "; ".join(self.wrong))
        if self.covered:
            lines.append("Covered: " + "; ".join(self.covered))
        if self.missed:
            lines.append("Missed: " + "; ".join(self.missed))
        if self.study:
            lines.append("Study next: " + self.study)
        return "\n".join(lines)


class Grade(BaseModel):
    question_id: str
    score: float = Field(ge=0, le=10, description="0-10, computed in code from verdicts and weights")
    criteria: list[CriterionGrade]
    flags: list[Flag] = Field(default_factory=list)
    confidence: float = Field(ge=0, le=1)
    feedback: Feedback = Field(default_factory=Feedback)
    model_id: str
    prompt_version: str
    rubric_version: str
    seconds: float = 0.0
    stage: GradeStage = Field(GradeStage.LIVE, description="live (provisional, picks the next move) or review")
    errors: list[FactError] = Field(default_factory=list, description="Claims contradicting the reference (review)")

    @property
    def provisional(self) -> bool:
        """A live grade: the review grade will replace it once the question is settled and reviewed."""
        return self.stage == GradeStage.LIVE

    @property
    def abstained(self) -> bool:
        return any(f in ABSTAIN_FLAGS for f in self.flags)

    def criterion(self, criterion_id: str) -> CriterionGrade | None:
        return next((c for c in self.criteria if c.criterion_id == criterion_id), None)

    def met(self, *, core: bool | None = None, exclude: Collection[str] = ()) -> list[CriterionGrade]:
        """The points made, in rubric order (`core`: only core points, or only the others; `exclude`: ids left out)."""
        return self._points(lambda v: v == Verdict.MET, core, exclude)

    def partial(self, *, core: bool | None = None, exclude: Collection[str] = ()) -> list[CriterionGrade]:
        """The points only partly made."""
        return self._points(lambda v: v == Verdict.PARTIAL, core, exclude)

    def missed(self, *, core: bool | None = None, exclude: Collection[str] = ()) -> list[CriterionGrade]:
        """The points not made at all (`Verdict.missed`): what a follow-up probes."""
        return self._points(lambda v: v.missed, core, exclude)

    def unmet(self, *, core: bool | None = None, exclude: Collection[str] = ()) -> list[CriterionGrade]:
        """The points not fully made (`Verdict.unmet`: missed or partly made): what a hint may lead to."""
        return self._points(lambda v: v.unmet, core, exclude)

    @staticmethod
    def weakest(points: Iterable[CriterionGrade]) -> CriterionGrade | None:
        """The weakest of `points`: the least credit, then the heaviest, then the first in rubric order."""
        return min(points, key=lambda c: (c.score, -c.weight), default=None)

    def _points(self, keep: Callable[[Verdict], bool], core: bool | None, exclude: Collection[str]
                ) -> list[CriterionGrade]:
        return [c for c in self.criteria
                if keep(c.verdict) and (core is None or c.core == core) and c.criterion_id not in exclude]
