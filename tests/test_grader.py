"""The grader's logic with the scripted fake model and with model-free signals."""

from __future__ import annotations

import pytest
from fakes import ScriptedModel
from sample_answers import ANSWERS, INJECTIONS

from interviewer.bank.models import Question
from interviewer.bank.storage import load_bank
from interviewer.grader.grader import Grader, verdict_for
from interviewer.grader.models import Flag, Verdict
from interviewer.text import normalize
from interviewer.llm.base import CACHE_BREAK


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


def leaning_model(p_answer: float = 0.9, p_anchor: float = 0.3) -> ScriptedModel:
    """A fake that leans Yes on every point of any real answer, less on the content-free anchor."""

    def rule(messages, options):
        anchor = "<answer>\nI don't know.\n</answer>" in messages[-1]["content"].replace(CACHE_BREAK, "")
        p = p_anchor if anchor else p_answer
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


def test_one_model_call_per_criterion_and_one_anchor_with_the_answer_delimited(bank):
    q = bank.get("ml-fundamentals-01")
    model = keyword_model()
    g = Grader(model).grade(q, "Overfitting is variance.")
    chooses = [m[-1]["content"].replace(CACHE_BREAK, "") for kind, m in model.calls if kind == "choose"]
    assert len(chooses) == 2 * len(q.rubric.criteria)
    on_answer = [c for c in chooses if "<answer>\nOverfitting is variance.\n</answer>" in c]
    on_anchor = [c for c in chooses if "<answer>\nI don't know.\n</answer>" in c]
    assert len(on_answer) == len(on_anchor) == len(q.rubric.criteria)
    for c in q.rubric.criteria:  # each prompt asks about one point, after the answer
        assert sum(c.point in text and text.index(c.point) > text.index("</answer>") for text in on_answer) == 1
    assert all("untrusted data" in m[0]["content"] for kind, m in model.calls if kind == "choose")
    assert all(c.signals["p_null"] == pytest.approx(0.1) for c in g.criteria)


def test_gain_is_log_odds_over_the_anchor_and_zero_for_a_list(bank):
    from interviewer.grader.signals import model_gain

    assert model_gain(0.5, 0.5, 1.0) == 0.0
    assert model_gain(0.9, 0.5, 1.0) == pytest.approx(2.197, abs=1e-3)
    assert model_gain(0.9, 0.5, 0.0) == 0.0  # a bare list of terms makes no point
    assert model_gain(0.2, 0.5, 1.0) < 0
    q = bank.get("ml-fundamentals-01")
    listed = Grader(keyword_model()).grade(q, "overfitting, variance, bias, regularization, dropout, early stopping")
    assert all(c.signals["gain"] == 0.0 for c in listed.criteria)


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
        for g in (Grader(None).grade(q, answer), Grader(leaning_model()).grade(q, answer)):
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
    missed = [c.criterion_id for c in base.missed(core=True)]
    assert "regularization-tools" in missed
    follow = grader.grade(q, "Regularization like L1 lasso, L2 ridge, dropout and early stopping reduces variance.",
                          criteria=["regularization-tools"])
    assert [c.criterion_id for c in follow.criteria] == ["regularization-tools"]
    merged = grader.merge(base, follow, q)
    reg = next(c for c in merged.criteria if c.criterion_id == "regularization-tools")
    assert reg.signals["followup"] > 0
    assert reg.score == pytest.approx(0.8 * follow.criteria[0].score, abs=1e-3)
    assert merged.score > base.score
    assert reg not in merged.missed(core=True) or reg.verdict == Verdict.PARTIAL


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
