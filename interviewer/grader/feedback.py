"""Feedback a candidate can use, templated from the verdicts: covered, missed (as points), one thing to study."""

from __future__ import annotations

from ..bank.models import Question, Rubric
from .models import CriterionGrade, FactError, Feedback, Verdict


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


def review_feedback(question: Question, rubric: Rubric, grades: list[CriterionGrade], errors: list[FactError]
                    ) -> Feedback:
    """Feedback that teaches, from a review: what was right (the candidate's words), what was wrong (their words
    and the reference's correction), what was missing, and the outline of a strong answer (core points first)."""
    base = template_feedback(question, rubric, grades)
    right = [f"\u201c{g.evidence}\u201d" for g in grades if g.verdict == Verdict.MET and g.evidence]
    wrong = [f"\u201c{e.quote}\u201d \u2014 the reference: \u201c{e.correction}\u201d" for e in errors]
    outline = [_short(c.point, 160) for c in sorted(rubric.criteria, key=lambda c: (not c.core, -c.weight))]
    return base.model_copy(update={"right": right, "wrong": wrong, "outline": outline})
