"""Which point a follow-up aims at: the weakest open core point; one depth probe once every core point is met."""

from __future__ import annotations

from interviewer.engine.nodes import followup_target
from interviewer.engine.state import InterviewConfig


def state(criteria, probed=(), followups=0, max_followups=2):
    grade = {"criteria": [{"criterion_id": cid, "core": core, "verdict": v, "score": s, "weight": w}
                          for cid, core, v, s, w in criteria]}
    return {"config": InterviewConfig(max_followups=max_followups, lexical=True).model_dump(), "question_id": "q",
            "followups": followups,
            "results": {"q": {"status": "graded", "grade": grade, "probed": list(probed)}}}


def test_the_weakest_core_point_even_when_none_is_cleanly_met():
    s = state([("a", True, "partial", 0.5, 3), ("b", True, "missed", 0.1, 2), ("c", True, "partial", 0.4, 3),
               ("d", False, "missed", 0.0, 1)])
    assert followup_target(s) == "b"
    only_partial = [("a", True, "partial", 0.5, 3), ("c", True, "partial", 0.4, 3), ("d", False, "missed", 0.0, 1)]
    assert followup_target(state(only_partial)) == "c", "no core point cleanly met: the weakest is probed"
    assert followup_target(state(only_partial, probed=["c"], followups=1)) == "a"
    some_met = [("a", True, "met", 0.9, 3), ("c", True, "partial", 0.4, 3)]
    assert followup_target(state(some_met)) is None


def test_one_depth_probe_when_every_core_point_is_met():
    crit = [("a", True, "met", 0.9, 3), ("d", False, "missed", 0.0, 1), ("e", False, "partial", 0.4, 2)]
    assert followup_target(state(crit)) == "d"
    assert followup_target(state(crit, probed=["d"], followups=1)) is None, "one depth probe at most"


def test_no_follow_up_when_all_is_met_or_none_left():
    assert followup_target(state([("a", True, "met", 0.9, 3), ("d", False, "met", 0.8, 1)])) is None
    assert followup_target(state([("a", True, "missed", 0.0, 3)], followups=2)) is None
