"""The end-of-interview report: scores overall, per category and per question, criteria hit and missed,
the reference answers, and three topics to study first. Built from the graph state (plain data)."""

from __future__ import annotations

from ..bank.models import Question
from ..bank.storage import Bank
from .phrasing import render
from .state import InterviewState, QuestionResult

#: Question statuses that carry a final score (skips and no-answers score 0).
SCORED = ("graded", "skipped", "no_answer")
HIT, PARTIAL = "met", "partial"


def _mean(values: list[float]) -> float | None:
    return round(sum(values) / len(values), 2) if values else None


def result_score(result: QuestionResult) -> float | None:
    """A question's final score: its grade's, 0 when skipped or not answered, None while pending."""
    if result["status"] in ("skipped", "no_answer"):
        return 0.0
    if result["status"] == "graded" and result.get("grade"):
        return round(float(result["grade"]["score"]), 2)
    return None


def _criteria(question: Question, result: QuestionResult) -> list[dict]:
    verdicts = {c["criterion_id"]: c for c in (result.get("grade") or {}).get("criteria", [])}
    out = []
    for c in question.rubric.criteria if question.rubric else []:
        v = verdicts.get(c.id, {})
        out.append({
            "id": c.id, "point": c.point, "core": c.core, "weight": c.weight,
            "verdict": v.get("verdict", "missed"), "score": v.get("score", 0.0), "evidence": v.get("evidence"),
        })
    return out


def question_entry(bank: Bank, result: QuestionResult) -> dict:
    q = bank.get(result["question_id"])
    criteria = _criteria(q, result)
    grade = result.get("grade") or {}
    answers = [
        {"number": a["number"], "kind": a["kind"], "prompt": a.get("prompt", ""),
         "text": a.get("text") or f"({a['status'].replace('_', ' ')})", "status": a["status"], "score": a.get("score")}
        for a in result.get("answers", [])
    ]
    return {
        "position": result["position"], "question_id": q.id, "category": q.category, "difficulty": q.difficulty,
        "question": q.question, "status": result["status"], "score": result_score(result),
        "followups": sum(1 for a in result.get("answers", []) if a["kind"] == "follow_up"),
        "flags": list(grade.get("flags", [])), "criteria": criteria,
        "hit": [c["point"] for c in criteria if c["verdict"] == HIT],
        "partial": [c["point"] for c in criteria if c["verdict"] == PARTIAL],
        "missed": [c["point"] for c in criteria if c["verdict"] not in (HIT, PARTIAL)],
        "feedback": (grade.get("feedback") or {}).get("study"),
        "answers": answers, "reference_answer": q.reference_answer,
        "model_id": grade.get("model_id"), "rubric_version": grade.get("rubric_version"),
    }


def _reason(q: dict, c: dict) -> str:
    if q["status"] == "skipped":
        return "skipped"
    if c["verdict"] == PARTIAL:
        return "partly covered"
    return "core point missed" if c["core"] else "missed"


def study_topics(questions: list[dict], categories: list[dict], n: int = 3) -> list[dict]:
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
    picked: list[dict] = []
    while losses and len(picked) < n:
        def effective(item: tuple[float, dict, dict]) -> tuple[float, int]:
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


def build_report(state: InterviewState, bank: Bank) -> dict:
    """The report as plain data: what was answered (a question asked but not answered is left out)."""
    config = state.get("config", {})
    results = sorted(
        (r for r in state.get("results", {}).values() if r["status"] != "asked"), key=lambda r: r["position"]
    )
    questions = [question_entry(bank, r) for r in results]
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
        "pending": sum(1 for q in questions if q["status"] == "pending"),
        "categories": categories, "study": study_topics(questions, categories), "questions": questions,
    }


def _fmt(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.1f}"


def to_markdown(report: dict) -> str:
    return render("report", r=report, fmt=_fmt)
