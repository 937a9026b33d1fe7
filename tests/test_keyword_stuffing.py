"""Keyword stuffing: the rubric's key terms appended to a weak answer earn what a list earns, with the model-free
grader and in the model signal's prose share; an honest enumeration inside an explaining sentence keeps its credit.
bench/stuffing.py measures the same attack on every bank question."""

from __future__ import annotations

import pytest

from interviewer.bank.storage import load_bank
from interviewer.grader.grader import rubric_for
from interviewer.grader.signals import explained_coverage, explaining_part, list_likeness
from interviewer.grading import make_grader

# The attack of issue 19: the first 25 words of the reference answer, then the first term of every key-term group.
QUESTIONS = ["deep-learning-01", "agents-tool-use-01", "ml-fundamentals-01"]
ATTACKS = {
    "also-list": lambda weak, terms: weak + " Also: " + ", ".join(terms),
    "also-newline": lambda weak, terms: weak + "\nAlso: " + ", ".join(terms),
    "and-list": lambda weak, terms: weak + " It involves " + ", ".join(terms[:-1]) + " and " + terms[-1] + ".",
}
ENUMERATION = ("Common choices are Adam, SGD with momentum, and RMSProp, each of which adapts the step size "
               "per parameter.")


@pytest.fixture(scope="module")
def bank():
    return load_bank(include_user=False)


@pytest.fixture(scope="module")
def lexical():
    return make_grader(None)


def weak_answer(question) -> str:
    return " ".join(question.reference_answer.split()[:25])


def first_terms(question) -> list[str]:
    return [group[0] for c in rubric_for(question).criteria for group in c.key_terms]


@pytest.mark.parametrize("attack", list(ATTACKS))
@pytest.mark.parametrize("qid", QUESTIONS)
def test_stuffed_terms_do_not_raise_the_lexical_score(bank, lexical, qid, attack):
    q = bank.get(qid)
    weak = lexical.grade(q, weak_answer(q))
    stuffed = lexical.grade(q, ATTACKS[attack](weak_answer(q), first_terms(q)))
    assert stuffed.score <= weak.score + 1.0, (weak.score, stuffed.score)  # before the fix: 2.50 -> 9.61 and such
    assert "keyword_list" in [f.value for f in stuffed.flags]
    assert "keyword_list" not in [f.value for f in weak.flags]


def test_stuffed_list_is_mostly_list_for_the_model_signal(bank):
    q = bank.get("deep-learning-01")
    weak = weak_answer(q)
    stuffed = ATTACKS["also-list"](weak, first_terms(q))
    assert list_likeness(stuffed) > list_likeness(weak) + 0.3  # the model's gain is scaled by 1 - list_likeness


def test_an_explained_enumeration_keeps_its_credit(bank, lexical):
    assert explaining_part(ENUMERATION) == ENUMERATION
    assert list_likeness(ENUMERATION) == 0
    q = bank.get("deep-learning-01")
    prose = ("BatchNorm normalizes each channel with the mean and variance computed across the batch, so every "
             "example depends on the rest of its mini-batch. LayerNorm normalizes across the features of each sample "
             "on its own, so it has no batch dependency and behaves the same at train and inference time.")
    enumeration = (" I would pick it for transformers, RNNs and NLP models, BatchNorm for CNNs on images with large "
                   "batches, and GroupNorm for detection with small batches, because each was designed for that case.")
    plain, enumerated = lexical.grade(q, prose), lexical.grade(q, prose + enumeration)
    when = rubric_for(q).criterion("when-to-use")
    assert explained_coverage(prose + enumeration, when) == 1
    assert enumerated.score > plain.score + 1.0
    assert list_likeness(prose + enumeration) < 0.1
    assert "keyword_list" not in [f.value for f in enumerated.flags]


def test_a_bare_list_of_the_answer_set_earns_little(bank, lexical):
    q = bank.get("deep-learning-01")
    listed = ("Normalization layers: batch normalization, layer normalization, internal covariate shift. "
              "BatchNorm is across the batch, batch statistics, per channel, running mean, running variance, "
              "eval mode. "
              "LayerNorm: per sample, feature dimension, no batch dependency, transformers, NLP.")
    grade = lexical.grade(q, listed)
    assert grade.score < 1.0  # overlap with the sources counts outside bare lists only (2.99 before)
    assert "keyword_list" in [f.value for f in grade.flags]
