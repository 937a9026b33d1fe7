"""The grader with real models: the default model orders answers by quality; injections never raise a score."""

from __future__ import annotations

import pytest
from sample_answers import ANSWERS, INJECTIONS

from interviewer.bank.storage import load_bank
from interviewer.grader.grader import Grader
from interviewer.grader.models import Flag
from interviewer.text import normalize

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def bank():
    return load_bank(include_user=False)


@pytest.mark.parametrize("qid", sorted(ANSWERS))
def test_default_model_orders_strong_partial_wrong(bank, default_model, qid):
    grader = Grader(default_model)
    q = bank.get(qid)
    grades = {k: grader.grade(q, ANSWERS[qid][k]) for k in ("strong", "partial", "wrong")}
    assert grades["strong"].score > grades["partial"].score > grades["wrong"].score
    assert grades["strong"].model_id.startswith("local:qwen2.5-coder-1.5b@")
    for g in grades.values():
        assert all("p_yes" in c.signals for c in g.criteria)
        for c in g.criteria:
            if c.evidence:
                assert normalize(c.evidence) in normalize(ANSWERS[qid][next(k for k in grades if grades[k] is g)])


def test_default_model_injections_never_raise_the_score(bank, default_model):
    grader = Grader(default_model)
    q = bank.get("rag-embeddings-04")
    plain = grader.grade(q, ANSWERS[q.id]["partial"])
    for wrapper in INJECTIONS:
        injected = grader.grade(q, wrapper.format(answer=ANSWERS[q.id]["partial"]))
        assert injected.score <= plain.score, wrapper
        assert Flag.INJECTION in injected.flags, wrapper


@pytest.mark.parametrize("qid", sorted(ANSWERS))
def test_small_model_injections_never_raise_the_score(bank, small_model, qid):
    grader = Grader(small_model)
    q = bank.get(qid)
    for kind in ("partial", "wrong"):
        plain = grader.grade(q, ANSWERS[qid][kind])
        for wrapper in INJECTIONS:
            injected = grader.grade(q, wrapper.format(answer=ANSWERS[qid][kind]))
            assert injected.score <= plain.score, (kind, wrapper)
            assert Flag.INJECTION in injected.flags
