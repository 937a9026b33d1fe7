"""A question is prepared when it is asked: the first answer does not pay for the model's first evaluation or
the question's anchors (issue 19: the first answer waited 14 s, the later ones 2 s)."""

from __future__ import annotations

import pytest

from interviewer.engine import Interview, InterviewConfig
from interviewer.grader.grader import Grader

SMALL = "local:smollm2-135m"


@pytest.mark.slow
def test_asking_a_question_computes_its_anchors_in_the_background(small_model):
    small_model.clear_memo()
    interview, _ = Interview.start(InterviewConfig(questions=2, model=SMALL, max_followups=0, seed=5))
    with interview:
        question = interview.bank.get(interview.status().question_id)
        _join_preparation(interview, question.id)  # start() began it: the question was not delayed for it
        fresh = Grader(small_model)  # a new grader (as each request makes) still finds them in the model's memo
        hits, tokens = small_model.stats.memo_hits, small_model.stats.prompt_tokens
        for c in question.rubric.criteria:
            fresh.p_null(question, c)
        assert small_model.stats.memo_hits - hits == len(question.rubric.criteria)
        assert small_model.stats.prompt_tokens == tokens  # nothing left to read for the anchors
        # the answer moves on to the next question, which is prepared in turn
        interview.answer("Honestly I would start by measuring it.")
        nxt = interview.bank.get(interview.status().question_id)
        assert nxt.id != question.id
        _join_preparation(interview, nxt.id)  # answer() began it for the new question
        hits = small_model.stats.memo_hits
        for c in nxt.rubric.criteria:
            fresh.p_null(nxt, c)
        assert small_model.stats.memo_hits - hits == len(nxt.rubric.criteria)


def test_nothing_is_prepared_without_a_memoizing_model(fake_model):
    """An API model (no memo) is never called ahead: the work could not reach the answer's grade."""
    interview, _ = Interview.start(InterviewConfig(questions=1, model="fake:scripted", max_followups=0, seed=1))
    with interview:
        thread = interview.prepare()
        thread.join(10)
        assert fake_model.calls == []
        assert Grader(fake_model).prepare(interview.bank.get(interview.status().question_id)) == 0


def _join_preparation(interview: Interview, question_id: str) -> None:
    """Wait for the background preparation the engine started for a question (it must have started one)."""
    thread = interview.preparing
    assert thread is not None and thread.name == f"prepare-{question_id}", "no preparation for the question"
    thread.join(120)
    assert not thread.is_alive()
