"""The review grade (interviewer/grader/review.py, claims.py): logic with the scripted fake, one real-model run."""

from __future__ import annotations

import math

import pytest
from fakes import ScriptedModel

from interviewer.bank.storage import load_bank
from interviewer.grader.claims import alignment, claims, polarity_flips, reference_units
from interviewer.grader.grader import FOLLOWUP_CREDIT, rubric_for
from interviewer.grader.models import GradeStage, Verdict
from interviewer.grader.review import WRONG_CREDIT, ReviewCalibration, Reviewer, ReviewMapError
from interviewer.grader.signals import verify_quote
from interviewer.llm.base import CACHE_BREAK

QID = "deep-learning-01"
RIGHT = ("BatchNorm normalizes each channel with the mean and variance computed over the batch, and over the spatial "
         "positions in a conv net. LayerNorm normalizes each sample over its own features, so it does not depend on "
         "the batch at all. BatchNorm keeps running averages for inference, while LayerNorm computes the same thing "
         "in training and at inference. Transformers use LayerNorm, CNNs like ResNet use BatchNorm.")
ERROR = ("BatchNorm works as well or better at batch size 2 or 4, because the noisier batch statistics act as extra "
         "regularization.")
# Maps fixed here so that the tests do not depend on the fitted numbers in review_calibration.json.
MAPS = ReviewCalibration.from_dict({
    "with_model": {"credit": {"intercept": 0.0, "coef": {"gain": 0.4}},
                   "contradiction": {"intercept": -1.0, "coef": {"contra": 1.0}, "error": 0.7, "wrong": 0.7}},
    "lexical": {"credit": {"intercept": 0.0, "coef": {"coverage": 0.7, "overlap": 0.5}},
                "contradiction": {"intercept": -4.0, "coef": {"flips": 1.0}, "error": 0.99, "wrong": 0.99}},
})


@pytest.fixture(scope="module")
def question():
    return load_bank(include_user=False).get(QID)


CONTRAST = "BatchNorm is stable with tiny batches."  # what the scripted model writes as the false version


def _claim_and_options(content: str) -> tuple[str, str, str]:
    content = content.replace(CACHE_BREAK, "")
    claim = content.split("<claim>")[1].split("</claim>")[0]
    first = content.split('\nA: "')[1].split('"\n')[0]
    second = content.split('\nB: "')[1].split('"\n')[0]
    return claim, first, second


def judge(messages, options):
    """Yes/No (the live grade's points): leans Yes on any answer, less on "I don't know.". A/B (the review's forced
    choice between the reference statement and CONTRAST): ERROR sides with the contrast, other claims with the
    reference, each with a lean to A that asking in both orders must cancel."""
    content = messages[-1]["content"]
    if options == ["Yes", "No"]:
        p = 0.3 if "I don't know." in content.replace(CACHE_BREAK, "") else 0.9
        return {"Yes": p, "No": 1 - p}
    claim, first, second = _claim_and_options(content)
    wants = CONTRAST if "as well or better at batch size 2" in claim else next(s for s in (first, second)
                                                                              if s != CONTRAST)
    p_a = 0.95 if first == wants else 0.15
    return {"A": p_a, "B": 1 - p_a}


class ContrastModel(ScriptedModel):
    def _chat(self, messages, *, max_tokens, temperature):
        self.calls.append(("chat", messages))
        return f'"{CONTRAST}"\n'


def reviewer(rule=judge) -> Reviewer:
    return Reviewer(ContrastModel(choose_rule=rule), review_calibration=MAPS)


def test_a_wrong_point_costs_more_than_silence_on_it(question):
    with_error = reviewer().review(question, RIGHT + " " + ERROR)
    without = reviewer().review(question, RIGHT)
    assert with_error.stage == GradeStage.REVIEW
    wrong = [c for c in with_error.criteria if c.verdict == Verdict.WRONG]
    assert len(wrong) == 1 and wrong[0].signals["contradiction"] >= 0.7
    assert wrong[0].evidence is not None and verify_quote(wrong[0].evidence, RIGHT + " " + ERROR)
    # The score counts the wrong point at WRONG_CREDIT, below the 0 it would get for saying nothing on it.
    weights = {c.criterion_id: c.weight for c in with_error.criteria}
    total = sum(weights.values())
    silent = 10 * sum(c.weight * c.score for c in with_error.criteria) / total
    assert with_error.score == pytest.approx(max(0.0, silent + 10 * WRONG_CREDIT * wrong[0].weight / total), abs=0.02)
    assert with_error.score < silent
    assert with_error.score < without.score
    assert not any(c.verdict == Verdict.WRONG for c in without.criteria) and not without.errors


def test_errors_quote_the_answer_and_the_reference(question):
    answer = RIGHT + " " + ERROR
    grade = reviewer().review(question, answer)
    assert len(grade.errors) == 1
    err = grade.errors[0]
    assert verify_quote(err.quote, answer) and "batch size 2" in err.quote
    sources = [c.source for c in rubric_for(question).criteria]
    assert err.correction in question.reference_answer or err.correction in sources
    assert 0 <= err.confidence <= 1
    assert any(err.quote in line and err.correction in line for line in grade.feedback.wrong)
    assert grade.feedback.outline and grade.feedback.right


def test_a_claim_not_in_the_answer_is_never_reported(question):
    grade = reviewer().review(question, RIGHT)
    assert grade.errors == []
    assert all(verify_quote(e.quote, RIGHT) for e in grade.errors)


def test_hinted_points_count_less(question):
    plain = reviewer().review(question, RIGHT)
    target = next(c for c in plain.criteria if c.score > 0 and c.verdict != Verdict.WRONG)
    hinted = reviewer().review(question, RIGHT, hinted=[target.criterion_id])
    got = hinted.criterion(target.criterion_id)
    assert got is not None and got.score == pytest.approx(FOLLOWUP_CREDIT * target.score, abs=1e-3)
    assert got.signals.get("hinted") == 1.0 and hinted.score < plain.score


class ContendedModel(ContrastModel):
    """Live work waits for the model for the first `busy` looks at `contended`; records if a call ran while it did."""

    def __init__(self, busy: int) -> None:
        super().__init__(choose_rule=judge)
        self.busy = busy
        self.ran_while_contended = False

    @property
    def contended(self) -> bool:
        self.busy -= 1
        return self.busy >= 0

    def _choose(self, messages, options):
        if self.busy >= 0:
            self.ran_while_contended = True
        return super()._choose(messages, options)

    def _chat(self, messages, *, max_tokens, temperature):
        if self.busy >= 0:
            self.ran_while_contended = True
        return super()._chat(messages, max_tokens=max_tokens, temperature=temperature)


def test_prepare_writes_each_contrast_once_ahead(question):
    model = ContrastModel(choose_rule=judge)
    r = Reviewer(model, review_calibration=MAPS)
    assert r.prepare(question) == len(rubric_for(question).criteria)
    written = sum(1 for kind, _ in model.calls if kind == "chat")
    assert written == len(rubric_for(question).criteria)
    r.review(question, RIGHT)
    assert sum(1 for kind, _ in model.calls if kind == "chat") == written  # the review wrote none of them again
    assert Reviewer(None).prepare(question) == 0


def test_the_review_gives_way_to_live_work(question):
    model = ContendedModel(busy=5)
    Reviewer(model, review_calibration=MAPS).review(question, RIGHT)
    assert model.busy < 0 and not model.ran_while_contended


@pytest.mark.parametrize("junk", [{"A": float("nan"), "B": 0.5}, {"Yes": 1.0, "No": 0.0}, {}, {"A": -1.0, "B": 0.0},
                                  {"A": 0.0, "B": 0.0}])
def test_junk_model_output_reports_nothing_and_keeps_a_number(question, junk):
    def rule(messages, options):
        if options == ["Yes", "No"]:
            return judge(messages, options)
        return dict(junk)

    grade = reviewer(rule).review(question, RIGHT + " " + ERROR)
    assert math.isfinite(grade.score) and 0 <= grade.score <= 10
    assert grade.errors == [] and not any(c.verdict == Verdict.WRONG for c in grade.criteria)


def test_junk_contrast_skips_the_check(question):
    class Copycat(ScriptedModel):
        def _chat(self, messages, *, max_tokens, temperature):  # echoes the statement back: no contrast to use
            return messages[-1]["content"].split('reference answer: "')[1].split('"')[0]

    grade = Reviewer(Copycat(choose_rule=judge), review_calibration=MAPS).review(question, RIGHT + " " + ERROR)
    assert grade.errors == [] and all("contra" not in c.signals for c in grade.criteria)


def test_an_empty_answer_is_reviewed_without_model_calls(question):
    model = ContrastModel(choose_rule=judge)
    grade = Reviewer(model, review_calibration=MAPS).review(question, "   ")
    assert grade.stage == GradeStage.REVIEW and grade.score == 0 and not model.calls


def test_lexical_review_and_the_shipped_maps(question):
    ReviewCalibration.load()  # the shipped file parses
    grade = Reviewer(None).review(question, RIGHT + " " + ERROR)
    assert grade.stage == GradeStage.REVIEW and grade.model_id == "lexical"
    assert all(verify_quote(e.quote, RIGHT + " " + ERROR) for e in grade.errors)
    with pytest.raises(ReviewMapError):
        ReviewCalibration.from_dict({"with_model": {"credit": {}}, "lexical": {}})


def test_claims_are_verbatim_and_lists_are_not_claims(question):
    answer = RIGHT + "\nbatchnorm, layernorm, groupnorm, rmsnorm, running statistics\n" + ERROR
    found = claims(answer)
    assert found and all(verify_quote(c, answer) for c in found)
    assert not any("groupnorm, rmsnorm" in c for c in found)
    units = reference_units(question, rubric_for(question))
    assert all(u.criterion is not None or u.text in question.reference_answer for u in units)
    best = max(units, key=lambda u: alignment(found[1], u))
    assert best.criterion is not None and best.criterion.id == "layernorm-axis"


def test_polarity_cues():
    assert polarity_flips("BatchNorm is unstable with large batches.", "BatchNorm is unstable with small batches.") >= 1
    assert polarity_flips("The statistics do not depend on the batch.", "The statistics depend on the batch.") >= 1
    assert polarity_flips("BatchNorm is unstable with small batches.", "BatchNorm is unstable with small batches.") == 0


@pytest.mark.slow
def test_default_model_reviews_a_short_answer(default_model, question):
    answer = RIGHT + " " + ERROR
    reviewer = Reviewer(default_model)  # one reviewer: the statements' contrasts are written once
    grade = reviewer.review(question, answer)
    assert grade.stage == GradeStage.REVIEW and 0 <= grade.score <= 10
    assert grade.model_id.startswith("local:qwen2.5-coder-1.5b")
    assert len(grade.criteria) == len(rubric_for(question).criteria)
    for err in grade.errors:
        assert verify_quote(err.quote, answer)
        assert err.correction in question.reference_answer or any(
            err.correction == c.source for c in rubric_for(question).criteria)
    # A confident central error added to a right answer must not lift its review by more than a point (the default
    # model finds no errors yet, bench/README.md "Review grade"; a map that does would make this strict).
    assert grade.score <= reviewer.review(question, RIGHT).score + 1.0
