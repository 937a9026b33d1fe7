"""Turns that are not answers, through the engine (model-free grading): clarifying questions, "I don't know",
hints and questions about the interview. None is graded; none gives a rubric point away."""

from __future__ import annotations

import pytest

from interviewer.bank.storage import load_bank
from interviewer.engine import Interview, InterviewConfig
from interviewer.text import content_stems, contains_phrase

ANSWER = ("Random search samples each hyperparameter independently, so with the same budget it tries many more "
          "distinct values of the few parameters that matter than a grid does; Bayesian optimisation fits a "
          "surrogate model to past trials and picks the next one by expected improvement.")


@pytest.fixture
def interview():
    it, _ = Interview.start(InterviewConfig(categories=["ML Fundamentals"], questions=2, max_followups=1,
                                            lexical=True, seed=1))
    yield it
    it.close()


def kinds(reply):
    return [m["kind"] for m in reply.messages]


def leaks_core_term(text: str, question) -> list[str]:
    stems = content_stems(text)
    q_stems = content_stems(question.question)
    return [t for c in question.rubric.criteria if c.core for g in c.key_terms for t in g
            if contains_phrase(stems, t) and not contains_phrase(q_stems, t)]


def test_a_clarifying_question_is_answered_and_the_next_message_is_graded(interview):
    q = interview.bank.get(interview.status().question_id)
    reply = interview.answer("Could you clarify what you mean? Do you want the math or the intuition?")
    assert kinds(reply) == ["clarification"] and reply.grade is None
    assert q.scope and q.scope in reply.messages[0]["text"]
    assert not leaks_core_term(reply.messages[0]["text"], q)
    assert interview.status().position == 1 and interview.status().phase == "question"
    graded = interview.answer("Random forests average many deep trees trained on bootstrap samples with random "
                              "feature subsets; boosting adds shallow trees one after another, each fitting the "
                              "errors of the ensemble so far.")
    assert graded.grade is not None and graded.question_id == q.id


def test_i_dont_know_offers_one_hint_then_moves_on_as_skipped_after_a_hint(interview):
    q = interview.bank.get(interview.status().question_id)
    first = interview.answer("I don't know.")
    assert kinds(first) == ["hint"] and first.grade is None
    hinted = [c for c in q.rubric.criteria if c.probes[0] in first.messages[0]["text"]]
    assert len(hinted) == 1 and hinted[0].core
    second = interview.answer("no idea, sorry")
    assert interview.status().position == 2
    entry = interview.report()["questions"][0]
    assert entry["status"] == "skipped" and entry["after_hint"] and entry["score"] == 0
    assert entry["followups"] == 0 and "skipped after a hint" in interview.report_markdown()
    assert "notice" in kinds(second)


def test_a_hint_on_request_lowers_that_points_credit(interview):
    interview.answer("/skip")  # to the hyperparameter question
    q = interview.bank.get(interview.status().question_id)
    hint = interview.answer("Can you give me a hint?")
    assert kinds(hint) == ["hint"]
    target = next(c for c in q.rubric.criteria if c.probes[0] in hint.messages[0]["text"])
    graded = interview.answer(ANSWER)
    assert graded.grade.criterion(target.id).signals.get("hinted") == 1.0
    entry = interview.report()["questions"][-1]
    assert target.point in entry["hinted"]


def test_questions_about_the_interview_are_answered_from_its_state(interview):
    reply = interview.answer("how many questions are left?")
    assert kinds(reply) == ["meta"]
    assert "question 1 of 2" in reply.messages[0]["text"] and "/quit" in reply.messages[0]["text"]
    assert interview.status().position == 1


def test_a_message_that_asks_and_answers_is_an_answer(interview):
    reply = interview.answer("Not sure what depth you want, but: random forests average independent deep trees "
                             "to cut variance, while gradient boosting fits shallow trees sequentially to the "
                             "residuals, so it reduces bias; XGBoost adds regularisation and second-order splits.")
    assert reply.grade is not None


def test_every_shipped_hint_and_scope_names_no_core_point():
    for q in load_bank(include_user=False).questions.values():
        assert q.scope, q.id
        assert not leaks_core_term(q.scope, q), q.id


# -- a question or an answer? the candidate is asked ("unsure" in turns.py) --------------------------------------
#: Two alternatives and a short claim: a clarifying question, or a guess? (the first question is on tree models)
UNSURE = "XGBoost or LightGBM? add regularisation"
TREES = ("Random forests average many deep trees trained on bootstrap samples with random feature subsets; boosting "
         "adds shallow trees one after another, each fitting the errors of the ensemble so far.")


def answers_recorded(interview) -> list[str]:
    return [a["text"] for t in interview.export()["transcript"] for a in t["answers"]]


def test_an_unsure_message_is_held_and_graded_once_the_candidate_says_it_was_the_answer(interview):
    qid = interview.status().question_id
    asked = interview.answer(UNSURE)
    assert kinds(asked) == ["confirm"] and asked.grade is None
    assert "your answer" in asked.messages[0]["text"] and "question about the question" in asked.messages[0]["text"]
    assert interview.messages()[-2] == {"role": "candidate", "kind": "turn", "text": UNSURE, "position": 1}
    assert answers_recorded(interview) == []  # not graded, not stored as an answer yet
    sid = interview.session_id
    interview.close()
    with Interview.resume(sid) as again:  # the held message survives in the checkpoint
        graded = again.answer("yes, that's my answer")
        assert graded.grade is not None and graded.question_id == qid
        assert answers_recorded(again) == [UNSURE]
        assert again.messages()[-len(graded.messages) - 1]["text"] == "yes, that's my answer"


def test_an_unsure_message_the_candidate_calls_a_question_is_answered_as_one(interview):
    q = interview.bank.get(interview.status().question_id)
    interview.answer(UNSURE)
    reply = interview.answer("it was a question")
    assert kinds(reply) == ["clarification"] and reply.grade is None and q.scope in reply.messages[0]["text"]
    assert interview.status().position == 1 and answers_recorded(interview) == []
    graded = interview.answer(TREES)  # the next message is the answer
    assert graded.grade is not None and answers_recorded(interview) == [TREES]


def test_an_unsure_message_leaning_to_the_interview_is_answered_about_the_interview(interview):
    asked = interview.answer("How much time do I have? bagging first")
    assert kinds(asked) == ["confirm"] and "question about the interview" in asked.messages[0]["text"]
    reply = interview.answer("question")
    assert kinds(reply) == ["meta"] and "question 1 of 2" in reply.messages[0]["text"]


def test_any_other_reply_to_the_confirmation_is_a_message_of_its_own(interview):
    interview.answer(UNSURE)
    graded = interview.answer(TREES)  # a real answer instead: graded, the held message dropped
    assert graded.grade is not None and answers_recorded(interview) == [TREES]
    later = interview.answer("answer")  # no longer a confirmation: read as a message (a one-word answer)
    assert "confirm" not in kinds(later)
