"""The question bank's data contract: a question, its reference answer and its rubric."""

from __future__ import annotations

import hashlib
import json
from typing import Annotated

from pydantic import (
    BaseModel, ConfigDict, Field, StringConstraints, field_validator, model_serializer, model_validator,
)

from ..text import normalize

Slug = Annotated[str, StringConstraints(pattern=r"^[a-z0-9]+(-[a-z0-9]+)*$", max_length=80)]
Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]
MIN_JUSTIFICATION_WORDS = 5  # a beyond_reference criterion's source: a reason, not a label


def strip_markdown(text: str) -> str:
    """The reference answer's text without the Markdown the importer adds (fences, list markers)."""
    lines = []
    for line in text.splitlines():
        if line.startswith("```"):
            continue
        lines.append(line.removeprefix("- "))
    return "\n".join(lines)


class Criterion(BaseModel):
    """One checkable point a strong answer makes."""

    model_config = ConfigDict(extra="forbid")

    id: Slug
    point: Text = Field(description="The point a strong candidate makes, in one short sentence")
    weight: int = Field(ge=1, le=5)
    core: bool = Field(description="True: a senior candidate must make this point. False: depth / bonus")
    key_terms: list[list[Text]] = Field(
        min_length=1, description="Concepts as [term, synonym, ...] groups; any spelling in a group counts"
    )
    source: Text = Field(
        description="Verbatim span of the reference answer this criterion is drawn from; with beyond_reference, "
                    "a short justification of why the point belongs in the rubric"
    )
    probes: list[Text] = Field(min_length=1, max_length=2, description="Follow-up questions that draw the point out")
    beyond_reference: bool = Field(
        False, description="True: the reference answer is silent or wrong on this point; source justifies it"
    )

    @field_validator("key_terms")
    @classmethod
    def _groups_not_empty(cls, groups: list[list[str]]) -> list[list[str]]:
        for group in groups:
            if not group:
                raise ValueError("a key-term group is empty")
        return groups

    @model_serializer(mode="wrap")
    def _omit_default_flag(self, handler):
        # Written only when set: files stay as they were, and so does the version of every rubric without it.
        data = handler(self)
        if isinstance(data, dict) and not self.beyond_reference:
            data.pop("beyond_reference", None)
        return data

    @model_validator(mode="after")
    def _justified(self) -> "Criterion":
        if self.beyond_reference and _count_words(self.source) < MIN_JUSTIFICATION_WORDS:
            raise ValueError(
                f"criterion {self.id!r} goes beyond the reference: its source must justify that in at least "
                f"{MIN_JUSTIFICATION_WORDS} words"
            )
        return self


class Rubric(BaseModel):
    model_config = ConfigDict(extra="forbid")

    criteria: list[Criterion] = Field(min_length=1, max_length=8)

    @model_validator(mode="after")
    def _unique_ids(self) -> "Rubric":
        seen: set[str] = set()
        for c in self.criteria:
            if c.id in seen:
                raise ValueError(f"duplicate criterion id {c.id!r}")
            seen.add(c.id)
        if not any(c.core for c in self.criteria):
            raise ValueError("a rubric needs at least one core criterion")
        return self

    @property
    def total_weight(self) -> int:
        return sum(c.weight for c in self.criteria)

    def version(self) -> str:
        """A content hash: any change to the rubric changes it. Stored with every grade."""
        payload = json.dumps(self.model_dump(mode="json"), sort_keys=True, ensure_ascii=False)
        return hashlib.sha256(payload.encode()).hexdigest()[:12]

    def criterion(self, criterion_id: str) -> Criterion:
        for c in self.criteria:
            if c.id == criterion_id:
                return c
        raise KeyError(criterion_id)


class Question(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: Slug
    category: Text
    number: int = Field(ge=1)
    question: Text
    reference_answer: Text
    difficulty: int = Field(2, ge=1, le=3)
    tags: list[Slug] = Field(default_factory=list)
    scope: Text | None = Field(
        None,
        description="What the interviewer may say to a clarifying question: what to cover and how deep, the setting, "
                    "the kind of answer expected; 1-3 short sentences that name no core criterion's key term",
    )
    rubric: Rubric | None = None

    @model_validator(mode="after")
    def _sources_in_reference(self) -> "Question":
        if self.rubric is None:
            return self
        haystack = normalize(strip_markdown(self.reference_answer))
        for c in self.rubric.criteria:
            if c.beyond_reference:
                continue  # its source is a justification, not a quote
            if normalize(c.source) not in haystack:
                raise ValueError(f"criterion {c.id!r}: its source is not in the reference answer: {c.source!r}")
        return self

    @property
    def category_slug(self) -> str:
        return slugify(self.category)


def slugify(text: str) -> str:
    """Lower-case ASCII letters and digits, each run of anything else one "-"."""
    kept = "".join(c if c in _SLUG_CHARS else " " for c in text.lower())
    return "-".join(kept.split())


_SLUG_CHARS = frozenset("abcdefghijklmnopqrstuvwxyz0123456789")


def _count_words(text: str) -> int:
    """How many runs of letters and digits the text holds."""
    return sum(1 for i, c in enumerate(text) if c.isalnum() and (i == 0 or not text[i - 1].isalnum()))
