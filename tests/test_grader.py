"""The grader's logic with the scripted fake model and with model-free signals."""

from __future__ import annotations

import pytest

from answers import ANSWERS, INJECTIONS
from interviewer.bank.models import Question
from interviewer.bank.storage import load_bank
from interviewer.grader.grader import Grader, verdict_for
from interviewer.grader.models import Flag, Verdict
from interviewer.grader.text import normalize
from interviewer.llm.fake import ScriptedModel


@pytest.fixture(scope="module")
def bank():
    return load_bank(include_user=False)


def keyword_model(p_when_terms: float = 0.9, p_else: float = 0.1) -> ScriptedModel:
    """A fake that says Yes when the answer block mentions 'overfit', else No: enough to test the plumbing."""

    def rule(messages, options):
        text = messages[-1]["content"]
        answer = text.split("<answer>")[1].split("</answer>")[0]
        p = p_when_terms if "overfit" in answer.lower() else p_else
        return {"Yes": p, "No": 1 - p}

    return ScriptedModel(choose_rule=rule)


def test_score_is_computed_from_credit_and_weights(bank):
    q = bank.get("ml-fundamentals-01")
    g = Grader(keyword_model()).grade(q, ANSWERS[q.id]["strong"])
    expected = 10 * sum(c.weight * c.score for c in g.criteria) / sum(c.weight for c in g.criteria)
    assert g.score == pytest.approx(expected, abs=0.01)
    assert all(c.verdict == verdict_for(c.score) for c in g.criteria)
    assert g.model_id == "fake:scripted" and len(g.prompt_version) == 12
    assert g.rubric_version == q.rubric.version()


def test_one_model_call_per_criterion_with_the_answer_delimited(bank):
    q = bank.get("ml-fundamentals-01")
    model = keyword_model()
    Grader(model).grade(q, "Overfitting is variance.")
    chooses = [m for kind, m in model.calls if kind == "choose"]
    assert len(chooses) == len(q.rubric.criteria)
    for messages in chooses:
        assert "<answer>\nOverfitting is variance.\n</answer>" in messages[-1]["content"]
        assert "untrusted data" in messages[0]["content"]


def test_model_signal_moves_the_score(bank):
    q = bank.get("ml-fundamentals-01")
    answer = ANSWERS[q.id]["partial"]
    high = Grader(keyword_model(0.95)).grade(q, answer).score
    low = Grader(keyword_model(0.05, 0.05)).grade(q, answer).score
    assert high > low


@pytest.mark.parametrize("qid", sorted(ANSWERS))
def test_lexical_grades_are_ordered(bank, qid):
    grader = Grader(None)
    q = bank.get(qid)
    s, p, w = (grader.grade(q, ANSWERS[qid][k]).score for k in ("strong", "partial", "wrong"))
    assert s > p > w


@pytest.mark.parametrize("qid", sorted(ANSWERS))
def test_evidence_is_always_quoted_from_the_answer(bank, qid):
    q = bank.get(qid)
    for kind, answer in ANSWERS[qid].items():
        for g in (Grader(None).grade(q, answer), Grader(keyword_model()).grade(q, answer)):
            for c in g.criteria:
                if c.evidence is not None:
                    assert normalize(c.evidence) in normalize(answer), (kind, c.criterion_id)
            if kind == "strong":
                assert sum(1 for c in g.criteria if c.evidence) >= 3


@pytest.mark.parametrize("qid", sorted(ANSWERS))
@pytest.mark.parametrize("wrapper", INJECTIONS)
def test_injection_never_raises_the_score_lexical(bank, qid, wrapper):
    q = bank.get(qid)
    grader = Grader(None)
    for kind in ("partial", "wrong"):
        plain = grader.grade(q, ANSWERS[qid][kind])
        injected = grader.grade(q, wrapper.format(answer=ANSWERS[qid][kind]))
        assert injected.score <= plain.score, (kind, wrapper)
        assert Flag.INJECTION in injected.flags


@pytest.mark.parametrize("answer, flag", [
    ("", Flag.EMPTY),
    ("   \n\t ", Flag.EMPTY),
    ("\x00\x01\x02", Flag.EMPTY),
    ("El sesgo es el error de suposiciones erróneas en el algoritmo, y la varianza es la sensibilidad a los datos.",
     Flag.NON_ENGLISH),
    ("asdf qwer zxcv hjkl qwrt zxcvb plkj mnbv cxzl kjhg fdsa", Flag.GARBLED),
    ("To make a good risotto you toast the rice, add warm stock slowly and stir until creamy, then finish with "
     "butter and parmesan.", Flag.OFF_TOPIC),
])
def test_abstain_flags(bank, answer, flag):
    g = Grader(keyword_model()).grade(bank.get("ml-fundamentals-01"), answer)
    assert flag in g.flags
    assert g.abstained
    if flag in (Flag.EMPTY, Flag.GARBLED, Flag.NON_ENGLISH):
        assert g.score == 0 and all(c.verdict == Verdict.NO_EVIDENCE for c in g.criteria)


def test_code_answers_are_not_garbled(bank):
    code = "```python\nfrom sklearn.linear_model import Ridge\nmodel = Ridge(alpha=1.0).fit(X_train, y_train)\n```"
    g = Grader(None).grade(bank.get("ml-fundamentals-01"), code)
    assert Flag.GARBLED not in g.flags


def test_grading_a_subset_of_criteria_and_merging(bank):
    q = bank.get("ml-fundamentals-01")
    grader = Grader(None)
    base = grader.grade(q, "Bias means underfitting.")
    missed = base.missed_core()
    assert "regularization-tools" in missed
    follow = grader.grade(q, "Regularization like L1 lasso, L2 ridge, dropout and early stopping reduces variance.",
                          criteria=["regularization-tools"])
    assert [c.criterion_id for c in follow.criteria] == ["regularization-tools"]
    merged = grader.merge(base, follow, q)
    reg = next(c for c in merged.criteria if c.criterion_id == "regularization-tools")
    assert reg.signals["followup"] > 0
    assert reg.score == pytest.approx(0.8 * follow.criteria[0].score, abs=1e-3)
    assert merged.score > base.score
    assert "regularization-tools" not in merged.missed_core() or reg.verdict == Verdict.PARTIAL


def test_feedback_names_points_not_reference_text(bank):
    q = bank.get("ml-fundamentals-01")
    g = Grader(None).grade(q, ANSWERS[q.id]["partial"])
    assert g.feedback.missed and g.feedback.study
    text = g.feedback.as_text()
    for c in q.rubric.criteria:
        assert normalize(c.source) not in normalize(text)


def test_question_without_rubric_gets_a_drafted_one():
    q = Question(id="custom-1", category="Custom", number=1, question="What does a load balancer do?",
                 reference_answer="A load balancer spreads incoming requests across several servers. "
                                  "It removes unhealthy servers from rotation using health checks.")
    g = Grader(None).grade(q, "It spreads requests across servers and uses health checks to drop bad ones.")
    assert len(g.criteria) == 2 and g.score > 5


@pytest.mark.slow
def test_the_longest_accepted_answer_fits_the_models_context(small_model):
    """An answer at the length limit (INTERVIEWER_MAX_ANSWER_CHARS) is graded, not left pending for ever."""
    from interviewer.bank.storage import load_bank
    from interviewer.grader.grader import Grader
    from interviewer.settings import Settings

    limit = Settings().max_answer_chars
    bank = load_bank(include_user=False)
    prose = " ".join(q.reference_answer for q in bank.questions.values())  # varied text, not flagged as garbled
    answer = prose[:limit]
    grade = Grader(small_model).grade(bank.get("ml-fundamentals-01"), answer)
    assert grade.flags == [] or all(f.value != "garbled" for f in grade.flags)
    assert all("p_yes" in c.signals for c in grade.criteria), "the model judged every point"
