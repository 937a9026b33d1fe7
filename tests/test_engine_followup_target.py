"""Which point a follow-up aims at: the weakest open core point; one depth probe once every core point is met.
And which point a hint leads to: the weakest core point not fully made."""

from __future__ import annotations

from interviewer.bank.storage import load_bank
from interviewer.engine.state import InterviewConfig
from interviewer.engine.targeting import followup_target, hint_target
from interviewer.grader.models import CriterionGrade, Grade
from interviewer.vocabulary import QuestionStatus


def grade(criteria):
    return Grade(question_id="q", score=0, confidence=1, model_id="lexical", prompt_version="p", rubric_version="r",
                 criteria=[CriterionGrade(criterion_id=cid, core=core, verdict=v, score=s, weight=w, confidence=1)
                           for cid, core, v, s, w in criteria])


def state(criteria, probed=(), followups=0, max_followups=2, hinted=()):
    return {"config": InterviewConfig(max_followups=max_followups, lexical=True).model_dump(), "question_id": "q",
            "followups": followups,
            "results": {"q": {"status": QuestionStatus.GRADED, "grade": grade(criteria), "probed": list(probed),
                              "hinted": list(hinted)}}}


def test_the_weakest_core_point_even_when_none_is_cleanly_met():
    s = state([("a", True, "partial", 0.5, 3), ("b", True, "missed", 0.1, 2), ("c", True, "partial", 0.4, 3),
               ("d", False, "missed", 0.0, 1)])
    assert followup_target(s) == "b"
    only_partial = [("a", True, "partial", 0.5, 3), ("c", True, "partial", 0.4, 3), ("d", False, "missed", 0.0, 1)]
    assert followup_target(state(only_partial)) == "c", "no core point cleanly met: the weakest is probed"
    assert followup_target(state(only_partial, probed=["c"], followups=1)) == "a"
    some_met = [("a", True, "met", 0.9, 3), ("c", True, "partial", 0.4, 3)]
    assert followup_target(state(some_met)) is None


def test_ties_go_to_the_heaviest_point_then_the_first():
    tied = [("a", True, "missed", 0.0, 1), ("b", True, "not_enough_evidence", 0.0, 3), ("c", True, "missed", 0.0, 3)]
    assert followup_target(state(tied)) == "b"
    assert followup_target(state(tied, hinted=["b"])) == "c", "a hinted point is not probed"


def test_one_depth_probe_when_every_core_point_is_met():
    crit = [("a", True, "met", 0.9, 3), ("d", False, "missed", 0.0, 1), ("e", False, "partial", 0.4, 2)]
    assert followup_target(state(crit)) == "d"
    assert followup_target(state(crit, probed=["d"], followups=1)) is None, "one depth probe at most"


def test_no_follow_up_when_all_is_met_or_none_left():
    assert followup_target(state([("a", True, "met", 0.9, 3), ("d", False, "met", 0.8, 1)])) is None
    assert followup_target(state([("a", True, "missed", 0.0, 3)], followups=2)) is None


def test_a_hint_leads_to_the_weakest_core_point_not_fully_made():
    question = load_bank(include_user=False).get("ml-fundamentals-01")
    core = [c for c in question.rubric.criteria if c.core]
    made = [(c.id, True, "met", 0.9, c.weight) for c in core[1:]]
    partly = state([(core[0].id, True, "partial", 0.5, core[0].weight), *made])
    assert followup_target(partly) is None, "a follow-up goes after points missed, not partly made"
    assert hint_target(partly, question) == core[0].id, "a hint may lead to a point partly made"
    assert hint_target(state([(core[0].id, True, "met", 0.9, 1), *made]), question) is None
    ungraded = {"question_id": "q", "results": {"q": {"grade": None, "probed": [], "hinted": []}}}
    assert hint_target(ungraded, question) == max(core, key=lambda c: c.weight).id
