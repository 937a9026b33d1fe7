"""One answer end to end, as the browser sends it: one graph invoke, at most two checkpoint reads, one transaction
on the transcript database, a Reply the fronts draw as it is (new messages at the end of the transcript, a score
card whose points appear only once the question is settled), and live answered counts in History and
`sessions list`."""

from __future__ import annotations

import json
import sqlite3
import threading
from collections import Counter

import pytest
import sqlite_utils
from click.testing import CliRunner
from langgraph.checkpoint.sqlite import SqliteSaver
from langgraph.graph.state import CompiledStateGraph

from interviewer.bank.models import strip_markdown
from interviewer.cli import cli
from interviewer.engine import Interview, InterviewConfig
from interviewer.engine import graph as graph_module
from interviewer.settings import Settings
from interviewer.store import Transcripts
from interviewer.store import transcripts as transcripts_module
from interviewer.store.db import MIGRATIONS, open_db, transaction
from interviewer.ui import render
from interviewer.ui.service import Service

VAGUE = "I think it depends on the use case, and there are trade-offs to consider either way."


@pytest.fixture
def counts(monkeypatch):
    """Counts graph invokes, checkpoint reads (get_tuple/list on the checkpointer) and transactions on the
    transcript database (the outermost ones: a nested one is part of them) of every Interview."""
    seen: Counter = Counter()

    class CountingSaver(SqliteSaver):
        def get_tuple(self, config):
            seen["reads"] += 1
            return super().get_tuple(config)

        def list(self, *args, **kwargs):
            seen["reads"] += 1
            return super().list(*args, **kwargs)

    invoke = CompiledStateGraph.invoke

    def counting_invoke(self, *args, **kwargs):
        seen["invokes"] += 1
        return invoke(self, *args, **kwargs)

    caller = threading.get_ident()

    def counting_transaction(db):
        # The answer's own transactions: a review landing in the background (its own thread) writes apart.
        if not db.conn.in_transaction and threading.get_ident() == caller:
            seen["transactions"] += 1
        return transaction(db)

    # The graph is compiled once per process and checkpoint database: each test has its own database, so
    # its graph is compiled on the counting checkpointer.
    monkeypatch.setattr(graph_module, "SqliteSaver", CountingSaver)
    monkeypatch.setattr(CompiledStateGraph, "invoke", counting_invoke)
    monkeypatch.setattr(transcripts_module, "transaction", counting_transaction)
    return seen


@pytest.fixture(scope="module")
def service():
    return Service(Settings())


def config(**overrides):
    return InterviewConfig(**({"categories": ["rag-embeddings"], "questions": 2, "lexical": True, "seed": 11,
                               "max_followups": 1} | overrides))


def test_each_answer_is_one_invoke_at_most_two_checkpoint_reads_and_one_transaction(service, counts):
    view, _ = service.start(config())
    sid, token = view.session_id, view.token
    # An answer (graded, a follow-up asked), a refusal, a command, the follow-up's answer (the next question
    # asked), then the second question's answer and its follow-up's answer (the report).
    for text in (VAGUE, "", "/repeat", VAGUE, VAGUE, VAGUE):
        counts.clear()
        view, reply = service.answer(sid, token, text)
        assert counts["invokes"] == 1, (text, counts)
        assert counts["reads"] <= 2, (text, counts)
        assert counts["transactions"] == 1, (text, counts)  # the state recorded once, after grading
        assert view.messages[len(view.messages) - len(reply.messages):] == reply.messages
    assert view.done and reply.done
    store = Transcripts.open()
    assert store.session(sid)["status"] == "finished" and [t["status"] for t in store.turns(sid)] == ["graded"] * 2
    store.close()


def test_the_engine_alone_reads_once_to_open_and_once_per_invoke(counts):
    interview, _ = Interview.start(config())
    sid = interview.session_id
    interview.close()
    counts.clear()
    with Interview.resume(sid) as it:
        assert counts == Counter({"reads": 1})
        it.status(), it.messages(), it.report(), it.score_card()  # all from the state in memory
        it.answer(VAGUE)
    assert counts == Counter({"reads": 2, "invokes": 1, "transactions": 1})


def test_refusals_are_recorded_in_the_state_and_give_no_card():
    interview, _ = Interview.start(config(), settings=Settings(max_answer_chars=200))
    for text in ("a" * 300, "  "):
        reply = interview.answer(text)
        assert reply.refused and reply.card is None and reply.grade is None
        assert interview.messages()[-1] == reply.messages[-1] and reply.messages[-1]["kind"] == "notice"
    assert "300" in interview.messages()[-2]["text"]
    assert interview._state["input"]["kind"] == "empty" and interview._state["reply"] is None
    interview.close()


def test_the_card_shows_points_only_once_the_question_is_settled():
    interview, _ = Interview.start(config())
    first = interview.status().question_id
    reply = interview.answer(VAGUE)
    card = reply.card
    assert interview.status().phase == "follow_up" and reply.question_id == first
    assert card.question_id == first and not card.settled and card.score == reply.score
    assert (card.hit, card.partial, card.missed, card.feedback) == ([], [], [], None)
    assert sum(card.counts) == len(interview.bank.get(first).rubric.criteria)
    assert interview.score_card() == card  # a reload draws the same card

    reply = interview.answer(VAGUE)  # the follow-up's answer settles the question
    card = reply.card
    assert card.question_id == first and card.settled and card.status == "graded"
    assert len(card.hit) + len(card.partial) + len(card.missed) == sum(card.counts) and card.missed
    entry = interview.report()["questions"][0]
    assert (card.hit, card.partial, card.missed, card.score) == (entry["hit"], entry["partial"], entry["missed"],
                                                                 entry["score"])
    reply = interview.answer("/skip")
    assert reply.done and reply.card.status == "skipped" and reply.card.settled
    interview.close()


def test_history_and_sessions_list_show_live_answered_counts(service):
    view, _ = service.start(config(questions=3))
    sid, token = view.session_id, view.token
    rows, _ = service.history({sid: token})
    assert rows[0]["answered"] == 0
    view, _ = service.answer(sid, token, VAGUE)
    assert view.status.phase == "follow_up", "the question is not settled yet, but it has its answer"
    rows, _ = service.history({sid: token})
    assert [(r["id"], r["answered"], r["n_questions"]) for r in rows] == [(sid, 1, 3)]
    assert ">1/3<" in render.history_table_html(rows)  # the History tab's table
    assert "1/3" in CliRunner().invoke(cli, ["sessions", "list"]).output
    service.answer(sid, token, VAGUE)  # the follow-up's answer does not count again
    service.answer(sid, token, "/skip")  # a skipped question does
    rows, points = service.history({sid: token})
    assert rows[0]["answered"] == 2
    assert [p["session_id"] for p in points] == [sid] and points[0]["questions"] == 2
    result = CliRunner().invoke(cli, ["sessions", "list"])
    assert result.exit_code == 0 and "2/3" in result.output
    assert service.history({sid: "wrong token"}) == ([], [])


def test_answered_is_backfilled_for_sessions_in_progress(tmp_path):
    path = tmp_path / "old.db"
    db = sqlite_utils.Database(sqlite3.connect(path))
    MIGRATIONS.apply(db, stop_before="m004_live_answered")  # a database from before m004
    Transcripts(db).create_session("s1", {"questions": 3})
    db["turns"].insert({"id": "s1:1", "session_id": "s1", "position": 1, "question_id": "q1", "category": "C"})
    db["answers"].insert({"id": "s1:1:a0", "turn_id": "s1:1", "session_id": "s1", "kind": "answer", "text": "x"})
    db["sessions"].update("s1", {"answered": 0})
    db.close()
    store = Transcripts(open_db(path))
    assert store.session("s1")["answered"] == 1
    store.close()


def test_cli_and_ui_export_the_same_document(service):
    interview, _ = Interview.start(config(categories=["vector-databases"], max_followups=0))
    question = interview.bank.get(interview.status().question_id)
    interview.answer(strip_markdown(question.reference_answer))
    sid = interview.session_id
    assert interview.wait_reviews(30)  # the same state on both sides: the review of question 1 landed first
    interview.close()
    result = CliRunner().invoke(cli, ["sessions", "export", sid, "--format", "json"])
    assert result.exit_code == 0, result.output
    cli_doc = json.loads(result.output)
    assert set(cli_doc) == {"session", "report", "messages", "transcript"}
    assert [m["kind"] for m in cli_doc["messages"]][:3] == ["greeting", "question", "answer"]
    with Interview.open(sid) as it:
        assert json.loads(json.dumps(it.export())) == cli_doc
