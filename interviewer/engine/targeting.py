"""Which rubric point a follow-up or a hint goes after. Both aim at the weakest open core point (`Grade.weakest`:
the least credit, then the heaviest) and never at one already probed or hinted; they differ in what is open:

- a follow-up probes a point not made at all (`Grade.missed`); when no core point is cleanly made, the weakest
  partly made one instead; once every core point is made, one depth probe on the weakest missed other point;
- a hint may lead to any point not fully made (`Grade.unmet`), and before the first grade to the heaviest
  core point.
"""

from __future__ import annotations

from ..bank.models import Question
from ..vocabulary import QuestionStatus
from .state import InterviewConfig, InterviewState, QuestionResult


def _used(result: QuestionResult) -> set[str]:
    """Points a follow-up or a hint already went after (a hinted point is not asked again)."""
    return set(result.get("probed", [])) | set(result.get("hinted", []))


def followup_target(state: InterviewState) -> str | None:
    """The criterion the next follow-up should aim at, or None when no follow-up is due (the question is
    not graded, or no follow-ups are left)."""
    config = InterviewConfig.model_validate(state["config"])
    result = state.get("results", {}).get(state.get("question_id", ""))
    if not result or result["status"] != QuestionStatus.GRADED or result.get("stop"):
        return None
    grade = result.get("grade")
    if grade is None or state.get("followups", 0) >= config.max_followups:
        return None
    used = _used(result)
    core = grade.missed(core=True, exclude=used)
    if not core and not grade.met(core=True):
        core = grade.partial(core=True, exclude=used)  # every core point only partly made: probe the weakest
    point = grade.weakest(core)
    if point is not None:
        return point.criterion_id
    depth_asked = any(not c.core for c in grade.criteria if c.criterion_id in used)
    if grade.unmet(core=True) or depth_asked:
        return None
    point = grade.weakest(grade.missed(core=False, exclude=used))
    return point.criterion_id if point is not None else None


def hint_target(state: InterviewState, question: Question) -> str | None:
    """The core point a hint should lead to: the weakest open one once graded, else the heaviest; never one
    already hinted or probed."""
    result = state["results"][state["question_id"]]
    used = _used(result)
    grade = result.get("grade")
    if grade is not None:
        point = grade.weakest(grade.unmet(core=True, exclude=used))
        return point.criterion_id if point is not None else None
    core = [c for c in question.rubric.criteria if c.core and c.id not in used] if question.rubric else []
    return max(core, key=lambda c: c.weight).id if core else None
