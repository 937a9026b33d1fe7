"""The review grade in an interview: queued in the background once a question is settled, stored when it lands,
shown instead of the live grade (which is provisional until then), never lost when it fails, and queued again on
resume when a restart lost it."""

from __future__ import annotations

import threading
import time
from collections.abc import Sequence

from interviewer.bank.models import Question
from interviewer.engine import Interview, InterviewConfig
from interviewer.engine.reviews import REPORT_WAIT_S
from interviewer.grader.grader import Grader
from interviewer.grader.models import FactError, Grade, GradeStage, Verdict
from interviewer.vocabulary import QuestionStatus

ANSWER = ("Retrieval quality depends on chunking: I split documents into overlapping chunks of a few hundred "
          "tokens, embed them, and rerank the top results with a cross-encoder before they reach the prompt.")


class FakeReviewer:
    """Reviews with the lexical grader, then sets a known score and one error quoted from the answer."""

    def __init__(self, score: float = 9.1, fail: bool = False, gate: threading.Event | None = None) -> None:
        self.score, self.fail, self.gate = score, fail, gate
        self.calls: list[tuple[str, str]] = []

    def review(self, question: Question, answer: str, *, hinted: Sequence[str] = ()) -> Grade:
        self.calls.append((question.id, answer))
        if self.gate is not None:
            self.gate.wait(30)
        if self.fail:
            raise RuntimeError("the review model fell over")
        live = Grader(None).grade(question, answer)
        criteria = [live.criteria[0].model_copy(update={"verdict": Verdict.WRONG, "score": 0.0})] + live.criteria[1:]
        return live.model_copy(update={
            "stage": GradeStage.REVIEW, "score": self.score, "criteria": criteria, "model_id": "fake-review",
            "errors": [FactError(quote=answer.split(":")[0], correction="the reference's words", confidence=0.9)],
        })


def start(reviewer: FakeReviewer, questions: int = 2) -> Interview:
    interview, _ = Interview.start(InterviewConfig(questions=questions, lexical=True, seed=5, max_followups=0),
                                   reviewer=reviewer)
    return interview


def test_a_settled_question_is_reviewed_in_the_background_and_its_review_is_the_score_kept():
    reviewer = FakeReviewer(score=9.1)
    interview = start(reviewer)
    reply = interview.answer(ANSWER)
    assert not reply.done
    assert interview.wait_reviews(REPORT_WAIT_S)
    assert [qid for qid, _ in reviewer.calls] == [reply.question_id]
    assert reviewer.calls[0][1] == ANSWER  # the candidate's words only, never the interviewer's

    report = interview.report()
    [q] = report["questions"]
    assert q["score"] == 9.1 and q["reviewed"] and not q["provisional"]
    assert q["live_score"] == reply.score and q["live_score"] != 9.1
    assert q["errors"] == [{"quote": "Retrieval quality depends on chunking", "correction": "the reference's words",
                            "criterion_id": None, "confidence": 0.9}]
    assert q["wrong"] and q["wrong"][0] not in q["missed"]  # stated wrongly is not "missed"
    card = interview.score_card()
    assert card.score == 9.1 and not card.provisional and card.errors

    turn = interview.store.turns(interview.session_id)[0]
    assert turn["score"] == 9.1 and turn["live_score"] == reply.score
    assert turn["review"].stage == GradeStage.REVIEW
    assert interview.store.mastery()  # the category's mastery counts the review
    exported = interview.export()
    assert exported["transcript"][0]["review"]["score"] == 9.1
    assert exported["report"]["questions"][0]["score"] == 9.1
    interview.close()


def test_the_last_answer_waits_for_its_review_and_the_report_shows_it():
    reviewer = FakeReviewer(score=8.0)
    interview = start(reviewer, questions=1)
    reply = interview.answer(ANSWER)
    assert reply.done
    [report_message] = [m for m in reply.messages if m["kind"] == "report"]
    assert "8.0/10" in report_message["text"] and "provisional" not in report_message["text"]
    assert "Wrong (what you said" in report_message["text"] and "Retrieval quality depends on chunking" in \
        report_message["text"]
    assert [m["text"] for m in interview.messages() if m["kind"] == "report"] == [report_message["text"]]
    row = interview.store.session(interview.session_id)
    assert row["score"] == 8.0 and row["status"] == "finished"
    interview.close()


def test_a_review_still_running_leaves_the_live_grade_marked_provisional():
    gate = threading.Event()
    reviewer = FakeReviewer(gate=gate)
    interview = start(reviewer)
    reply = interview.answer(ANSWER)
    q = interview.report()["questions"][0]
    assert q["provisional"] and q["score"] == reply.score and not q["reviewed"]
    assert interview.score_card().provisional
    assert "provisional" in interview.report_markdown()
    gate.set()
    assert interview.wait_reviews(REPORT_WAIT_S)
    assert not interview.report()["questions"][0]["provisional"]
    interview.close()


def test_a_failed_review_loses_nothing_and_is_retried_on_resume():
    failing = FakeReviewer(fail=True)
    interview = start(failing)
    reply = interview.answer(ANSWER)
    assert interview.wait_reviews(REPORT_WAIT_S)
    sid = interview.session_id
    q = interview.report()["questions"][0]
    assert q["score"] == reply.score and q["provisional"]  # the live grade stands
    assert interview.store.turns(sid)[0]["score"] == reply.score
    interview.close()

    working = FakeReviewer(score=7.7)
    with Interview.resume(sid, reviewer=working) as again:
        assert again.wait_reviews(REPORT_WAIT_S)
        assert [c[1] for c in working.calls] == [ANSWER]
        assert again.report()["questions"][0]["score"] == 7.7
    with Interview.resume(sid, reviewer=FakeReviewer()) as third:  # stored: nothing is reviewed twice
        assert third.review() == 0


def test_reviews_can_be_turned_off(monkeypatch):
    monkeypatch.setenv("INTERVIEWER_REVIEW", "0")
    from interviewer.settings import get_settings

    get_settings.cache_clear()
    reviewer = FakeReviewer()
    interview = start(reviewer)
    interview.answer(ANSWER)
    assert interview.review() == 0 and reviewer.calls == []
    q = interview.report()["questions"][0]
    assert not q["provisional"] and not q["reviewed"]
    interview.close()


def test_a_skipped_question_is_not_reviewed_and_keeps_zero():
    reviewer = FakeReviewer()
    interview = start(reviewer)
    interview.answer("/skip")
    assert interview.review() == 0 and reviewer.calls == []
    q = interview.report()["questions"][0]
    assert q["status"] == QuestionStatus.SKIPPED and q["score"] == 0.0 and not q["provisional"]
    interview.close()


def test_one_review_per_question_however_often_it_is_asked_for():
    gate = threading.Event()
    reviewer = FakeReviewer(gate=gate)
    interview = start(reviewer)
    interview.answer(ANSWER)
    for _ in range(3):
        interview.review()
    gate.set()
    assert interview.wait_reviews(REPORT_WAIT_S)
    assert len(reviewer.calls) == 1
    interview.close()


def test_the_last_questions_review_is_read_ahead_from_its_drafts_and_never_stored():
    reviewer = FakeReviewer()
    interview = start(reviewer, questions=1)
    draft = ANSWER + " Then I measure recall at k on a labelled set of queries."
    interview.warm("too short to review")
    interview.warm(draft)
    deadline = time.monotonic() + 10
    while not reviewer.calls and time.monotonic() < deadline:
        time.sleep(0.05)
    assert [text for _, text in reviewer.calls] == [draft]
    assert interview.wait_reviews(REPORT_WAIT_S) and interview.store.reviews(interview.session_id) == {}
    interview.close()


def test_an_earlier_question_is_not_read_ahead():
    reviewer = FakeReviewer()
    interview = start(reviewer, questions=2)
    interview.warm(ANSWER + " Then I measure recall at k on a labelled set of queries.")
    assert interview.wait_reviews(REPORT_WAIT_S) and reviewer.calls == []
    interview.close()
