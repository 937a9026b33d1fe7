"""The transcript API: idempotent writes keyed by stable ids, mastery per category, lookups."""

from __future__ import annotations

import pytest

from interviewer.errors import SessionNotFound
from interviewer.store import Transcripts


def grade(score: float, *criteria: tuple[str, str, float]) -> dict:
    return {
        "question_id": "q", "score": score, "confidence": 0.9, "flags": [], "model_id": "lexical",
        "prompt_version": "p1", "rubric_version": "r1", "seconds": 0.1, "feedback": {"covered": [], "missed": []},
        "criteria": [{"criterion_id": c, "verdict": v, "score": s, "confidence": 0.9, "weight": 2, "core": True,
                      "evidence": None, "signals": {}} for c, v, s in criteria],
    }


@pytest.fixture
def store():
    s = Transcripts.open()
    yield s
    s.close()


def one_question(store, sid, position, category, score, qid=None):
    qid = qid or f"{category}-{position}"
    store.record_question(sid, position, question_id=qid, category=category, difficulty=2, rubric_version="r1",
                          prompt="Why?")
    store.record_answer(sid, position, 0, text="because", kind="answer")
    store.record_grade(f"{sid}:{position}:a0", grade(score, ("a", "met", 1.0)), question_id=qid)
    store.finish_turn(sid, position, status="graded", score=score, grade=grade(score, ("a", "met", 1.0)),
                      question_id=qid, category=category)


def test_a_session_round_trip(store):
    store.create_session("s1", {"level": "senior", "categories": ["MLOps"], "questions": 2, "seed": 3,
                                "model": "lexical", "max_followups": 2})
    store.record_question("s1", 1, question_id="mlops-01", category="MLOps", difficulty=2, rubric_version="r1",
                          prompt="How do you serve models?")
    aid = store.record_answer("s1", 1, 0, text="With a model server.", kind="answer")
    assert store.turns("s1")[0]["answers"][0]["status"] == "received"  # kept before it is graded
    store.record_grade(aid, grade(4.0, ("serving", "partial", 0.5), ("batching", "missed", 0.0)),
                       question_id="mlops-01")
    fid = store.record_followup("s1", 1, 1, criterion_id="batching", prompt="What about batching?")
    fa = store.record_answer("s1", 1, 1, text="Dynamic batching.", kind="follow_up")
    store.record_grade(fa, grade(8.0, ("batching", "met", 1.0)), question_id="mlops-01")
    store.finish_turn("s1", 1, status="graded", score=6.0, question_id="mlops-01", category="MLOps",
                      grade=grade(6.0, ("serving", "partial", 0.5), ("batching", "met", 0.8)))

    [turn] = store.turns("s1")
    assert turn["status"] == "graded" and turn["score"] == 6.0 and turn["followups"] == 1
    assert [a["kind"] for a in turn["answers"]] == ["answer", "follow_up"]
    assert turn["answers"][1]["followup_id"] == fid
    assert turn["followup_list"][0]["criterion_id"] == "batching"
    stages = store.db.execute("select stage, count(*) from verdicts group by stage order by stage").fetchall()
    assert stages == [("answer", 3), ("final", 2)]
    assert store.mastery() == {"MLOps": 0.6}


def test_writes_are_idempotent(store):
    store.create_session("s1", {"level": "senior"})
    for _ in range(2):  # a node that re-runs after a crash writes the same rows again
        one_question(store, "s1", 1, "MLOps", 5.0)
    assert store.db["turns"].count == 1 and store.db["answers"].count == 1
    assert store.db["verdicts"].count == 2  # one per answer, one final
    assert store.db["category_mastery"].get("MLOps")["answered"] == 1


def test_mastery_is_the_mean_of_the_latest_scores(store):
    store.create_session("s1", {})
    for i, score in enumerate([0, 0, 10, 10, 10, 10, 10], start=1):
        one_question(store, "s1", i, "RAG", score)
    row = store.db["category_mastery"].get("RAG")
    assert row["answered"] == 7 and row["mastery"] == 1.0  # the two early zeros fell out of the window


def test_seen_questions_and_session_lookup(store):
    store.create_session("20250101-0000-abc123", {})
    store.create_session("20250101-0000-abd999", {})
    one_question(store, "20250101-0000-abc123", 1, "MLOps", 5.0, qid="mlops-03")
    assert store.seen_question_ids() == {"mlops-03"}
    assert store.seen_question_ids(exclude_session="20250101-0000-abc123") == set()
    assert store.resolve("20250101-0000-abc") == "20250101-0000-abc123"
    with pytest.raises(SessionNotFound, match="ambiguous"):
        store.resolve("20250101-0000-ab")
    with pytest.raises(SessionNotFound, match="sessions list"):
        store.resolve("nope")
    assert [s["id"] for s in store.sessions()] == ["20250101-0000-abd999", "20250101-0000-abc123"]
