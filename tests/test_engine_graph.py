"""The graph's shape and contracts: one interrupt in its own node, typed routers, nodes that write no database,
a typed state that comes back from the checkpoint as it went in."""

from __future__ import annotations

import inspect
import typing

from interviewer.engine import Interview, InterviewConfig, conversation, graph, nodes, targeting
from interviewer.engine.context import Context
from interviewer.grader.models import Grade
from interviewer.vocabulary import AnswerStatus, QuestionStatus


def test_only_wait_answer_interrupts():
    callers = [name for name, fn in inspect.getmembers(nodes, inspect.isfunction)
               if fn.__module__ == nodes.__name__ and "interrupt(" in inspect.getsource(fn)]
    assert callers == ["wait_answer"]
    assert len(inspect.getsource(nodes.wait_answer).strip().splitlines()) <= 6  # it does nothing else


def test_routers_are_typed_with_their_destinations():
    built = graph.build_graph()
    node_names = set(built.nodes)
    for router, mapping in [(nodes.decide, graph.DECIDE_MAP), (nodes.route_input, None), (nodes.after_plan, None)]:
        hint = typing.get_type_hints(router)["return"]
        assert typing.get_origin(hint) is typing.Literal
        targets = {mapping.get(t, t) if mapping else t for t in typing.get_args(hint)}
        assert targets <= node_names
    assert set(typing.get_args(typing.get_type_hints(nodes.decide)["return"])) == {"follow_up", "next", "report"}
    assert {"plan", "ask", "wait_answer", "grade", "follow_up", "report"} <= node_names


def test_nodes_write_no_database():
    assert set(Context.__dataclass_fields__) == {"bank", "make_grader", "max_answer_chars", "_grader"}
    writers = {"Transcripts", "open_db", "connect", "transaction", "sqlite3", "sqlite_utils"}
    for module in (nodes, conversation, targeting):
        names = {getattr(value, "__name__", name) for name, value in vars(module).items()}
        assert not names & writers, (module.__name__, names & writers)


def test_the_state_comes_back_from_the_checkpoint_typed():
    interview, _ = Interview.start(InterviewConfig(questions=2, lexical=True, seed=1))
    interview.answer("An answer with some words about the topic.")
    values = interview._state
    sid = interview.session_id
    interview.close()
    with Interview.open(sid) as again:  # read back from the checkpoint database
        assert again._state == values
        [graded] = [r for r in again._state["results"].values() if r["grade"] is not None]
        assert isinstance(graded["grade"], Grade) and type(graded["status"]) is QuestionStatus
        assert type(graded["answers"][0]["status"]) is AnswerStatus and isinstance(graded["answers"][0]["grade"], Grade)


def test_the_graph_itself_refuses_oversized_replies():
    """The API refuses before the graph; a caller driving the graph directly gets the same refusal."""
    from langgraph.types import Command

    from interviewer.settings import Settings

    interview, _ = Interview.start(InterviewConfig(questions=1, lexical=True, seed=1),
                                   settings=Settings(max_answer_chars=200))
    interview._invoke(Command(resume="a" * 300))
    last = interview.messages()[-1]
    assert last["kind"] == "notice" and "300" in last["text"] and "200" in last["text"]
    status = interview.status()
    assert status.waiting and status.position == 1 and interview.store.db["answers"].count == 0
    interview.close()
