"""The transcript database as the read model of the graph state: one projection writes what the state says, as
idempotent upserts keyed by stable ids; mastery per category; lookups; grades read back as `Grade`s."""

from __future__ import annotations

import pytest

from interviewer.errors import SessionNotFound
from interviewer.grader.models import CriterionGrade, Grade
from interviewer.store import Transcripts
from interviewer.vocabulary import AnswerStatus, QuestionStatus


def grade(score: float, *criteria: tuple[str, str, float]) -> Grade:
    return Grade(question_id="q", score=score, confidence=0.9, model_id="lexical", prompt_version="p1",
                 rubric_version="r1", seconds=0.1,
                 criteria=[CriterionGrade(criterion_id=c, verdict=v, score=s, confidence=0.9, weight=2, core=True)
                           for c, v, s in criteria])


def question(position, category, qid=None, **more):
    return {"position": position, "question_id": qid or f"{category}-{position}", "category": category,
            "difficulty": 2, "prompt": "Why?", "rubric_version": "r1", "asked_at": f"2025-01-01T00:00:{position:02}",
            "status": QuestionStatus.ASKED, "grade": None, "answers": [], "followups_asked": [], "probed": [],
            "finished": False} | more


def answer(number, text, status=AnswerStatus.RECEIVED, own=None, **more):
    return {"number": number, "kind": "follow_up" if number else "answer", "text": text, "status": status,
            "grade": own, "answered_at": "2025-01-01T00:01:00"} | more


def state(sid, *results, **more):
    return {"session_id": sid, "slots": [r["category"] for r in results],
            "results": {r["question_id"]: r for r in results}} | more


def settled(position, category, score, qid=None):
    own = grade(score, ("a", "met", 1.0))
    return question(position, category, qid, status=QuestionStatus.GRADED, grade=own, finished=True,
                    finished_at=f"2025-01-01T00:02:{position:02}",
                    answers=[answer(0, "because", AnswerStatus.GRADED, own)])


@pytest.fixture
def store():
    s = Transcripts.open()
    yield s
    s.close()


def test_a_session_round_trip(store):
    store.create_session("s1", {"level": "senior", "categories": ["MLOps"], "questions": 2, "seed": 3,
                                "model": "lexical", "max_followups": 2})
    asked = question(1, "MLOps", "mlops-01", prompt="How do you serve models?")
    store.project(state("s1", asked))
    assert [(t["status"], t["answers"]) for t in store.turns("s1")] == [("asked", [])]
    store.project(state("s1", asked | {"answers": [answer(0, "With a model server.")]}))
    assert store.turns("s1")[0]["answers"][0]["status"] == "received"  # kept before it is graded

    first = grade(4.0, ("serving", "partial", 0.5), ("batching", "missed", 0.0))
    probe = {"number": 1, "criterion": "batching", "prompt": "What about batching?", "asked_at": "2025-01-01T00:03"}
    probing = asked | {"status": QuestionStatus.GRADED, "grade": first, "probed": ["batching"],
                       "followups_asked": [probe],
                       "answers": [answer(0, "With a model server.", AnswerStatus.GRADED, first)]}
    store.project(state("s1", probing))
    assert store.turns("s1")[0]["followup_list"][0]["status"] == "asked"
    follow = grade(8.0, ("batching", "met", 1.0))
    merged = grade(6.0, ("serving", "partial", 0.5), ("batching", "met", 0.8))
    done = probing | {"grade": merged, "finished": True, "finished_at": "2025-01-01T00:04",
                      "answers": [*probing["answers"], answer(1, "Dynamic batching.", AnswerStatus.GRADED, follow)]}
    store.project(state("s1", done))

    [turn] = store.turns("s1")
    assert turn["status"] == "graded" and turn["score"] == 6.0 and turn["followups"] == 1
    assert turn["prompt"] == "How do you serve models?" and turn["finished_at"] == "2025-01-01T00:04"
    assert [a["kind"] for a in turn["answers"]] == ["answer", "follow_up"]
    assert turn["answers"][1]["followup_id"] == "s1:1:f1" and turn["followup_list"][0]["status"] == "graded"
    assert turn["followup_list"][0]["criterion_id"] == "batching"
    assert turn["answers"][0]["grade"] == first and isinstance(turn["answers"][1]["grade"], Grade)
    stages = store.db.execute("select stage, count(*) from verdicts group by stage order by stage").fetchall()
    assert stages == [("answer", 3), ("final", 2)]
    assert store.mastery() == {"MLOps": 0.6}
    assert store.export_session("s1")["transcript"][0]["answers"][0]["grade"] == first.model_dump(mode="json")


def test_a_grade_error_is_kept_with_the_answer_until_a_retry_grades_it(store):
    store.create_session("s1", {})
    failed = question(1, "RAG", status=QuestionStatus.PENDING, stop=True,
                      answers=[answer(0, "An answer.", AnswerStatus.PENDING, error="ModelError: down")])
    store.project(state("s1", failed))
    [row] = store.db["answers"].rows
    assert (row["status"], row["error"], row["grade"]) == ("pending", "ModelError: down", None)
    own = grade(5.0, ("a", "partial", 0.5))
    store.project(state("s1", failed | {"status": QuestionStatus.GRADED, "grade": own, "answers": [
        answer(0, "An answer.", AnswerStatus.GRADED, own, error=None, graded_at="2025-01-01T00:05")]}))
    [row] = store.db["answers"].rows
    assert (row["status"], row["error"], row["score"], row["graded_at"]) == ("graded", None, 5.0, "2025-01-01T00:05")


def test_recording_is_idempotent(store):
    store.create_session("s1", {"level": "senior"})
    for _ in range(2):  # the same state recorded again (on resume, or after a crash) writes the same rows
        store.project(state("s1", settled(1, "MLOps", 5.0)))
    assert store.db["turns"].count == 1 and store.db["answers"].count == 1
    assert store.db["verdicts"].count == 2  # one per answer, one final
    assert store.db["category_mastery"].get("MLOps")["answered"] == 1


def test_only_what_changed_is_written_and_a_full_recording_heals(store):
    store.create_session("s1", {})
    first = state("s1", settled(1, "MLOps", 5.0))
    store.project(first)
    store.db["turns"].update("s1:1", {"score": 9.9})  # a row out of step with the state
    second = state("s1", settled(1, "MLOps", 5.0), question(2, "RAG"))
    store.project(second, before=first)  # question 1 did not change: not written again
    assert [t["score"] for t in store.turns("s1")] == [9.9, None]
    store.project(second)  # recorded in full, as on resume
    assert [t["score"] for t in store.turns("s1")] == [5.0, None]


def test_a_state_from_an_older_version_keeps_what_it_does_not_say(store):
    store.create_session("s1", {})
    store.project(state("s1", question(1, "MLOps", prompt="How?")))
    older = {k: v for k, v in question(1, "MLOps").items() if k not in ("prompt", "rubric_version", "asked_at")}
    store.project(state("s1", older))
    [turn] = store.turns("s1")
    assert (turn["prompt"], turn["rubric_version"], turn["asked_at"]) == ("How?", "r1", "2025-01-01T00:00:01")


def test_the_session_row_follows_the_plan_and_the_end(store):
    store.create_session("s1", {"questions": 5})
    store.project(state("s1", question(1, "MLOps")))
    assert store.session("s1")["n_questions"] == 1  # the plan: fewer questions than asked for
    report = {"overall": 5.0, "answered": 1}
    store.project(state("s1", settled(1, "MLOps", 5.0), done=True, ended_early=True, report=report,
                        finished_at="2025-01-01T01:00"))
    row = store.session("s1")
    assert (row["status"], row["score"], row["answered"], row["report"], row["finished_at"]) == (
        "quit", 5.0, 1, report, "2025-01-01T01:00")


def test_mastery_is_the_mean_of_the_latest_scores(store):
    store.create_session("s1", {})
    store.project(state("s1", *(settled(i, "RAG", score) for i, score in enumerate([0, 0, 10, 10, 10, 10, 10], 1))))
    row = store.db["category_mastery"].get("RAG")
    assert row["answered"] == 7 and row["mastery"] == 1.0  # the two early zeros fell out of the window


def test_seen_questions_and_session_lookup(store):
    store.create_session("20250101-0000-abc123", {})
    store.create_session("20250101-0000-abd999", {})
    store.project(state("20250101-0000-abc123", settled(1, "MLOps", 5.0, qid="mlops-03")))
    assert store.seen_question_ids() == {"mlops-03"}
    assert store.seen_question_ids(exclude_session="20250101-0000-abc123") == set()
    assert store.resolve("20250101-0000-abc") == "20250101-0000-abc123"
    with pytest.raises(SessionNotFound, match="ambiguous"):
        store.resolve("20250101-0000-ab")
    with pytest.raises(SessionNotFound, match="sessions list"):
        store.resolve("nope")
    assert [s["id"] for s in store.sessions()] == ["20250101-0000-abd999", "20250101-0000-abc123"]
