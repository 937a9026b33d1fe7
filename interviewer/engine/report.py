"""The end-of-interview report: scores overall, per category and per question, criteria hit and missed,
the reference answers, and three topics to study first. Built from the graph state as a JSON-able document
(its verdicts, flags and statuses are StrEnum members, which serialize as their values); a score card is one
question's entry of it, as the fronts show it beside the chat."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from ..bank.models import Question
from ..bank.storage import Bank
from ..grader.models import Flag, Grade, Verdict
from ..vocabulary import QuestionStatus, final_score, format_score
from .phrasing import render
from .state import InterviewState, QuestionResult


def _mean(values: list[float]) -> float | None:
    return round(sum(values) / len(values), 2) if values else None


def result_score(result: QuestionResult, review: Grade | None = None) -> float | None:
    """A question's final score (vocabulary.final_score): its review grade's once one landed, else its live
    grade's; 0 when skipped or not answered, None while pending."""
    grade = review if review is not None else result.get("grade")
    return final_score(result["status"], grade.score if grade is not None else None)


def _criteria(question: Question, grade: Grade | None) -> list[dict[str, Any]]:
    """Every rubric point with its verdict (a point the grade does not name counts as missed)."""
    out = []
    for c in question.rubric.criteria if question.rubric else []:
        g = grade.criterion(c.id) if grade is not None else None
        out.append({
            "id": c.id, "point": c.point, "core": c.core, "weight": c.weight,
            "verdict": g.verdict if g is not None else Verdict.MISSED, "score": g.score if g is not None else 0.0,
            "evidence": g.evidence if g is not None else None,
        })
    return out


def question_entry(bank: Bank, result: QuestionResult, review: Grade | None = None, reviewing: bool = False
                   ) -> dict[str, Any]:
    """One question of the report: scored by its review grade when one landed (`review`), else by its live grade,
    which is `provisional` while a review is still to come (`reviewing`)."""
    q = bank.get(result["question_id"])
    live = result.get("grade")
    grade = review if review is not None and result["status"] == QuestionStatus.GRADED else live
    criteria = _criteria(q, grade)
    answers = [
        {"number": a["number"], "kind": a["kind"], "prompt": a.get("prompt", ""),
         "text": a.get("text") or f"({a['status'].replace('_', ' ')})", "status": a["status"], "score": a.get("score")}
        for a in result.get("answers", [])
    ]
    return {
        "position": result["position"], "question_id": q.id, "category": q.category, "difficulty": q.difficulty,
        "question": q.question, "status": result["status"], "score": result_score(result, review),
        "live_score": result_score(result), "reviewed": grade is not None and grade is review,
        "provisional": reviewing and review is None and result["status"] == QuestionStatus.GRADED,
        "errors": [e.model_dump(mode="json") for e in grade.errors] if grade is not None else [],
        "right": list(grade.feedback.right) if grade is not None else [],
        "outline": list(grade.feedback.outline) if grade is not None else [],
        "followups": sum(1 for a in result.get("answers", []) if a["kind"] == "follow_up"),
        "after_hint": bool(result.get("after_hint")),
        "hinted": [q.rubric.criterion(cid).point for cid in result.get("hinted", []) if q.rubric],
        "flags": list(grade.flags) if grade is not None else [], "criteria": criteria,
        **_points(criteria),
        "feedback": grade.feedback.study if grade is not None else None,
        "answers": answers, "reference_answer": q.reference_answer,
        "model_id": grade.model_id if grade is not None else None,
        "rubric_version": grade.rubric_version if grade is not None else None,
    }


def _points(criteria: list[dict[str, Any]]) -> dict[str, list[str]]:
    """The rubric points by verdict: {"hit": made, "partial": partly made, "wrong": stated wrongly (a review finds
    these), "missed": not made at all}."""
    verdicts = [(c["point"], Verdict(c["verdict"])) for c in criteria]
    return {
        "hit": [point for point, v in verdicts if v == Verdict.MET],
        "partial": [point for point, v in verdicts if v == Verdict.PARTIAL],
        "wrong": [point for point, v in verdicts if v == Verdict.WRONG],
        "missed": [point for point, v in verdicts if v.missed],
    }


@dataclass(frozen=True)
class ScoreCard:
    """One question's score as a front shows it beside the chat. The rubric points and the feedback (which
    names them) are filled in only once the question is settled; while a follow-up is still to come only
    their counts are, so the card never tells what the follow-up is after. Pending: no points at all."""

    position: int
    question_id: str
    question: str
    category: str
    status: QuestionStatus
    score: float | None
    settled: bool  # the interview has moved past this question
    provisional: bool  # the live grade's score: its review is still to come
    counts: tuple[int, int, int]  # points hit, partly made and missed so far
    hit: list[str]
    partial: list[str]
    missed: list[str]
    feedback: str | None
    flags: list[Flag]
    wrong: list[str] = field(default_factory=list)  # points stated wrongly (a review finds these)
    errors: list[dict[str, Any]] = field(default_factory=list)  # the claims a review found wrong: {quote, correction}


def score_card(bank: Bank, result: QuestionResult, review: Grade | None = None, reviewing: bool = False
               ) -> ScoreCard | None:
    """The card of a question that has an answer (None while it is only asked)."""
    if result["status"] == QuestionStatus.ASKED:
        return None
    entry = question_entry(bank, result, review, reviewing)
    settled = bool(result.get("finished"))
    show = settled and result["status"] != QuestionStatus.PENDING
    return ScoreCard(
        position=entry["position"], question_id=entry["question_id"], question=entry["question"],
        category=entry["category"], status=entry["status"], score=entry["score"], settled=settled,
        provisional=entry["provisional"],
        counts=(len(entry["hit"]), len(entry["partial"]), len(entry["missed"])),
        hit=entry["hit"] if show else [], partial=entry["partial"] if show else [],
        missed=entry["missed"] if show else [], feedback=entry["feedback"] if show else None, flags=entry["flags"],
        wrong=entry["wrong"] if show else [], errors=entry["errors"] if show else [],
    )


def _reason(q: dict[str, Any], c: dict[str, Any]) -> str:
    if q["status"] == QuestionStatus.SKIPPED:
        return "skipped"
    if c["verdict"] == Verdict.PARTIAL:
        return "partly covered"
    return "core point missed" if c["core"] else "missed"


def study_topics(questions: list[dict[str, Any]], categories: list[dict[str, Any]], n: int = 3
                 ) -> list[dict[str, Any]]:
    """The n points that cost the most: weight x missing credit, core points doubled, halved for each point
    already picked from the same question (so the list spreads over questions). When fewer points were
    missed, the weakest categories fill in."""
    losses = []
    for q in questions:
        if q["score"] is None:
            continue
        for c in q["criteria"]:
            loss = c["weight"] * (1.0 - float(c["score"])) * (2 if c["core"] else 1)
            if loss > 0:
                losses.append((loss, q, c))
    picked: list[dict[str, Any]] = []
    while losses and len(picked) < n:
        def effective(item: tuple[float, dict[str, Any], dict[str, Any]]) -> tuple[float, int]:
            loss, q, _ = item
            same = sum(1 for p in picked if p["question_id"] == q["question_id"])
            return loss * 0.5 ** same, -q["position"]

        best = max(losses, key=effective)
        losses.remove(best)
        _, q, c = best
        picked.append({"topic": c["point"], "category": q["category"], "question_id": q["question_id"],
                       "criterion_id": c["id"], "reason": _reason(q, c)})
    for cat in sorted(categories, key=lambda c: (c["score"] if c["score"] is not None else 10, c["category"])):
        if len(picked) >= n:
            break
        if not any(p["category"] == cat["category"] for p in picked):
            picked.append({"topic": f"review {cat['category']} broadly", "category": cat["category"],
                           "question_id": None, "criterion_id": None, "reason": f"category score {cat['score']}"})
    return picked[:n]


def build_report(state: InterviewState, bank: Bank, reviews: Mapping[int, Grade] | None = None,
                 reviewing: bool = False) -> dict[str, Any]:
    """The report as plain data: what was answered (a question asked but not answered is left out). `reviews`:
    the review grades landed so far (question position -> grade, see reviews.current); `reviewing`: reviews are
    on, so a question without one is marked provisional."""
    config = state.get("config", {})
    results = sorted((r for r in state.get("results", {}).values() if r["status"] != QuestionStatus.ASKED),
                     key=lambda r: r["position"])
    reviews = reviews or {}
    questions = [question_entry(bank, r, reviews.get(r["position"]), reviewing) for r in results]
    by_cat: dict[str, list[float]] = {}
    for q in questions:
        if q["score"] is not None:
            by_cat.setdefault(q["category"], []).append(q["score"])
    categories = [{"category": c, "score": _mean(s), "questions": len(s)} for c, s in sorted(by_cat.items())]
    scores = [q["score"] for q in questions if q["score"] is not None]
    return {
        "session_id": state.get("session_id"), "level": config.get("level"), "seed": config.get("seed"),
        "total": len(state.get("slots", [])), "asked": len(state.get("asked", [])), "answered": len(questions),
        "ended_early": bool(state.get("ended_early")), "overall": _mean(scores),
        "pending": sum(1 for q in questions if q["status"] == QuestionStatus.PENDING),
        "provisional": sum(1 for q in questions if q["provisional"]),
        "categories": categories, "study": study_topics(questions, categories), "questions": questions,
    }


def to_markdown(report: dict[str, Any]) -> str:
    from ..speech.store import markdown as delivery_markdown  # the Delivery section of spoken answers (issue 18)

    md = render("report", r=report, fmt=format_score)
    delivery = delivery_markdown(report.get("delivery"))
    return md.rstrip("\n") + "\n\n" + delivery if delivery else md
