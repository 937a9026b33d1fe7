"""Feedback a candidate can use, templated from the verdicts: covered, missed (as points), one thing to study."""

from __future__ import annotations

from ..bank.models import Question, Rubric
from .models import CriterionGrade, Feedback, Verdict


def _short(point: str, limit: int = 110) -> str:
    point = point.rstrip(".")
    return point if len(point) <= limit else point[:limit].rsplit(" ", 1)[0] + "…"


def template_feedback(question: Question, rubric: Rubric, grades: list[CriterionGrade]) -> Feedback:
    by_id = {c.id: c for c in rubric.criteria}
    covered = [_short(by_id[g.criterion_id].point) for g in grades if g.verdict == Verdict.MET]
    missing = [g for g in grades if g.verdict.unmet]  # the points a hint may lead to: missed or partly made
    missing.sort(key=lambda g: (not g.core, g.verdict == Verdict.PARTIAL, -g.weight))
    missed = [
        ("partly: " if g.verdict == Verdict.PARTIAL else "") + _short(by_id[g.criterion_id].point) for g in missing
    ]
    study = None
    if missing:
        top = by_id[missing[0].criterion_id]
        topic = f" ({', '.join(question.tags[:2])})" if question.tags else ""
        study = f"{_short(top.point, 160)}{topic}"
    return Feedback(covered=covered, missed=missed, study=study)
