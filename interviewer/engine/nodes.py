"""The graph's nodes and routers. Nodes are plain functions of (state, runtime) returning a partial state;
routers are typed with the Literal of where they may go.

Nodes decide; they write nothing but the state they return. An answer is in the state from the step that
takes it in (`intake`), before grading starts; a grade, a grade that failed (and why), a follow-up asked and a
question settled are in the state too, each with its time. The session records the state in the transcript
database after each run of the graph (Interview._record, Transcripts.project), so a node that runs again
after a crash has nothing to undo. Only `wait_answer` calls interrupt(), and it does nothing else. `results`
has a merging reducer: a node returns only the question entries it changed.
"""

from __future__ import annotations

import copy
import logging
from typing import Any, Literal, cast

from langgraph.runtime import Runtime
from langgraph.types import interrupt

from ..bank.models import Question
from ..store.db import now
from ..vocabulary import AnswerStatus, QuestionStatus
from .context import Context
from .inputs import classify
from .phrasing import render, transition
from .report import build_report, result_score, to_markdown
from .selection import next_difficulty, pick_question, plan_slots, start_difficulty
from .state import (AnswerRecord, FollowUp, Held, InputKind, InterviewConfig, InterviewState, Message, MessageKind,
                    PendingGrade, QuestionResult)
from .targeting import followup_target
from .turns import UNSURE, Turn, confirmation, subject_of
from .turns import classify as classify_turn

log = logging.getLogger(__name__)

#: The most characters of a grader's error kept with a pending answer.
ERROR_CHARS = 2000


# -- helpers --------------------------------------------------------------------------
def _config(state: InterviewState) -> InterviewConfig:
    return InterviewConfig.model_validate(state["config"])


def _pool(ctx: Context, config: InterviewConfig) -> list[Question]:
    return ctx.bank.in_categories(config.categories)


def _say(kind: MessageKind, text: str, position: int) -> Message:
    return {"role": "interviewer", "kind": kind, "text": text, "position": position}


def _heard(kind: MessageKind, text: str, position: int) -> Message:
    return {"role": "candidate", "kind": kind, "text": text, "position": position}


def _current(state: InterviewState) -> QuestionResult:
    """A copy of the current question's entry, ready to change and return as {question_id: entry}."""
    return copy.deepcopy(state["results"][state["question_id"]])


def _answer_number(state: InterviewState) -> int:
    return state.get("followups", 0) if state.get("phase") == "follow_up" else 0


def _record(state: InterviewState, number: int, status: AnswerStatus, text: str,
            score: float | None = None) -> AnswerRecord:
    """Answer `number` of the current question (0: to the question; N: to follow-up N), as it arrived."""
    return {"number": number, "kind": "follow_up" if number else "answer",
            "criterion": state.get("target") if number else None, "prompt": state["prompt"] if number else "",
            "text": text, "status": status, "score": score, "answered_at": now()}


def _answer(result: QuestionResult, number: int) -> AnswerRecord:
    return next(a for a in result["answers"] if a["number"] == number)


def settle(result: QuestionResult) -> QuestionResult:
    """The question is finished: its score and verdicts are final (unless a pending grade lands later)."""
    return {**result, "finished": True, "finished_at": now()}


def _grade_one(ctx: Context, question: Question, result: QuestionResult, number: int) -> None:
    """Grade answer `number` of a question and fold it into the question's grade (the grader's one path:
    the answer to the question against the whole rubric, a follow-up against its one criterion)."""
    record = _answer(result, number)
    if number == 0:
        own = ctx.grader.grade(question, record["text"])
        if result.get("hinted"):  # a point reached through a hint counts less, like one drawn out by a follow-up
            own = ctx.grader.discount(own, result["hinted"], question)
        result["grade"] = own
        result["status"] = QuestionStatus.GRADED
    else:
        base, criterion = result.get("grade"), record.get("criterion")
        if base is None or criterion is None:
            raise LookupError("the answer to the question is not graded yet")
        own = ctx.grader.grade(question, record["text"], criteria=[criterion])
        result["grade"] = ctx.grader.merge(base, own, question)
    record["status"] = AnswerStatus.GRADED
    record["score"] = own.score
    record["grade"] = own
    record["error"] = None
    record["graded_at"] = now()


def _failed(result: QuestionResult, number: int, error: Exception) -> None:
    """Grading answer `number` failed: the answer stays, its grade pending, with why."""
    record = _answer(result, number)
    record["status"] = AnswerStatus.PENDING
    record["error"] = f"{type(error).__name__}: {error}"[:ERROR_CHARS]


def retry_pending(state: InterviewState, ctx: Context) -> tuple[dict[str, QuestionResult], list[PendingGrade]]:
    """Grade the answers whose grading failed, oldest first; stop at the first failure (the model is
    probably still down). Questions already settled are settled again with their new score. Returns the
    result entries that changed and the grades still pending."""
    changed: dict[str, QuestionResult] = {}
    pending = list(state.get("pending", []))
    while pending:
        item = pending[0]
        qid = item["question_id"]
        result = copy.deepcopy(changed.get(qid) or state["results"][qid])
        try:
            _grade_one(ctx, ctx.bank.get(qid), result, item["number"])
        except Exception as e:  # noqa: BLE001 - a grading failure must never lose the answer
            log.warning("grading still fails for %s answer %s: %s", qid, item["number"], e)
            _failed(result, item["number"], e)
            changed[qid] = result
            break
        pending.pop(0)
        changed[qid] = settle(result) if result.get("finished") else result
    return changed, pending


# -- nodes ------------------------------------------------------------------------------
def plan(state: InterviewState, runtime: Runtime[Context]) -> dict[str, Any]:
    """Choose the categories for each question slot (weakest first, from the mastery the session passed in)
    and greet the candidate."""
    ctx = runtime.context
    config = _config(state)
    slots = plan_slots(_pool(ctx, config), config.questions, state.get("mastery", {}), config.seed or 0)
    categories = list(dict.fromkeys(slots))
    greeting = render("greeting", total=len(slots), categories=categories, level=config.level,
                      max_followups=config.max_followups)
    return {
        "slots": slots, "asked": [], "position": 0, "difficulty": start_difficulty(config.level), "results": {},
        "pending": [], "followups": 0, "phase": "question", "ended_early": False, "done": False, "report": None,
        "messages": [_say("greeting", greeting, 0)],
    }


def next_question(state: InterviewState, runtime: Runtime[Context]) -> dict[str, Any]:
    """Settle the question just finished, adapt the difficulty, and pick the next question."""
    ctx = runtime.context
    config = _config(state)
    changed: dict[str, QuestionResult] = {}
    difficulty = state.get("difficulty", start_difficulty(config.level))
    if state.get("position", 0) > 0:
        current = state["results"][state["question_id"]]
        if not current.get("finished"):
            changed[state["question_id"]] = settle(current)
        results = {**state["results"], **changed}
        scores = [s for r in sorted(results.values(), key=lambda r: r["position"])
                  if (s := result_score(r)) is not None]
        difficulty = next_difficulty(config.level, difficulty, scores)
    position = state.get("position", 0) + 1
    question = pick_question(
        _pool(ctx, config), state["slots"][position - 1], difficulty, asked=state.get("asked", []),
        avoid=state.get("avoid", []), seed=config.seed or 0, position=position,
    )
    if question is None:  # cannot happen: slots never outnumber the pool
        raise RuntimeError("no question left to ask")
    changed[question.id] = {
        "position": position, "question_id": question.id, "category": question.category,
        "difficulty": question.difficulty, "prompt": question.question,
        "rubric_version": question.rubric.version() if question.rubric else "", "asked_at": now(),
        "status": QuestionStatus.ASKED, "grade": None, "answers": [], "followups_asked": [], "probed": [],
        "stop": False, "finished": False,
    }
    return {
        "position": position, "question_id": question.id, "difficulty": difficulty,
        "asked": [*state.get("asked", []), question.id], "results": changed, "phase": "question",
        "followups": 0, "target": None,
    }


def ask(state: InterviewState, runtime: Runtime[Context]) -> dict[str, Any]:
    """Ask the current question (its text only: never the reference answer or the rubric)."""
    q = runtime.context.bank.get(state["question_id"])
    position, total = state["position"], len(state["slots"])
    values = {"position": position, "total": total, "category": q.category, "question": q.question}
    prompt = render("question", transition="", **values)
    text = render("question", transition=transition(position) if position > 1 else "", **values)
    return {"prompt": prompt, "empty_tries": 0, "messages": [_say("question", text, position)]}


def wait_answer(state: InterviewState) -> dict[str, Any]:
    """Pause for the candidate. The only interrupt in the graph; it re-runs from here on resume."""
    reply = interrupt({"prompt": state["prompt"], "position": state["position"], "phase": state["phase"],
                       "question_id": state["question_id"]})
    return {"reply": reply}


def intake(state: InterviewState, runtime: Runtime[Context]) -> dict[str, Any]:
    """Clean and classify the reply; an answer goes into the question's entry the moment it arrives (its
    checkpoint is written before grading starts)."""
    ctx = runtime.context
    position = state["position"]
    inp = classify(state.get("reply"), max_chars=ctx.max_answer_chars, empty_tries=state.get("empty_tries", 0))
    kind = inp["kind"]
    # The raw reply is not carried on: what was taken is in `input` (an oversized one is refused, not kept).
    out: dict[str, Any] = {"input": inp, "reply": None}
    messages: list[Message] = []
    if state.get("held") and kind not in ("empty", "too_long", "repeat"):
        out["held"] = None  # settled by this reply, or dropped for what the candidate sent instead
    if kind == "answer":
        kind, inp["text"], heard, keep = _typed_turn(state, ctx, inp["text"])
        inp["kind"] = kind
        messages.append(heard)
        if keep:
            out["held"] = keep
    if kind == "answer":
        result = _current(state)
        result["answers"] = [*result.get("answers", []),
                             _record(state, _answer_number(state), AnswerStatus.RECEIVED, inp["text"])]
        out["results"] = {state["question_id"]: result}
    elif kind == "empty":
        out["empty_tries"] = state.get("empty_tries", 0) + 1
        messages.append(_say("notice", render("empty"), position))
    elif kind == "no_answer":
        messages.append(_say("notice", render("no_answer"), position))
    elif kind == "too_long":
        messages.append(_say("notice", render("too_long", chars=inp["chars"], limit=ctx.max_answer_chars), position))
    elif kind == "repeat":
        messages += [_heard("command", inp["text"], position),
                     _say("repeat", render("repeat", prompt=state["prompt"]), position)]
    elif kind in ("skip", "quit"):
        messages.append(_heard("command", inp["text"], position))
        if kind == "quit":
            out["ended_early"] = True
    out["messages"] = messages
    return out


def _typed_turn(state: InterviewState, ctx: Context, text: str) -> tuple[InputKind, str, Message, Held | None]:
    """A typed message read as a turn: (its kind, the text that kind is about, the candidate's message for the
    transcript, a message to hold or None). The reply to "is that your answer, or a question?" settles the held
    message: it is taken as the answer, or answered as the question it leaned to; any other reply is read as a
    message of its own (and the held one dropped)."""
    position, held = state["position"], state.get("held")
    said = confirmation(text) if held else None
    if held and said:
        return ("answer" if said == "answer" else held["lean"]), held["text"], _heard("turn", text, position), None
    turn = _turn_kind(state, ctx, text)
    lean: Literal["clarify", "meta"] = "meta" if turn.lean == "meta" else "clarify"
    keep: Held | None = {"text": text, "lean": lean} if turn.kind == UNSURE else None
    kind = cast(InputKind, turn.kind)  # one of turns.KINDS, or turns.UNSURE: all input kinds
    return kind, text, _heard("answer" if kind == "answer" else "turn", text, position), keep


def _turn_kind(state: InterviewState, ctx: Context, text: str) -> Turn:
    """What kind of turn a typed message is (see turns.py), read against the words of what is being asked (the
    question, and the follow-up probe). Rules only: the grading model's constrained choice, measured on the
    held-back messages, lost answers the rules keep (bench/README.md, "Reading the turn")."""
    prompt = state.get("prompt", "") if state.get("phase") == "follow_up" else ""
    return classify_turn(text, subject=subject_of(ctx.bank.get(state["question_id"]), prompt))


def grade(state: InterviewState, runtime: Runtime[Context]) -> dict[str, Any]:
    """Grade the answer (a follow-up's only against its criterion, then merged), after retrying the grades
    that failed earlier. If grading fails, the answer is kept and its grade is pending: retried with the
    next answer, on resume and before the report."""
    ctx = runtime.context
    changed, pending = retry_pending(state, ctx) if state.get("pending") else ({}, [])
    qid, number, inp = state["question_id"], _answer_number(state), state["input"]
    result = copy.deepcopy(changed.get(qid) or state["results"][qid])
    out: dict[str, Any] = {"results": {**changed, qid: result}, "pending": pending}
    answers = result.get("answers", [])
    if inp["kind"] == "no_answer":
        result["answers"] = [*answers, _record(state, number, AnswerStatus.NO_ANSWER, "", score=0.0)]
        if number == 0:
            result["status"] = QuestionStatus.NO_ANSWER
            result["stop"] = True
        return out
    if not any(a["number"] == number for a in answers):  # a checkpoint from before intake kept the answer
        result["answers"] = [*answers, _record(state, number, AnswerStatus.RECEIVED, inp.get("text", ""))]
    try:
        _grade_one(ctx, ctx.bank.get(qid), result, number)
    except Exception as e:  # noqa: BLE001 - whatever failed, the answer is kept and graded later
        log.warning("grading failed for %s answer %s: %s", qid, number, e)
        _failed(result, number, e)
        if number == 0:
            result["status"] = QuestionStatus.PENDING
        result["stop"] = True
        out["pending"] = [*pending, {"question_id": qid, "number": number}]
        return out | {"messages": [_say("notice", render("pending", reason=type(e).__name__), state["position"])]}
    return out


def skip(state: InterviewState, runtime: Runtime[Context]) -> dict[str, Any]:
    """/skip: the question scores 0 (or, during a follow-up, that follow-up is dropped)."""
    result = _current(state)
    number = _answer_number(state)
    result["answers"] = [*result.get("answers", []), _record(state, number, AnswerStatus.SKIPPED, "", score=0.0)]
    if number == 0:
        result["status"] = QuestionStatus.SKIPPED
    result["stop"] = True
    text = render("skipped", phase=state.get("phase", "question"))
    return {"results": {state["question_id"]: result}, "messages": [_say("notice", text, state["position"])]}


def follow_up(state: InterviewState, runtime: Runtime[Context]) -> dict[str, Any]:
    """Ask about one missed core point, with the rubric's probe question (no model call)."""
    target = followup_target(state)
    rubric = runtime.context.bank.get(state["question_id"]).rubric
    if target is None or rubric is None:  # cannot happen: `decide` sends here only when a target is due
        raise RuntimeError("no follow-up is due")
    number = state.get("followups", 0) + 1
    probe = rubric.criterion(target).probes[0]
    result = _current(state)
    result["probed"] = [*result.get("probed", []), target]
    asked: FollowUp = {"number": number, "criterion": target, "prompt": probe, "asked_at": now()}
    result["followups_asked"] = [*result.get("followups_asked", []), asked]
    return {
        "phase": "follow_up", "followups": number, "target": target, "prompt": probe, "empty_tries": 0,
        "results": {state["question_id"]: result},
        "messages": [_say("follow_up", render("followup", number=number, probe=probe), state["position"])],
    }


def regrade(state: InterviewState, runtime: Runtime[Context]) -> dict[str, Any]:
    """Retry pending grades (sent by the engine when a session with pending grades resumes)."""
    changed, pending = retry_pending(state, runtime.context)
    return {"results": changed, "pending": pending}


def report(state: InterviewState, runtime: Runtime[Context]) -> dict[str, Any]:
    """Last chance for pending grades, settle what is open, then the report (the first message that may
    show reference answers and rubric points)."""
    ctx = runtime.context
    changed, pending = retry_pending(state, ctx)
    for qid, result in {**state.get("results", {}), **changed}.items():
        if result["status"] != QuestionStatus.ASKED and not result.get("finished"):
            changed[qid] = settle(result)
    final: InterviewState = {**state, "results": {**state.get("results", {}), **changed}, "pending": pending}
    rep = build_report(final, ctx.bank)
    closing = render("closing", ended_early=bool(state.get("ended_early")), answered=rep["answered"],
                     total=rep["total"])
    position = state.get("position", 0)
    return {
        "results": changed, "pending": pending, "report": rep, "done": True, "finished_at": now(),
        "messages": [_say("closing", closing, position), _say("report", to_markdown(rep), position)],
    }


# -- routers ----------------------------------------------------------------------------
def after_plan(state: InterviewState) -> Literal["next_question", "report"]:
    return "next_question" if state.get("slots") else "report"


def route_input(state: InterviewState) -> Literal["grade", "skip", "wait_answer", "regrade", "report", "clarify",
                                                  "dont_know", "hint", "meta", "confirm"]:
    kind = state["input"]["kind"]
    if kind in ("clarify", "dont_know", "hint", "meta"):
        return kind
    if kind == UNSURE:
        return "confirm"  # a question or an answer? ask the candidate
    if kind in ("answer", "no_answer"):
        return "grade"
    if kind == "skip":
        return "skip"
    if kind == "quit":
        return "report"
    if kind == "retry":
        return "regrade"
    return "wait_answer"  # empty (asked again), too long (refused), repeat


def decide(state: InterviewState) -> Literal["follow_up", "next", "report"]:
    """After an answer: a follow-up on a missed core point, the next question, or the report."""
    if followup_target(state) is not None:
        return "follow_up"
    return "next" if state["position"] < len(state["slots"]) else "report"
