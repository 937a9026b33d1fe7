"""The graph's shape and contracts: one interrupt in its own node, typed routers, JSON-able state."""

from __future__ import annotations

import inspect
import json
import typing

from interviewer.engine import Interview, InterviewConfig, graph, nodes


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


def test_state_is_plain_json():
    interview, _ = Interview.start(InterviewConfig(questions=2, lexical=True, seed=1))
    interview.answer("An answer with some words about the topic.")
    values = interview._values()
    assert json.loads(json.dumps(values)) == values
    assert all(isinstance(r["grade"], (dict, type(None))) for r in values["results"].values())
    interview.close()


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
