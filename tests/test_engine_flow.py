"""Whole interviews through the engine API with the real grader: model-free (lexical) for the logic, the
scripted model where a model must fail. Behaviour only: what is asked, when, and what is kept."""

from __future__ import annotations

import re
from functools import cache

import pytest

from interviewer.bank.models import strip_markdown
from interviewer.text import normalize
from interviewer.bank.storage import load_bank
from interviewer.engine import Interview, InterviewConfig
from interviewer.errors import BankError, InputError, ModelError, SessionNotFound
from interviewer.grader.grader import Grader
from interviewer.settings import Settings
from interviewer.store import Transcripts

VAGUE = "I think it depends on the use case, and there are trade-offs to consider either way."


def reference_text(question) -> str:
    return strip_markdown(question.reference_answer)


def reference_sentences(question) -> list[str]:
    parts = re.split(r"(?<=[.!?:])\s+|\n", strip_markdown(question.reference_answer))
    return [normalize(p) for p in parts if len(p.split()) >= 5]


def drive(interview, reply, answer_for, limit=60):
    """Answer until done. answer_for(interview, question, status) -> text. Returns every reply."""
    replies = [reply]
    for _ in range(limit):
        if reply.done:
            return replies
        status = interview.status()
        reply = interview.answer(answer_for(interview, interview.bank.get(status.question_id), status))
        replies.append(reply)
    raise AssertionError("the interview did not end")


@cache
def shipped_bank():
    return load_bank(include_user=False)


def start(**config):
    config.setdefault("lexical", True)
    config.setdefault("seed", 11)
    return Interview.start(InterviewConfig(**config), bank=shipped_bank())


def strong(interview, question, status):
    return reference_text(question)


def weak(interview, question, status):
    return VAGUE


def interviewer_messages_before_report(interview):
    out = []
    for m in interview.messages():
        if m["kind"] == "report":
            break
        if m["role"] == "interviewer":
            out.append(m["text"])
    return out


def test_a_weak_candidate_gets_followups_on_missed_core_points_only():
    interview, reply = start(categories=["rag-embeddings"], questions=2, max_followups=2)
    replies = drive(interview, reply, weak)
    assert replies[-1].done
    state_results = interview._state["results"]
    store = interview.store
    for qid, result in state_results.items():
        question = interview.bank.get(qid)
        followups = [a for a in result["answers"] if a["kind"] == "follow_up"]
        assert len(followups) == 2  # a vague answer misses every core point: the cap is reached
        targets = [a["criterion"] for a in followups]
        assert len(set(targets)) == 2
        for a in followups:
            criterion = question.rubric.criterion(a["criterion"])
            assert criterion.core
            assert a["prompt"] == criterion.probes[0]
        # each follow-up answer was graded against its one criterion only, then merged
        turn = next(t for t in store.turns(interview.session_id) if t["question_id"] == qid)
        first = {c.criterion_id: c for c in turn["answers"][0]["grade"].criteria}
        assert all(first[t].verdict in ("missed", "not_enough_evidence") for t in targets)
        fu_grades = [a["grade"] for a in turn["answers"] if a["kind"] == "follow_up"]
        assert [[c.criterion_id for c in g.criteria] for g in fu_grades] == [[t] for t in targets]
        merged = {c.criterion_id: c for c in result["grade"].criteria}
        assert all("followup" in merged[t].signals for t in targets)
        assert len(merged) == len(question.rubric.criteria)
    interview.close()


def test_a_strong_candidate_is_not_probed_and_outscores_a_weak_one():
    scores = {}
    for name, answer_for in [("strong", strong), ("weak", weak)]:
        interview, reply = start(categories=["transformers-llms", "mlops"], questions=3, seed=5)
        replies = drive(interview, reply, answer_for)
        scores[name] = interview.report()["overall"]
        if name == "strong":
            results = interview._state["results"].values()
            assert all(not r["probed"] for r in results)  # nothing core was missed: no follow-ups
        for rp in replies[1:]:
            asked = [m for m in rp.messages if m["kind"] in ("question", "follow_up")]
            assert len(asked) <= 1  # one question per turn
        interview.close()
    assert scores["strong"] > scores["weak"]


def test_no_reference_or_rubric_text_before_the_report():
    for answer_for in (weak, strong):
        interview, reply = start(questions=4, seed=3)
        drive(interview, reply, answer_for)
        said = normalize(" ".join(interviewer_messages_before_report(interview)))
        for qid in interview._state["asked"]:
            q = interview.bank.get(qid)
            for sentence in reference_sentences(q):
                assert sentence not in said, (qid, sentence)
            for c in q.rubric.criteria:
                assert normalize(c.point) not in said and normalize(c.source) not in said
        report = [m["text"] for m in interview.messages() if m["kind"] == "report"]
        assert len(report) == 1
        first_q = interview.bank.get(interview._state["asked"][0])
        assert reference_sentences(first_q)[0] in normalize(report[0])  # the report does show them
        interview.close()


def test_skip_repeat_and_quit():
    interview, reply = start(questions=3, max_followups=0)
    first = interview.status().question_id
    r = interview.answer("/repeat")
    assert r.messages[0]["kind"] == "repeat"
    assert interview.bank.get(first).question in r.text and interview.status().question_id == first
    r = interview.answer("/skip")
    assert interview.status().position == 2 and "Question 2 of 3" in r.text
    r = interview.answer(VAGUE)
    assert r.grade is not None and r.question_id != first
    r = interview.answer("/quit")
    assert r.done and [m["kind"] for m in r.messages] == ["closing", "report"]
    rep = interview.report()
    assert rep["ended_early"] and rep["answered"] == 2 and rep["total"] == 3
    assert [q["status"] for q in rep["questions"]] == ["skipped", "graded"]
    assert rep["questions"][0]["score"] == 0.0
    with pytest.raises(InputError, match="over"):
        interview.answer("more")
    row = interview.store.session(interview.session_id)
    assert row["status"] == "quit" and row["report"]["answered"] == 2
    interview.close()


def test_quit_before_any_answer_gives_an_empty_report():
    interview, _ = start(questions=2)
    r = interview.answer("/quit")
    assert r.done and interview.report()["answered"] == 0 and interview.report()["overall"] is None
    interview.close()


def test_empty_answer_is_asked_again_once_then_scored_as_no_answer():
    interview, _ = start(questions=2, max_followups=2)
    r = interview.answer("   \n ")
    assert r.refused and "didn't get an answer" in r.text and interview.status().position == 1
    r = interview.answer("")
    assert not r.refused and interview.status().position == 2  # no follow-ups on no answer
    result = interview.report()["questions"][0]
    assert result["status"] == "no_answer" and result["score"] == 0.0
    interview.close()


def test_oversized_answer_is_refused_and_can_be_resent():
    settings = Settings(max_answer_chars=200)
    interview, _ = Interview.start(InterviewConfig(questions=1, lexical=True, max_followups=0), settings=settings)
    r = interview.answer("a" * 500)
    assert r.refused and "200" in r.text and "500" in r.text
    assert interview.store.db["answers"].count == 0 and interview.status().position == 1
    r = interview.answer("word " * 30)
    assert r.done and interview.store.db["answers"].count == 1
    interview.close()


def test_control_characters_are_stripped_before_anything_is_kept():
    interview, _ = start(questions=1, max_followups=0)
    interview.answer("Self\x00-attention\x1b lets each token\u200b attend to all others.")
    [answer] = interview.store.db["answers"].rows
    assert answer["text"] == "Self-attention lets each token attend to all others."
    interview.close()


def test_unknown_category_is_a_clear_error():
    with pytest.raises(BankError, match="unknown categories: quantum-baking"):
        start(categories=["quantum-baking"])
    store = Transcripts.open()
    assert store.db["sessions"].count == 0  # nothing recorded
    store.close()


def test_resume_continues_where_it_was():
    interview, _ = start(questions=3, max_followups=0, seed=8)
    sid = interview.session_id
    interview.answer(VAGUE)
    asked = interview._state["asked"]
    interview.close()  # the process goes away

    resumed = Interview.resume(sid)
    status = resumed.status()
    assert status.position == 2 and status.waiting and status.question_id == asked[1]
    assert "Question 2 of 3" in resumed.current_prompt()
    resumed.answer(VAGUE)
    assert resumed.status().position == 3
    assert [t["status"] for t in resumed.store.turns(sid)] == ["graded", "graded", "asked"]
    resumed.close()
    with pytest.raises(SessionNotFound):
        Interview.resume("no-such-session")


def test_a_crash_while_grading_loses_nothing(fake_model):
    """The process dies inside the grader: the answer is in the checkpoint (written before grading starts),
    and resuming grades it, records it in the transcript and carries on."""
    calls = {"n": 0}

    def die_once(messages, options):
        calls["n"] += 1
        if calls["n"] == 1:
            raise KeyboardInterrupt  # stands in for the process being killed mid-grade
        return None

    fake_model.choose_rule = die_once
    interview, _ = Interview.start(InterviewConfig(questions=2, model="fake:scripted", max_followups=0, seed=2))
    sid = interview.session_id
    with pytest.raises(KeyboardInterrupt):
        interview.answer("Attention weighs every token against every other token.")
    interview.close()
    with Interview.open(sid) as crashed:  # what a process started after the kill reads
        [answer] = crashed._state["results"][crashed.status().question_id]["answers"]
        assert answer["status"] == "received" and answer["text"].startswith("Attention")

    resumed = Interview.resume(sid)
    assert resumed.status().position == 2
    assert "Question 2 of 2" in resumed.last_reply.text
    [answer] = resumed.store.db["answers"].rows
    assert answer["status"] == "graded" and answer["model_id"] == "fake:scripted"
    resumed.close()


def test_a_model_failure_keeps_the_answer_and_retries_on_resume(fake_model):
    down = {"on": True}

    def flaky(messages, options):
        if down["on"]:
            raise ModelError("fake:scripted: server unavailable")
        return None

    fake_model.choose_rule = flaky
    interview, _ = Interview.start(InterviewConfig(questions=3, model="fake:scripted", max_followups=2, seed=4))
    sid = interview.session_id
    r = interview.answer("My answer about the topic, kept safe.")
    assert "couldn't grade" in r.text and r.grade is None
    assert interview.status().position == 2  # no follow-ups without a grade; the interview goes on
    assert interview.status().pending_grades == 1
    [row] = interview.store.db["answers"].rows
    assert row["status"] == "pending" and "server unavailable" in row["error"]
    interview.close()

    down["on"] = False
    resumed = Interview.resume(sid)
    assert resumed.status().pending_grades == 0 and resumed.status().position == 2
    first = resumed.store.turns(sid)[0]
    assert first["answers"][0]["status"] == "graded" and first["answers"][0]["grade"].model_id == "fake:scripted"
    resumed.close()


def test_pending_grades_are_retried_before_the_report(fake_model):
    down = {"on": True}
    fake_model.choose_rule = lambda m, o: (_ for _ in ()).throw(ModelError("down")) if down["on"] else None
    interview, _ = Interview.start(InterviewConfig(questions=2, model="fake:scripted", max_followups=0, seed=4))
    interview.answer("First answer.")
    down["on"] = False
    r = interview.answer("Second answer.")
    assert r.done
    rep = interview.report()
    assert rep["pending"] == 0 and all(q["status"] == "graded" for q in rep["questions"])
    interview.close()


def test_report_contents():
    interview, reply = start(categories=["mlops", "fine-tuning"], questions=4, max_followups=1, seed=21)
    drive(interview, reply, lambda it, q, s: reference_text(q) if s.position % 2 else VAGUE)
    rep = interview.report()
    assert rep["answered"] == 4 and rep["overall"] is not None
    assert {c["category"] for c in rep["categories"]} == {"MLOps", "Fine-tuning"}
    assert len(rep["study"]) == 3 and all(s["topic"] for s in rep["study"])
    for q in rep["questions"]:
        question = interview.bank.get(q["question_id"])
        assert q["reference_answer"] == question.reference_answer
        assert len(q["hit"]) + len(q["partial"]) + len(q["missed"]) == len(question.rubric.criteria)
    weak_points = {p for q in rep["questions"] if q["position"] % 2 == 0 for p in q["missed"]}
    assert {s["topic"] for s in rep["study"]} <= weak_points  # study what was missed
    md = interview.report_markdown()
    assert "Overall score" in md and "Reference answer" in md and "Study these first" in md
    interview.close()


def test_adaptive_level_moves_with_the_score():
    interview, reply = start(categories=["transformers-llms", "rag-embeddings"], questions=3, level="adaptive",
                             max_followups=0)
    drive(interview, reply, strong)
    difficulties = [r["difficulty"] for r in sorted(interview._state["results"].values(),
                                                      key=lambda r: r["position"])]
    assert difficulties[0] == 2 and difficulties[1:] == [3, 3]
    interview.close()

    interview, reply = start(categories=["transformers-llms", "rag-embeddings"], questions=3, level="adaptive",
                             max_followups=0)
    drive(interview, reply, lambda *a: "/skip")
    difficulties = [r["difficulty"] for r in sorted(interview._state["results"].values(),
                                                      key=lambda r: r["position"])]
    assert difficulties == [2, 1, 1]
    interview.close()


def test_later_sessions_avoid_seen_questions_and_start_with_weak_categories():
    interview, reply = start(categories=["mlops", "rag-embeddings"], questions=2, max_followups=0, seed=1)
    drive(interview, reply, lambda it, q, s: reference_text(q) if q.category == "RAG & Embeddings" else "/skip")
    first = interview._state["asked"]
    interview.close()

    interview, _ = start(categories=["mlops", "rag-embeddings"], questions=4, max_followups=0, seed=1)
    values = interview._state
    assert values["slots"][0] == "MLOps"  # skipped last time: weakest first
    interview.answer("/quit")
    interview.close()
    interview, reply = start(categories=["mlops", "rag-embeddings"], questions=4, max_followups=0, seed=1)
    drive(interview, reply, lambda *a: "/skip")
    assert not set(first) & set(interview._state["asked"])
    interview.close()


def test_same_seed_same_interview_on_a_fresh_home(tmp_path, monkeypatch):
    plans = []
    for home in ("a", "b"):
        monkeypatch.setenv("INTERVIEWER_HOME", str(tmp_path / home))
        interview, reply = start(questions=3, seed=99, max_followups=0)
        drive(interview, reply, lambda *a: "/skip")
        plans.append(interview._state["asked"])
        interview.close()
    assert plans[0] == plans[1]


def test_scripted_model_grades_through_the_registry(fake_model):
    interview, _ = Interview.start(InterviewConfig(questions=1, model="fake:scripted", max_followups=0, seed=1))
    r = interview.answer("Some answer.")
    assert r.done and r.grade.model_id == "fake:scripted"
    assert any(kind == "choose" for kind, _ in fake_model.calls)
    assert isinstance(interview.context.grader, Grader)
    interview.close()
