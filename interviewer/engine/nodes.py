"""The graph's nodes and routers. Nodes are plain functions of (state, runtime) returning a partial state;
routers are typed with the Literal of where they may go.

A node may run again from its top after a crash, so everything it writes to the transcript store is an
upsert keyed by a stable id. Only `wait_answer` calls interrupt(), and it does nothing else. `results` has a
merging reducer: a node returns only the question entries it changed.
"""

from __future__ import annotations

import copy
import logging
from typing import Literal

from langgraph.runtime import Runtime
from langgraph.types import interrupt

from ..bank.models import Question
from ..grader.models import Grade, Verdict
from ..store.transcripts import answer_id, turn_id
from ..vocabulary import QuestionStatus
from .context import Context
from .inputs import classify
from .turns import UNSURE, Turn, confirmation, subject_of
from .turns import classify as classify_turn
from .phrasing import render, transition
from .report import build_report, result_score, to_markdown
from .selection import next_difficulty, pick_question, plan_slots, start_difficulty
from .state import Held, InterviewConfig, InterviewState, Message, PendingGrade, QuestionResult

log = logging.getLogger(__name__)

#: Verdicts that leave a criterion open for a follow-up.
OPEN_VERDICTS = (Verdict.MISSED, Verdict.NO_EVIDENCE)
ASKED, GRADED, PENDING = QuestionStatus.ASKED.value, QuestionStatus.GRADED.value, QuestionStatus.PENDING.value
SKIPPED, NO_ANSWER = QuestionStatus.SKIPPED.value, QuestionStatus.NO_ANSWER.value


# -- helpers --------------------------------------------------------------------------
def _config(state: InterviewState) -> InterviewConfig:
    return InterviewConfig.model_validate(state["config"])


def _pool(ctx: Context, config: InterviewConfig) -> list[Question]:
    return ctx.bank.in_categories(config.categories)


def _say(kind: str, text: str, position: int) -> Message:
    return {"role": "interviewer", "kind": kind, "text": text, "position": position}


def _heard(kind: str, text: str, position: int) -> Message:
    return {"role": "candidate", "kind": kind, "text": text, "position": position}


def _current(state: InterviewState) -> QuestionResult:
    """A copy of the current question's entry, ready to change and return as {question_id: entry}."""
    return copy.deepcopy(state["results"][state["question_id"]])


def _answer_number(state: InterviewState) -> int:
    return state.get("followups", 0) if state.get("phase") == "follow_up" else 0


def _dump(grade: Grade) -> dict:
    return grade.model_dump(mode="json")


def settle(ctx: Context, session_id: str, result: QuestionResult) -> QuestionResult:
    """Record a question as finished (final score, final verdicts, category mastery)."""
    ctx.store.finish_turn(
        session_id, result["position"], status=result["status"], score=result_score(result),
        grade=result.get("grade"), question_id=result["question_id"], category=result["category"],
    )
    return {**result, "finished": True}


def _grade_one(ctx: Context, question: Question, result: QuestionResult, number: int) -> Grade:
    """Grade answer `number` of a question and fold it into the question's grade (the grader's one path:
    the answer to the question against the whole rubric, a follow-up against its one criterion)."""
    record = next(a for a in result["answers"] if a["number"] == number)
    if number == 0:
        own = ctx.grader.grade(question, record["text"])
        if result.get("hinted"):  # a point reached through a hint counts less, like one drawn out by a follow-up
            own = ctx.grader.discount(own, result["hinted"], question)
        result["grade"] = _dump(own)
        result["status"] = GRADED
    else:
        if not result.get("grade"):
            raise LookupError("the answer to the question is not graded yet")
        own = ctx.grader.grade(question, record["text"], criteria=[record["criterion"]])
        base = Grade.model_validate(result["grade"])
        result["grade"] = _dump(ctx.grader.merge(base, own, question))
    record["status"] = GRADED
    record["score"] = own.score
    return own


def _store_grade(ctx: Context, state: InterviewState, result: QuestionResult, number: int, own: Grade) -> None:
    aid = answer_id(turn_id(state["session_id"], result["position"]), number)
    ctx.store.record_grade(aid, _dump(own), question_id=result["question_id"])


def retry_pending(state: InterviewState, ctx: Context) -> tuple[dict[str, QuestionResult], list[PendingGrade]]:
    """Grade the answers whose grading failed, oldest first; stop at the first failure (the model is
    probably still down). Questions already settled are settled again with their new score. Returns the
    result entries that changed and the grades still pending."""
    changed: dict[str, QuestionResult] = {}
    pending = list(state.get("pending", []))
    while pending:
        item = pending[0]
        result = copy.deepcopy(changed.get(item["question_id"]) or state["results"][item["question_id"]])
        try:
            own = _grade_one(ctx, ctx.bank.get(item["question_id"]), result, item["number"])
        except Exception as e:  # noqa: BLE001 - a grading failure must never lose the answer
            log.warning("grading still fails for %s answer %s: %s", item["question_id"], item["number"], e)
            aid = answer_id(turn_id(state["session_id"], result["position"]), item["number"])
            ctx.store.record_grade_error(aid, f"{type(e).__name__}: {e}")
            break
        _store_grade(ctx, state, result, item["number"], own)
        pending.pop(0)
        changed[item["question_id"]] = settle(ctx, state["session_id"], result) if result.get("finished") else result
    return changed, pending


def followup_target(state: InterviewState) -> str | None:
    """The criterion the next follow-up should aim at, or None when no follow-up is due (the question is
    not graded, or no follow-ups are left). The weakest open core point first (least credit, then the
    heaviest); when every core point is met, one depth probe on the weakest open non-core point."""
    config = _config(state)
    result = state.get("results", {}).get(state.get("question_id", ""))
    if not result or result["status"] != GRADED or result.get("stop") or not result.get("grade"):
        return None
    if state.get("followups", 0) >= config.max_followups:
        return None
    probed = set(result.get("probed", [])) | set(result.get("hinted", []))  # a hinted point is not asked again
    open_core = [
        c for c in result["grade"]["criteria"]
        if c.get("core") and c["verdict"] in OPEN_VERDICTS and c["criterion_id"] not in probed
    ]
    criteria = result["grade"]["criteria"]
    if not open_core and not any(c["verdict"] == Verdict.MET for c in criteria if c.get("core")):
        # Every core point only partly made: still probe the weakest of them.
        open_core = [c for c in criteria
                     if c.get("core") and c["verdict"] == Verdict.PARTIAL and c["criterion_id"] not in probed]
    if open_core:
        return min(open_core, key=lambda c: (c.get("score", 0), -c.get("weight", 1)))["criterion_id"]
    core_met = all(c["verdict"] == Verdict.MET for c in criteria if c.get("core"))
    depth_asked = any(not c.get("core") for c in criteria if c["criterion_id"] in probed)
    open_depth = [c for c in criteria if not c.get("core") and c["verdict"] in OPEN_VERDICTS
                  and c["criterion_id"] not in probed]
    if core_met and open_depth and not depth_asked:
        return min(open_depth, key=lambda c: (c.get("score", 0), -c.get("weight", 1)))["criterion_id"]
    return None


# -- nodes ------------------------------------------------------------------------------
def plan(state: InterviewState, runtime: Runtime[Context]) -> dict:
    """Choose the categories for each question slot and greet the candidate."""
    ctx = runtime.context
    config = _config(state)
    pool = _pool(ctx, config)
    slots = plan_slots(pool, config.questions, ctx.store.mastery(), config.seed or 0)
    ctx.store.plan_session(state["session_id"], len(slots))
    categories = list(dict.fromkeys(slots))
    greeting = render("greeting", total=len(slots), categories=categories, level=config.level,
                      max_followups=config.max_followups)
    return {
        "slots": slots, "avoid": sorted(ctx.store.seen_question_ids(exclude_session=state["session_id"])),
        "asked": [], "position": 0, "difficulty": start_difficulty(config.level), "results": {}, "pending": [],
        "followups": 0, "phase": "question", "ended_early": False, "done": False, "report": None,
        "messages": [_say("greeting", greeting, 0)],
    }


def next_question(state: InterviewState, runtime: Runtime[Context]) -> dict:
    """Settle the question just finished, adapt the difficulty, and pick the next question."""
    ctx = runtime.context
    config = _config(state)
    changed: dict[str, QuestionResult] = {}
    difficulty = state.get("difficulty", start_difficulty(config.level))
    if state.get("position", 0) > 0:
        current = state["results"][state["question_id"]]
        if not current.get("finished"):
            changed[state["question_id"]] = settle(ctx, state["session_id"], current)
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
        "difficulty": question.difficulty, "status": ASKED, "grade": None, "answers": [], "probed": [],
        "stop": False, "finished": False,
    }
    return {
        "position": position, "question_id": question.id, "difficulty": difficulty,
        "asked": [*state.get("asked", []), question.id], "results": changed, "phase": "question",
        "followups": 0, "target": None,
    }


def ask(state: InterviewState, runtime: Runtime[Context]) -> dict:
    """Ask the current question (its text only: never the reference answer or the rubric)."""
    ctx = runtime.context
    q = ctx.bank.get(state["question_id"])
    position, total = state["position"], len(state["slots"])
    values = {"position": position, "total": total, "category": q.category, "question": q.question}
    prompt = render("question", transition="", **values)
    text = render("question", transition=transition(position) if position > 1 else "", **values)
    ctx.store.record_question(
        state["session_id"], position, question_id=q.id, category=q.category, difficulty=q.difficulty,
        rubric_version=q.rubric.version() if q.rubric else "", prompt=q.question,
    )
    return {"prompt": prompt, "empty_tries": 0, "messages": [_say("question", text, position)]}


def wait_answer(state: InterviewState) -> dict:
    """Pause for the candidate. The only interrupt in the graph; it re-runs from here on resume."""
    reply = interrupt({"prompt": state["prompt"], "position": state["position"], "phase": state["phase"],
                       "question_id": state["question_id"]})
    return {"reply": reply}


def intake(state: InterviewState, runtime: Runtime[Context]) -> dict:
    """Clean and classify the reply; keep an answer in the transcript the moment it arrives."""
    ctx = runtime.context
    position = state["position"]
    inp = classify(state.get("reply"), max_chars=ctx.max_answer_chars, empty_tries=state.get("empty_tries", 0))
    kind = inp["kind"]
    # The raw reply is not carried on: what was taken is in `input` (an oversized one is refused, not kept).
    out: dict = {"input": inp, "reply": None}
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
        number = _answer_number(state)
        ctx.store.record_answer(state["session_id"], position, number, text=inp["text"],
                                kind="follow_up" if number else "answer")
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


def _typed_turn(state: InterviewState, ctx: Context, text: str) -> tuple[str, str, Message, Held | None]:
    """A typed message read as a turn: (its kind, the text that kind is about, the candidate's message for the
    transcript, a message to hold or None). The reply to "is that your answer, or a question?" settles the held
    message: it is taken as the answer, or answered as the question it leaned to; any other reply is read as a
    message of its own (and the held one dropped)."""
    position, held = state["position"], state.get("held")
    said = confirmation(text) if held else None
    if held and said:
        return ("answer" if said == "answer" else held["lean"]), held["text"], _heard("turn", text, position), None
    turn = _turn_kind(state, ctx, text)
    keep: Held | None = {"text": text, "lean": turn.lean or "clarify"} if turn.kind == UNSURE else None
    return turn.kind, text, _heard("answer" if turn.kind == "answer" else "turn", text, position), keep


def _turn_kind(state: InterviewState, ctx: Context, text: str) -> Turn:
    """What kind of turn a typed message is (see turns.py), read against the words of what is being asked (the
    question, and the follow-up probe). Rules only: the grading model's constrained choice, measured on the
    held-back messages, lost answers the rules keep (bench/README.md, "Reading the turn")."""
    prompt = state.get("prompt", "") if state.get("phase") == "follow_up" else ""
    return classify_turn(text, subject=subject_of(ctx.bank.get(state["question_id"]), prompt))


def grade(state: InterviewState, runtime: Runtime[Context]) -> dict:
    """Grade the answer (a follow-up's only against its criterion, then merged), after retrying the grades
    that failed earlier. If grading fails, the answer is kept and its grade is pending: retried with the
    next answer, on resume and before the report."""
    ctx = runtime.context
    changed, pending = retry_pending(state, ctx) if state.get("pending") else ({}, [])
    qid, number, inp = state["question_id"], _answer_number(state), state["input"]
    result = copy.deepcopy(changed.get(qid) or state["results"][qid])
    record = {"number": number, "kind": "follow_up" if number else "answer",
              "criterion": state.get("target") if number else None, "prompt": state["prompt"] if number else "",
              "text": inp.get("text", ""), "status": GRADED, "score": None}
    result["answers"] = [*result.get("answers", []), record]
    out: dict = {"results": {**changed, qid: result}, "pending": pending}
    if inp["kind"] == "no_answer":
        record.update(status=NO_ANSWER, score=0.0)
        ctx.store.record_answer(state["session_id"], state["position"], number, text="", kind=record["kind"],
                                status=NO_ANSWER)
        if number == 0:
            result["status"] = NO_ANSWER
            result["stop"] = True
        return out
    try:
        own = _grade_one(ctx, ctx.bank.get(qid), result, number)
    except Exception as e:  # noqa: BLE001 - whatever failed, the answer is kept and graded later
        log.warning("grading failed for %s answer %s: %s", qid, number, e)
        record["status"] = PENDING
        if number == 0:
            result["status"] = PENDING
        result["stop"] = True
        out["pending"] = [*pending, {"question_id": qid, "number": number}]
        aid = answer_id(turn_id(state["session_id"], state["position"]), number)
        ctx.store.record_grade_error(aid, f"{type(e).__name__}: {e}")
        return out | {"messages": [_say("notice", render("pending", reason=type(e).__name__), state["position"])]}
    _store_grade(ctx, state, result, number, own)
    return out


def skip(state: InterviewState, runtime: Runtime[Context]) -> dict:
    """/skip: the question scores 0 (or, during a follow-up, that follow-up is dropped)."""
    ctx = runtime.context
    result = _current(state)
    number = _answer_number(state)
    kind = "follow_up" if number else "answer"
    result["answers"] = [*result.get("answers", []), {
        "number": number, "kind": kind, "criterion": state.get("target") if number else None,
        "prompt": state["prompt"] if number else "", "text": "", "status": SKIPPED, "score": 0.0}]
    if number == 0:
        result["status"] = SKIPPED
    result["stop"] = True
    ctx.store.record_answer(state["session_id"], state["position"], number, text="", kind=kind, status=SKIPPED)
    text = render("skipped", phase=state.get("phase", "question"))
    return {"results": {state["question_id"]: result}, "messages": [_say("notice", text, state["position"])]}


def follow_up(state: InterviewState, runtime: Runtime[Context]) -> dict:
    """Ask about one missed core point, with the rubric's probe question (no model call)."""
    ctx = runtime.context
    target = followup_target(state)
    question = ctx.bank.get(state["question_id"])
    criterion = question.rubric.criterion(target)
    number = state.get("followups", 0) + 1
    probe = criterion.probes[0]
    result = _current(state)
    result["probed"] = [*result.get("probed", []), target]
    ctx.store.record_followup(state["session_id"], state["position"], number, criterion_id=target, prompt=probe)
    return {
        "phase": "follow_up", "followups": number, "target": target, "prompt": probe, "empty_tries": 0,
        "results": {state["question_id"]: result},
        "messages": [_say("follow_up", render("followup", number=number, probe=probe), state["position"])],
    }


def regrade(state: InterviewState, runtime: Runtime[Context]) -> dict:
    """Retry pending grades (sent by the engine when a session with pending grades resumes)."""
    changed, pending = retry_pending(state, runtime.context)
    return {"results": changed, "pending": pending}


def report(state: InterviewState, runtime: Runtime[Context]) -> dict:
    """Last chance for pending grades, settle what is open, then the report (the first message that may
    show reference answers and rubric points)."""
    ctx = runtime.context
    changed, pending = retry_pending(state, ctx)
    for qid, result in {**state.get("results", {}), **changed}.items():
        if result["status"] != ASKED and not result.get("finished"):
            changed[qid] = settle(ctx, state["session_id"], result)
    final = {**state, "results": {**state.get("results", {}), **changed}, "pending": pending}
    rep = build_report(final, ctx.bank)
    ctx.store.finish_session(state["session_id"], status="quit" if state.get("ended_early") else "finished",
                             report=rep)
    closing = render("closing", ended_early=bool(state.get("ended_early")), answered=rep["answered"],
                     total=rep["total"])
    position = state.get("position", 0)
    return {
        "results": changed, "pending": pending, "report": rep, "done": True,
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
