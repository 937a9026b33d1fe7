"""The turns that are not answers: a clarifying question, "I don't know", a request for a hint, and talk about
the interview itself. Each node answers from the bank or the session's state (no model call) and, except a
second "I don't know", hands the turn back to the candidate: the next message is still graded as the answer.

    wait_answer -> intake -+-> clarify ---> wait_answer
                           +-> hint ------> wait_answer
                           +-> meta ------> wait_answer
                           +-> confirm ---> wait_answer        (a question or an answer? the candidate says)
                           +-> dont_know -+-> wait_answer        (first time: acknowledged, a hint offered)
                                          \\-> next / follow_up / report   (declined after the hint: skipped)

`confirm` asks when the intake cannot tell a question from an answer (turns.py: "unsure"): grading a question
scores it near zero and moves on, the worst an interviewer can do to a candidate who asked something. The
message is held (`held` in the state, and in the transcript) and the candidate's next message settles it: "answer"
(or "yes, grade it") grades it, "question" answers it as the question it leaned to, anything else is read as a
new message and the held one dropped.

Nothing said here names a rubric point: clarifications come from the question's scope note (checked by
`bank validate` to name no core key term), hints are the rubric's probes (checked to name no key term of
their point).
"""

from __future__ import annotations

from typing import Any, Literal

from langgraph.runtime import Runtime

from ..vocabulary import QuestionStatus
from .context import Context
from .nodes import _current as _result
from .nodes import _say, decide, skip
from .phrasing import render
from .state import InterviewState, QuestionResult
from .targeting import hint_target


def _hint_text(state: InterviewState, ctx: Context, result: QuestionResult) -> str | None:
    """The next hint for the current question (recording which point it leads to), or None when none is left."""
    question = ctx.bank.get(state["question_id"])
    target = state.get("target")
    if state.get("phase") == "follow_up" and target:
        probes = question.rubric.criterion(target).probes if question.rubric else []
        if len(probes) > 1 and target not in result.get("hinted", []):
            result["hinted"] = [*result.get("hinted", []), target]
            return probes[1]
        return None
    target = hint_target(state, question)
    if target is None or question.rubric is None:
        return None
    result["hinted"] = [*result.get("hinted", []), target]
    return question.rubric.criterion(target).probes[0]


def clarify(state: InterviewState, runtime: Runtime[Context]) -> dict[str, Any]:
    """Answer a clarifying question within the question's scope, without giving points away."""
    question = runtime.context.bank.get(state["question_id"])
    text = render("clarify", phase=state.get("phase", "question"), scope=question.scope or "",
                  prompt=state["prompt"])
    return {"messages": [_say("clarification", text, state["position"])]}


def hint(state: InterviewState, runtime: Runtime[Context]) -> dict[str, Any]:
    """A probe toward the weakest open core point; a hinted point earns less credit, like a follow-up."""
    result = _result(state)
    text = _hint_text(state, runtime.context, result)
    return {"results": {state["question_id"]: result},
            "messages": [_say("hint", render("hint", hint=text), state["position"])]}


def meta(state: InterviewState, runtime: Runtime[Context]) -> dict[str, Any]:
    """Questions about the interview, answered from the session's state."""
    total = len(state.get("slots", []))
    answered = sum(1 for r in state.get("results", {}).values() if r.get("status") != QuestionStatus.ASKED)
    text = render("meta", position=state["position"], total=total, left=max(0, total - state["position"]),
                  answered=answered, phase=state.get("phase", "question"))
    return {"messages": [_say("meta", text, state["position"])]}


def confirm(state: InterviewState, runtime: Runtime[Context]) -> dict[str, Any]:
    """Ask whether the held message was the answer or a question (about the question, or the interview)."""
    held = state.get("held")
    text = render("confirm", lean=held["lean"] if held else "clarify", phase=state.get("phase", "question"))
    return {"messages": [_say("confirm", text, state["position"])]}


def dont_know(state: InterviewState, runtime: Runtime[Context]) -> dict[str, Any]:
    """"I don't know": the first time on a question, acknowledged with one hint offered; after a hint (or
    during a follow-up), the question moves on, scored with no evidence and reported as skipped after a hint."""
    ctx = runtime.context
    result = _result(state)
    position = state["position"]
    if state.get("phase") == "question" and not result.get("hinted"):
        text = _hint_text(state, ctx, result)
        if text is not None:
            result["offered_hint"] = True
            return {"results": {state["question_id"]: result}, "input": {**state["input"], "then": "wait"},
                    "messages": [_say("hint", render("dont_know", hint=text), position)]}
    # Declined after the hint (or during a follow-up): the same as /skip, marked as skipped after a hint.
    out = skip(state, runtime)
    if state.get("phase") != "follow_up":
        out["results"][state["question_id"]]["after_hint"] = bool(result.get("hinted"))
    return out | {"input": {**state["input"], "then": "move_on"}}


def after_dont_know(state: InterviewState) -> Literal["wait_answer", "follow_up", "next_question", "report"]:
    if state["input"].get("then") == "wait":
        return "wait_answer"
    move = decide(state)
    return "next_question" if move == "next" else move
