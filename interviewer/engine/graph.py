"""The interview as a LangGraph StateGraph.

    plan -> next_question -> ask -> wait_answer -> intake -+-> grade --decide--> follow_up -> wait_answer
                 ^                     ^                   |          |      \\-> next_question
                 |                     +-- (empty, too     |          \\------> report -> END
                 |                     |    long, repeat) -+-> skip --decide--> (same three)
                 |                     +-- regrade <-------+-> report (/quit)
                 |                     +-- clarify, hint, meta <-+ (conversation.py: not answers)
                 |                     +-- confirm <-------------+ (answer or question? the candidate says)
                 +---------------------------- dont_know <-------+ (declined after a hint: decide)
"""

from __future__ import annotations

from langgraph.checkpoint.base import BaseCheckpointSaver
from langgraph.graph import END, START, StateGraph
from langgraph.graph.state import CompiledStateGraph

from . import conversation, nodes
from .context import Context
from .state import InterviewState

DECIDE_MAP = {"follow_up": "follow_up", "next": "next_question", "report": "report"}


def build_graph() -> StateGraph:
    g = StateGraph(InterviewState, context_schema=Context)
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


def compile_graph(checkpointer: BaseCheckpointSaver) -> CompiledStateGraph:
    return build_graph().compile(checkpointer=checkpointer)
