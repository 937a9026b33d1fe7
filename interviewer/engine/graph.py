"""The interview as a LangGraph StateGraph.

    plan -> next_question -> ask -> wait_answer -> intake -+-> grade --decide--> follow_up -> wait_answer
                 ^                     ^                   |          |      \\-> next_question
                 |                     +-- (empty, too     |          \\------> report -> END
                 |                     |    long, repeat) -+-> skip --decide--> (same three)
                 |                     +-- regrade <-------+-> report (/quit)
                 |                     +-- clarify, hint, meta <-+ (conversation.py: not answers)
                 |                     +-- confirm <-------------+ (answer or question? the candidate says)
                 +---------------------------- dont_know <-------+ (declined after a hint: decide)

Nodes return state and write no database (the session records the state after each invoke). The graph is
compiled once per process and checkpoint database (`compiled`): LangGraph binds the checkpointer at compile
time, and one SqliteSaver on one connection serves every session of the process (it serialises its own use
of the connection with a lock, so threads may share it). Its serializer revives exactly the project's types
that go into the state (state.STATE_TYPES) and LangGraph's own safe ones; nothing else is imported from a
checkpoint.
"""

from __future__ import annotations

from collections.abc import Hashable
from functools import lru_cache

from langgraph.checkpoint.serde.jsonplus import JsonPlusSerializer
from langgraph.checkpoint.sqlite import SqliteSaver
from langgraph.graph import END, START, StateGraph
from langgraph.graph.state import CompiledStateGraph

from ..store.db import connect
from . import conversation, nodes
from .context import Context
from .state import STATE_TYPES, InterviewState

#: How long a checkpoint write waits for another process's write to the same database.
CHECKPOINT_BUSY_S = 30

DECIDE_MAP: dict[Hashable, str] = {"follow_up": "follow_up", "next": "next_question", "report": "report"}
#: The interview graph, typed with its state and its runtime context.
Graph = StateGraph[InterviewState, Context, InterviewState, InterviewState]
Compiled = CompiledStateGraph[InterviewState, Context, InterviewState, InterviewState]


def build_graph() -> Graph:
    g: Graph = StateGraph(InterviewState, context_schema=Context)
    g.add_node("plan", nodes.plan)
    g.add_node("next_question", nodes.next_question)
    g.add_node("ask", nodes.ask)
    g.add_node("wait_answer", nodes.wait_answer)
    g.add_node("intake", nodes.intake)
    g.add_node("grade", nodes.grade)
    g.add_node("skip", nodes.skip)
    g.add_node("follow_up", nodes.follow_up)
    g.add_node("regrade", nodes.regrade)
    g.add_node("clarify", conversation.clarify)
    g.add_node("hint", conversation.hint)
    g.add_node("meta", conversation.meta)
    g.add_node("confirm", conversation.confirm)
    g.add_node("dont_know", conversation.dont_know)
    g.add_node("report", nodes.report)

    g.add_edge(START, "plan")
    g.add_conditional_edges("plan", nodes.after_plan)
    g.add_edge("next_question", "ask")
    g.add_edge("ask", "wait_answer")
    g.add_edge("wait_answer", "intake")
    g.add_conditional_edges("intake", nodes.route_input)
    g.add_conditional_edges("grade", nodes.decide, DECIDE_MAP)
    g.add_conditional_edges("skip", nodes.decide, DECIDE_MAP)
    g.add_edge("follow_up", "wait_answer")
    g.add_edge("regrade", "wait_answer")
    for node in ("clarify", "hint", "meta", "confirm"):
        g.add_edge(node, "wait_answer")
    g.add_conditional_edges("dont_know", conversation.after_dont_know)
    g.add_edge("report", END)
    return g


def serializer() -> JsonPlusSerializer:
    """The checkpoint serializer: msgpack, reviving only STATE_TYPES beyond LangGraph's own safe types."""
    return JsonPlusSerializer(allowed_msgpack_modules=[(t.__module__, t.__name__) for t in STATE_TYPES])


@lru_cache(maxsize=8)
def compiled(path: str) -> Compiled:
    """The graph on the checkpoint database at `path`, compiled once per process (a few paths are kept: tests
    and tools switch the user directory). A damaged file fails here, naming it (StoreCorrupt), and is not
    cached."""
    conn = connect(path, timeout=CHECKPOINT_BUSY_S)
    return build_graph().compile(checkpointer=SqliteSaver(conn, serde=serializer()))
