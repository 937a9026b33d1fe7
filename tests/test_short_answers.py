"""The short-answer map (interviewer/grader/short.py): used for rubrics drafted from a reference, never for a
bank's hand-written rubrics, whose grades must not change."""

from __future__ import annotations

import json
from importlib import resources

import pytest
from fakes import ScriptedModel
from injection_wrappers import HONEST, WRAPPERS

from interviewer.bank.models import Question
from interviewer.bank.storage import load_bank
from interviewer.grader import short
from interviewer.grader.batch import _cached_rubric
from interviewer.grader.calibration import Calibration
from interviewer.grader.draft import draft_rubric
from interviewer.grader.grader import NULL_ANSWER, Grader
from interviewer.llm.base import CACHE_BREAK

QUESTION = "What is a stack, and which operations does it support?"
REFERENCE = "A stack is a last-in first-out data structure whose push and pop operations act on the top element."
COPY = REFERENCE
PARAPHRASE = "A LIFO structure: push adds an element on top, pop removes the top element, so the last in is first out."
PARTIAL = "It is a data structure where you push elements."
ECHO = "A stack is a thing that supports operations, it is a stack."
OFF_TOPIC = "Hash tables map keys to values with a hash function and resolve collisions by chaining."


def drafted(question: str = QUESTION, reference: str = REFERENCE) -> Question:
    return Question(id="custom-q", category="Custom", number=1, question=question, reference_answer=reference)


@pytest.fixture(scope="module")
def bank():
    return load_bank(include_user=False)


def test_bank_rubrics_are_not_drafted_so_they_keep_the_first_map(bank):
    rubricked = [q for q in bank.questions.values() if q.rubric is not None]
    assert rubricked
    assert not any(short.is_drafted(q) for q in rubricked)
    q = rubricked[0]
    first = Calibration.load().lexical
    g = Grader(None).grade(q, "Some answer about " + q.question)
    for c in g.criteria:
        assert "recall" not in c.signals and "scale" not in c.signals
        assert c.score == pytest.approx(first(c.signals), abs=1e-3)


def test_a_question_without_rubric_or_with_its_draft_uses_the_short_map():
    q = drafted()
    assert short.is_drafted(q)
    with_draft = q.model_copy(update={"rubric": _cached_rubric(QUESTION, REFERENCE)})  # as batch grading builds it
    assert short.is_drafted(with_draft)
    edited = draft_rubric(QUESTION, REFERENCE)
    edited.criteria[0].point = "A stack is last-in first-out."
    assert not short.is_drafted(q.model_copy(update={"rubric": edited}))

    grader = Grader(None)
    g = grader.grade(with_draft, PARAPHRASE)
    for c in g.criteria:
        assert {"recall", "precision", "length"} <= c.signals.keys()
        assert c.score == pytest.approx(grader.short_map.lexical(c.signals), abs=1e-3)


def test_lexical_signals():
    c = draft_rubric(QUESTION, REFERENCE).criteria[0]
    copy = short.lexical_signals(QUESTION, COPY, c)
    assert copy["recall"] == 1.0 and copy["precision"] == 1.0 and copy["bigrams"] == 1.0
    echo = short.lexical_signals(QUESTION, ECHO, c)
    assert echo["recall"] == 0.0 and echo["echo"] > 0.0  # the question's words earn no recall
    typo = short.lexical_signals(QUESTION, "A stak is last-in frist-out; push and pop work on the topp element.", c)
    # Character grams survive misspellings: most of a misspelled answer's grams are still the reference's.
    assert typo["precision"] > 0.6 > short.lexical_signals(QUESTION, OFF_TOPIC, c)["precision"]
    assert short.lexical_signals(QUESTION, "", c) == {"recall": 0.0, "bigrams": 0.0, "precision": 0.0,
                                                      "length": 0.0, "echo": 0.0}
    long = short.lexical_signals(QUESTION, " ".join(["element"] * 20 + [f"word{i}" for i in range(200)]), c)
    assert long["length"] == 1.0 and long["precision"] < 0.2


def test_model_free_short_grades_are_ordered():
    grader, q = Grader(None), drafted()
    scores = [grader.grade(q, a).score for a in (COPY, PARAPHRASE, PARTIAL, ECHO, OFF_TOPIC)]
    assert scores[0] >= scores[1] > scores[2] > scores[3] == scores[4] == 0.0, scores  # an echo of the question: no evidence


def test_a_bare_list_earns_no_lexical_credit():
    grader, q = Grader(None), drafted()
    listed = grader.grade(q, "stack, LIFO, push, pop, top, element, last-in, first-out")
    assert listed.score < grader.grade(q, PARTIAL).score


def scale_model(rating: dict[str, float], anchor: dict[str, float]) -> ScriptedModel:
    """A fake that rates any real answer by `rating` and the content-free anchor by `anchor` (P of "0".."5"),
    and says Yes with P 0.5 to every point."""

    def rule(messages, options):
        text = messages[-1]["content"].replace(CACHE_BREAK, "")
        if options == list(short.SCALE):
            return anchor if f"<answer>\n{NULL_ANSWER}\n</answer>" in text else rating
        return {"Yes": 0.5, "No": 0.5}

    return ScriptedModel(choose_rule=rule)


def test_scale_view_with_its_anchor():
    model = scale_model({"4": 0.5, "5": 0.5}, {"0": 0.5, "1": 0.5})
    grader, q = Grader(model), drafted()
    g = grader.grade(q, PARAPHRASE)
    sig = g.criteria[0].signals
    assert sig["scale"] == pytest.approx(0.9) and sig["scale_null"] == pytest.approx(0.1)
    assert sig["scale_gain"] == pytest.approx(0.8)
    assert g.criteria[0].score == pytest.approx(grader.short_map.with_model(sig), abs=1e-3)
    prompts = [m[-1]["content"] for kind, m in model.calls if "from 0 (not at all) to 5" in m[-1]["content"]]
    assert len(prompts) == 2 * len(g.criteria)  # the answer and the anchor, once per point
    # The answer is delimited as untrusted data, in the same prefix as the Yes/No prompt's (evaluated once).
    yes_no = [m for kind, m in model.calls if "Reply Yes or No" in m[-1]["content"]][-1]
    head = prompts[-1].split("</answer>")[0]
    assert PARAPHRASE in head and yes_no[-1]["content"].startswith(head)
    grader.grade(q, PARTIAL)
    again = [m for kind, m in model.calls if "from 0 (not at all) to 5" in m[-1]["content"]]
    assert len(again) == 3 * len(g.criteria)  # the anchor is computed once per question and point



def test_the_scale_view_moves_the_score():
    q = drafted()
    high = Grader(scale_model({"5": 1.0}, {"0": 1.0})).grade(q, PARTIAL).score
    low = Grader(scale_model({"0": 1.0}, {"0": 1.0})).grade(q, PARTIAL).score
    assert high > low


@pytest.mark.parametrize("wrapper", sorted(WRAPPERS))
def test_no_injection_wrapper_raises_a_short_grade(wrapper):
    """The wrappers of bench/injection_wrappers.py around their honest answer, on a drafted rubric (the
    model-free map: padding and instructions add words, which `length` rewards and `precision` penalizes)."""
    q = drafted("What is the bias-variance trade-off?",
                "Bias is error from overly simple assumptions; variance is error from sensitivity to the training "
                "set. Reducing one tends to raise the other.")
    grader = Grader(None)
    assert grader.grade(q, WRAPPERS[wrapper]).score <= grader.grade(q, HONEST).score + 0.25


def test_the_shipped_map_says_how_it_was_made():
    data = json.loads((resources.files("interviewer.grader") / "short.json").read_text("utf-8"))
    for key in ("with_model", "lexical"):
        assert "held-back" in data[key]["source"] and data[key]["coef"]
    assert {"recall", "precision", "length"} <= data["lexical"]["coef"].keys()
    assert "scale" in data["with_model"]["coef"]


@pytest.mark.slow
def test_real_model_ranks_a_right_short_answer_over_a_wrong_one(default_model):
    """The default model through the short map: the reference's idea in other words beats a wrong answer."""
    grader, q = Grader(default_model), drafted()
    right = grader.grade(q, PARAPHRASE)
    wrong = grader.grade(q, "A stack is first-in first-out: elements leave from the bottom in arrival order, "
                            "like a queue at a shop.")
    assert {"scale", "scale_null", "gain"} <= right.criteria[0].signals.keys()
    assert right.score > wrong.score


def test_the_review_grade_keeps_the_short_maps_credit():
    """Batch grading shows the review grade: on a drafted rubric its credit is the short map's."""
    from interviewer.grader.review import Reviewer

    q = drafted()
    for answer in (PARAPHRASE, PARTIAL, ECHO):
        live = Grader(None).grade(q, answer)
        review = Reviewer(None).review(q, answer)
        assert [c.score for c in review.criteria] == [c.score for c in live.criteria]
        assert review.score == pytest.approx(live.score, abs=0.01)


def test_no_evidence_no_credit_on_a_drafted_rubric():
    """The short map's intercept carries Mohler's leniency; an answer with none of the reference's words (and no
    model rating it right) earns nothing."""
    from interviewer.bank.models import Question
    from interviewer.grader.grader import Grader

    q = Question(id="custom-proto", category="custom", number=1,
                 question="What is the role of a prototype program in problem solving?",
                 reference_answer="To simulate the behaviour of portions of the desired software product.")
    grader = Grader(None)
    for nothing in ("I don't know.", "banana", "The weather is nice today and I like trains."):
        assert grader.grade(q, nothing).score == 0.0, nothing
    assert grader.grade(q, "It simulates parts of the desired software product.").score > 7
