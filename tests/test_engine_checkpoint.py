"""The checkpoint as the one source of truth: typed values come back typed (and nothing outside the project's state
types is revived), a checkpoint written before grades and statuses were typed still resumes, the graph is compiled
once per process and checkpoint database, and any grader that has the engine's `Grading` methods plugs in."""

from __future__ import annotations

import logging
from collections.abc import Sequence

import pytest
from langgraph.checkpoint.serde.event_hooks import register_serde_event_listener
from pydantic import BaseModel

from interviewer.bank.models import Question
from interviewer.bank.storage import load_bank
from interviewer.engine import Interview, InterviewConfig, graph
from interviewer.engine.context import Grading
from interviewer.engine.state import STATE_TYPES
from interviewer.grader.grader import Grader
from interviewer.grader.models import Flag, Grade, Verdict
from interviewer.store import Transcripts
from interviewer.vocabulary import AnswerStatus, QuestionStatus

VAGUE = "I think it depends on the use case, and there are trade-offs to consider either way."


def start(**overrides):
    config = {"categories": ["rag-embeddings"], "questions": 2, "lexical": True, "seed": 11, "max_followups": 1}
    return Interview.start(InterviewConfig(**(config | overrides)))


@pytest.fixture
def serde_events(caplog):
    """Every serde allowlist event (a type revived without being registered, or one blocked) while a test runs;
    LangGraph's own warnings about them are in caplog."""
    events: list = []
    unregister = register_serde_event_listener(events.append)
    caplog.set_level(logging.WARNING, logger="langgraph")
    yield events
    unregister()


def test_enums_and_grades_round_trip_through_the_serializer(serde_events):
    serde = graph.serializer()
    grade = Grader(None).grade(load_bank(include_user=False).get("ml-fundamentals-01"), VAGUE)
    value = {"grade": grade, "statuses": [QuestionStatus.GRADED, AnswerStatus.RECEIVED],
             "verdict": Verdict.NO_EVIDENCE, "flags": [Flag.INJECTION]}
    back = serde.loads_typed(serde.dumps_typed(value))
    assert back == value and isinstance(back["grade"], Grade)
    assert type(back["statuses"][1]) is AnswerStatus and type(back["verdict"]) is Verdict  # members, not strings
    assert type(back["grade"].criteria[0].verdict) is Verdict and serde_events == []
    assert {(t.__module__, t.__name__) for t in STATE_TYPES} == serde._allowed_msgpack_modules


class Stranger(BaseModel):
    name: str


def test_anything_else_is_not_revived_from_a_checkpoint(serde_events):
    serde = graph.serializer()
    back = serde.loads_typed(serde.dumps_typed({"who": Stranger(name="x")}))
    assert back == {"who": {"name": "x"}}  # its data, not an object of a type the state does not hold
    assert [e["kind"] for e in serde_events] == ["msgpack_blocked"]


def test_resuming_revives_only_registered_types_and_a_grade_comes_back_a_grade(serde_events, caplog):
    interview, _ = start()
    interview.answer(VAGUE)
    sid, qid = interview.session_id, interview.status().question_id
    interview.close()
    with Interview.resume(sid) as resumed:
        result = resumed._state["results"][qid]
        assert isinstance(result["grade"], Grade) and type(result["status"]) is QuestionStatus
        assert type(result["answers"][0]["status"]) is AnswerStatus
        resumed.answer(VAGUE)  # the follow-up's answer: its grade merged into the revived one
    assert serde_events == []
    assert not [r for r in caplog.records if "unregistered type" in r.getMessage() or "Blocked" in r.getMessage()]


def test_a_checkpoint_from_before_typed_grades_still_resumes():
    interview, _ = start()
    interview.answer(VAGUE)  # graded; a follow-up asked
    sid, qid = interview.session_id, interview.status().question_id
    result = interview._state["results"][qid]
    target = interview._state["target"]
    # What an older version checkpointed: the grade as a dict, statuses as strings, answers without their grades.
    old = result | {"grade": result["grade"].model_dump(mode="json"), "status": "graded",
                    "answers": [{k: v for k, v in a.items() if k not in ("grade", "error", "graded_at", "answered_at")}
                                | {"status": "graded"} for a in result["answers"]]}
    interview._graph.update_state(interview._config, {"results": {qid: old}})
    assert isinstance(interview._graph.get_state(interview._config).values["results"][qid]["grade"], dict)
    interview.close()

    with Interview.open(sid) as looked:  # read-only: upgraded in memory, nothing written
        assert isinstance(looked._state["results"][qid]["grade"], Grade)
        assert looked.score_card(qid).score == result["grade"].score
    with Interview.resume(sid) as resumed:
        assert resumed.status().waiting and resumed.status().phase == "follow_up"
        upgraded = resumed._state["results"][qid]
        assert isinstance(upgraded["grade"], Grade) and type(upgraded["status"]) is QuestionStatus
        reply = resumed.answer(VAGUE)  # the follow-up's answer, merged into the upgraded grade
        assert isinstance(reply.grade, Grade) and "followup" in reply.grade.criterion(target).signals
    store = Transcripts.open()
    [first, _] = store.turns(sid)
    assert first["status"] == "graded" and [a["status"] for a in first["answers"]] == ["graded", "graded"]
    store.close()


def test_the_graph_is_compiled_once_per_process_and_checkpoint_database(tmp_path, monkeypatch):
    first, _ = start()
    second, _ = start()
    assert first._graph is second._graph
    first.close()
    second.close()
    monkeypatch.setenv("INTERVIEWER_HOME", str(tmp_path / "elsewhere"))
    other, _ = start()
    assert other._graph is not first._graph  # another user directory: another checkpoint database
    other.close()


class FixedGrader:
    """Not a Grader: only the methods of the engine's `Grading` protocol (as a remote grader would have)."""

    def __init__(self) -> None:
        self.lexical = Grader(None)
        self.calls: list[str] = []

    def grade(self, question: Question, answer: str, criteria: Sequence[str] | None = None) -> Grade:
        self.calls.append("grade")
        return self.lexical.grade(question, answer, criteria).model_copy(update={"model_id": "fixed"})

    def merge(self, base: Grade, followup: Grade, question: Question | None = None) -> Grade:
        return self.lexical.merge(base, followup, question)

    def discount(self, grade: Grade, criterion_ids: Sequence[str], question: Question | None = None) -> Grade:
        return self.lexical.discount(grade, criterion_ids, question)

    def warm(self, question: Question, draft: str) -> int:
        self.calls.append("warm")
        return 0

    def prepare(self, question: Question) -> int:
        return 0


def test_any_grader_with_the_grading_methods_plugs_in():
    grader: Grading = FixedGrader()
    interview, _ = Interview.start(InterviewConfig(questions=1, lexical=True, seed=3, max_followups=0), grader=grader)
    assert interview.warm("a draft answer that is long enough") == 0
    reply = interview.answer(VAGUE)
    assert reply.done and reply.grade.model_id == "fixed" and grader.calls == ["warm", "grade"]
    assert interview.report()["questions"][0]["model_id"] == "fixed"
    interview.close()
