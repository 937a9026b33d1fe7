"""The grader's output contract: per-criterion verdicts, a score computed in code, flags and feedback."""

from __future__ import annotations

from enum import Enum

from pydantic import BaseModel, Field


class Verdict(str, Enum):
    MET = "met"
    PARTIAL = "partial"
    MISSED = "missed"
    NO_EVIDENCE = "not_enough_evidence"


class Flag(str, Enum):
    EMPTY = "empty"
    OFF_TOPIC = "off_topic"
    NON_ENGLISH = "non_english"
    GARBLED = "garbled"
    LOW_CONFIDENCE = "low_confidence"
    INJECTION = "injection_attempt"
    KEYWORD_LIST = "keyword_list"  # key terms of several points named only in bare lists (not an abstention)


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


class Feedback(BaseModel):
    covered: list[str] = Field(default_factory=list)
    missed: list[str] = Field(default_factory=list)
    study: str | None = None

    def as_text(self) -> str:
        lines = []
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

    @property
    def abstained(self) -> bool:
        return any(f in ABSTAIN_FLAGS for f in self.flags)

    def missed_core(self) -> list[str]:
        return [c.criterion_id for c in self.criteria if c.core and c.verdict in (Verdict.MISSED, Verdict.NO_EVIDENCE)]
