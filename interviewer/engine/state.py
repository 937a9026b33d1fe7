"""The interview's configuration and its graph state, checkpointed after every step.

The state is plain data (dicts, lists, strings, numbers) plus the project's own types listed in `STATE_TYPES`: a
`Grade` where there is one, and the vocabulary's StrEnum members for verdicts, flags and statuses. The
checkpointer is told exactly these types (see graph.py), so nothing else is ever revived from a checkpoint.
A checkpoint written before grades and statuses were typed holds grades as dicts and statuses as strings:
`upgrade_results` turns them into today's types, once, where a session is read (session.py `_load`).
"""

from __future__ import annotations

import operator
from collections.abc import Mapping
from typing import Annotated, Any, Literal, TypedDict, cast

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from ..grader.models import FactError, Grade
from ..settings import Settings
from ..vocabulary import AnswerStatus, Flag, GradeStage, QuestionStatus, Verdict

Level = Literal["mid", "senior", "staff", "adaptive"]
#: The difficulty each fixed level prefers (questions are rated 1-3 in the bank).
LEVEL_DIFFICULTY: dict[str, int] = {"mid": 1, "senior": 2, "staff": 3}


class InterviewConfig(BaseModel):
    """What the candidate chose. Stored in the state and in the `sessions` table."""

    model_config = ConfigDict(extra="forbid")

    categories: list[str] = Field(default_factory=list, description="Category names or slugs; empty means all")
    questions: int = Field(5, ge=1, le=50, description="How many questions (capped by what the categories hold)")
    level: Level = "senior"
    model: str | None = Field(None, description="Grading model name; None: settings.model (ignored when lexical)")
    lexical: bool = Field(False, description="Grade with model-free signals only (no model is loaded)")
    seed: int | None = Field(None, description="Makes question selection repeatable; None picks one at start")
    max_followups: int = Field(2, ge=0, le=5, description="Follow-ups per question at most")

    @field_validator("categories", mode="before")
    @classmethod
    def _split(cls, value: Any) -> Any:
        """Accept 'a,b' as well as ['a', 'b']."""
        if isinstance(value, str):
            value = [value]
        if isinstance(value, (list, tuple)):
            out = []
            for item in value:
                out += [part.strip() for part in str(item).split(",") if part.strip()]
            return out
        return value

    @model_validator(mode="after")
    def _lexical_has_no_model(self) -> "InterviewConfig":
        if self.lexical:
            self.model = None
        return self

    def grading_model(self, settings: Settings) -> str | None:
        """The model that grades this interview: None when lexical (model-free), else the one chosen or
        the settings' default."""
        return None if self.lexical else (self.model or settings.model)


Role = Literal["interviewer", "candidate"]
MessageKind = Literal["greeting", "question", "follow_up", "repeat", "notice", "closing", "report", "answer", "command",
                      "turn", "clarification", "hint", "meta", "confirm"]


class Message(TypedDict, total=False):
    role: Role
    kind: MessageKind
    text: str
    position: int  # 1-based number of the question it belongs to (0 before the first)


#: The project's types that go into the graph state: the only ones the checkpointer revives.
STATE_TYPES: tuple[type, ...] = (Grade, FactError, Verdict, Flag, GradeStage, QuestionStatus, AnswerStatus)


class AnswerRecord(TypedDict, total=False):
    number: int  # 0: the answer to the question; N: the answer to follow-up N
    kind: Literal["answer", "follow_up"]
    criterion: str | None  # what a follow-up aimed at
    prompt: str  # what a follow-up asked
    text: str
    status: AnswerStatus  # received (kept, not graded yet), graded, pending, no_answer or skipped
    score: float | None
    grade: Grade | None  # this answer's own grade (a follow-up's: on its one criterion only)
    error: str | None  # why the grader failed, while the grade is pending
    answered_at: str
    graded_at: str | None


class FollowUp(TypedDict):
    number: int  # 1-based, per question
    criterion: str  # the criterion it aims at
    prompt: str  # the rubric's probe it asked
    asked_at: str


class QuestionResult(TypedDict, total=False):
    position: int
    question_id: str
    category: str
    difficulty: int
    prompt: str  # the question as asked (its text only)
    rubric_version: str
    asked_at: str
    status: QuestionStatus
    grade: Grade | None  # the question's grade, follow-ups merged in
    answers: list[AnswerRecord]
    followups_asked: list[FollowUp]
    probed: list[str]  # criterion ids a follow-up already aimed at
    hinted: list[str]  # criterion ids a hint led to (their credit counts less)
    offered_hint: bool  # "I don't know" was met with a hint
    after_hint: bool  # skipped after a hint
    stop: bool  # no more follow-ups for this question (skipped, or the grader failed)
    finished: bool  # settled: the interview moved past it (its score is final unless a pending grade lands)
    finished_at: str


class PendingGrade(TypedDict):
    question_id: str
    number: int  # which answer of the question (see AnswerRecord.number)


InputKind = Literal["answer", "empty", "no_answer", "too_long", "skip", "repeat", "quit", "retry",
                    "clarify", "dont_know", "hint", "meta", "unsure"]


class Input(TypedDict, total=False):
    kind: InputKind
    text: str
    chars: int
    then: Literal["wait", "move_on"]  # after "I don't know": a hint was offered (wait), or the question moves on


class Held(TypedDict):
    """A message the intake could not tell a question from an answer: kept while the candidate is asked which."""

    text: str
    lean: Literal["clarify", "meta"]  # what it is if it was a question


def merge_results(current: dict[str, QuestionResult] | None, update: dict[str, QuestionResult] | None
                  ) -> dict[str, QuestionResult]:
    """The reducer of `results`: a node returns only the entries it changed, keyed by question id."""
    return {**(current or {}), **(update or {})}


def upgrade_results(results: Mapping[str, Any]) -> dict[str, QuestionResult]:
    """The entries of `results` that a checkpoint written before grades and statuses were typed holds (grades as
    dicts, statuses as plain strings), in today's types; entries already typed are left out."""
    out: dict[str, QuestionResult] = {}
    for qid, r in results.items():
        answers = r.get("answers", [])
        if (isinstance(r.get("grade"), dict) or type(r.get("status")) is str
                or any(isinstance(a.get("grade"), dict) or type(a.get("status")) is str for a in answers)):
            out[qid] = cast(QuestionResult, {
                **r, "status": QuestionStatus(r["status"]), "grade": _grade(r.get("grade")),
                "answers": [{**a, "status": AnswerStatus(a["status"])}
                            | ({"grade": _grade(a["grade"])} if "grade" in a else {}) for a in answers]})
    return out


def _grade(value: Grade | dict | None) -> Grade | None:
    return Grade.model_validate(value) if isinstance(value, dict) else value


class InterviewState(TypedDict, total=False):
    session_id: str
    config: dict  # InterviewConfig.model_dump()
    mastery: dict[str, float]  # category -> mastery from earlier sessions (read by Interview.start; plan uses it)
    # The plan: one category per slot (balanced, weakest first); questions are picked slot by slot.
    slots: list[str]
    avoid: list[str]  # question ids seen in earlier sessions (read by Interview.start)
    asked: list[str]  # question ids asked so far, in order
    position: int  # 1-based number of the current question
    difficulty: int  # the difficulty the next pick prefers
    question_id: str
    phase: Literal["question", "follow_up"]
    followups: int  # follow-ups asked for the current question
    target: str | None  # the criterion the current follow-up aims at
    prompt: str  # what the candidate is being asked now (for /repeat)
    empty_tries: int
    reply: Any  # the raw resume value wait_answer received (cleared once intake has read it)
    input: Input  # that reply, cleaned and classified
    held: Held | None  # a message waiting for the candidate to say whether it was the answer or a question
    results: Annotated[dict[str, QuestionResult], merge_results]  # question id -> result; nodes send changes
    pending: list[PendingGrade]
    messages: Annotated[list[Message], operator.add]
    ended_early: bool
    done: bool
    finished_at: str | None  # when the report was made
    report: dict | None
