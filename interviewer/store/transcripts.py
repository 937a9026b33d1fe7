"""The transcript API: the read model of the interviews, and what the CLI and the UI read.

The graph state in the checkpoint database is the one source of truth; this database is its read model, in
plain tables usable from sqlite3 or Datasette. `Transcripts.project(state)` records a session as its graph
state has it, in one transaction, after each run of the graph; `Transcripts` is the only code that speaks SQL
to the database, and it owns the session read model: `sessions()` and `history()` for listings,
`session()`/`turns()` for one session (grades map back to `Grade` objects, in `_read_answer`), `export_session()` for
the JSON export both fronts write.

Every row is an upsert keyed by a stable id (session id, `SESSION:K` for the K-th question, `:aN` for its
answers, `:fN` for its follow-ups), so recording the same state again (after a crash, or on resume) writes the
same rows instead of duplicating them. A session's `answered` count is recounted in that same transaction, so a
listing shows live counts.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import sqlite_utils

from ..errors import SessionNotFound
from ..grader.models import Grade
from ..vocabulary import SCORED, FollowUpStatus, QuestionStatus, SessionStatus, final_score
from .db import now, open_db, transaction

if TYPE_CHECKING:  # the engine's state is read here, never imported at run time (the engine imports the store)
    from ..engine.state import AnswerRecord, InterviewState, QuestionResult

#: How many of the latest scores in a category make its mastery estimate.
MASTERY_WINDOW = 5
#: The most sessions one listing returns.
MAX_LIST = 10_000
#: Questions of a session that have an answer, a skip or a no-answer recorded (follow-ups not counted).
ANSWERED_SQL = ("update sessions set answered = (select count(*) from answers where answers.session_id = sessions.id "
                "and answers.followup_id is null) where id = ?")


def turn_id(session_id: str, position: int) -> str:
    return f"{session_id}:{position}"


def answer_id(turn: str, number: int) -> str:
    """Answer 0 is the answer to the question; answer N answers follow-up N."""
    return f"{turn}:a{number}"


def followup_id(turn: str, number: int) -> str:
    return f"{turn}:f{number}"


def review_basis(result: QuestionResult) -> str:
    """What a question's review grade is of: its answers' texts, the rubric and the points a hint led to. A stored
    review counts only while the question's basis is the one it reviewed."""
    texts = [a.get("text") or "" for a in sorted(result.get("answers", []), key=lambda a: a["number"])]
    payload = [result["question_id"], result.get("rubric_version"), texts, sorted(result.get("hinted", []))]
    return hashlib.sha256(json.dumps(payload, ensure_ascii=False).encode("utf-8")).hexdigest()[:24]


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "replace")).hexdigest()


def _public(row: dict) -> dict:
    """A session row as readers see it: without the owner's token digest."""
    return {k: v for k, v in dict(row).items() if k != "owner"}


def _marks(values: Any) -> str:
    """The `?, ?, ...` placeholders for an `in (...)` list of these values."""
    return ", ".join("?" for _ in values)


def _json(value: Any) -> str | None:
    return None if value is None else json.dumps(value, ensure_ascii=False)


def _known(record: Mapping[str, Any], *keys: str) -> dict[str, Any]:
    """The values of `keys` that `record` has: a state checkpointed by an older version lacks some, and their
    columns keep what that version wrote."""
    return {k: record[k] for k in keys if k in record}


def _read_answer(row: Mapping[str, Any]) -> dict[str, Any]:
    """An answer row as readers see it: its grade a `Grade` (or None), its flags a list."""
    return dict(row) | {"grade": Grade.model_validate_json(row["grade"]) if row.get("grade") else None,
                        "flags": json.loads(row["flags"]) if row.get("flags") else []}


class Transcripts:
    """A handle on the transcript database. Cheap to create; close it when done."""

    def __init__(self, db: sqlite_utils.Database) -> None:
        self.db = db

    @classmethod
    def open(cls, path: Path | str | None = None) -> "Transcripts":
        return cls(open_db(path))

    def close(self) -> None:
        self.db.close()

    # -- writes ---------------------------------------------------------------------
    def create_session(self, session_id: str, config: Mapping[str, Any], *, app_version: str = "") -> None:
        with transaction(self.db):
            self.db.table("sessions").upsert(
                {
                    "id": session_id, "started_at": now(), "status": SessionStatus.ACTIVE,
                    "level": config.get("level"), "categories": ", ".join(config.get("categories") or []) or "all",
                    "n_questions": config.get("questions"), "max_followups": config.get("max_followups"),
                    "seed": config.get("seed"), "model": config.get("model"), "config": _json(config),
                    "answered": 0, "app_version": app_version,
                },
                pk="id",
            )

    def project(self, state: InterviewState, before: InterviewState | None = None) -> None:
        """Record a session as its graph state has it, in one transaction: its plan, live answered count and
        (once done) report; each question's row and final verdicts, its follow-ups, its answers with their
        grades (model, prompt and rubric versions) or grade errors; the mastery of the categories of settled
        questions. With `before` (the state recorded last), only the questions that changed since are written."""
        sid = state["session_id"]
        old = before.get("results", {}) if before is not None else {}
        changed = sorted((r for qid, r in state.get("results", {}).items() if old.get(qid) != r),
                         key=lambda r: r["position"])
        with transaction(self.db):
            for result in changed:
                self._question(sid, result)
            self._count_answered(sid)
            for category in sorted({r["category"] for r in changed if r.get("finished")}):
                self._update_mastery(category)
            self._session(sid, state)

    def _session(self, session_id: str, state: InterviewState) -> None:
        row: dict[str, Any] = {"n_questions": len(state["slots"])} if "slots" in state else {}
        if state.get("done"):
            report = state.get("report") or {}
            row |= {"status": SessionStatus.QUIT if state.get("ended_early") else SessionStatus.FINISHED,
                    "answered": report.get("answered", 0), "report": _json(report)}
            row |= _known(state, "finished_at")
        if row:
            self.db.table("sessions").update(session_id, row)
        if state.get("done"):  # the mean of the kept scores: the reviews' where they have landed
            self._overall(session_id)

    def _overall(self, session_id: str) -> None:
        self.db.execute(
            f"update sessions set score = (select round(avg(score), 2) from turns where session_id = ? and status "
            f"in ({_marks(SCORED)}) and score is not null) where id = ?", [session_id, *sorted(SCORED), session_id])

    def _question(self, session_id: str, result: QuestionResult) -> None:
        """A question's row (its final status and score once settled), follow-ups, answers and verdicts."""
        tid = turn_id(session_id, result["position"])
        finished, grade = bool(result.get("finished")), result.get("grade")
        turn = {
            "id": tid, "session_id": session_id, "position": result["position"], "question_id": result["question_id"],
            "category": result["category"], "difficulty": result["difficulty"],
            "followups": len(result.get("probed", [])), "status": QuestionStatus.ASKED, "score": None,
        } | _known(result, "prompt", "rubric_version", "asked_at")
        if finished:  # settled: its final status and score (the review's, once one of these answers is stored)
            live = final_score(result["status"], grade.score if grade is not None else None)
            review = self._review_score(tid, review_basis(result)) if result["status"] == QuestionStatus.GRADED else None
            turn |= {"status": result["status"], "live_score": live, "score": review if review is not None else live}
            turn |= _known(result, "finished_at")
        self.db.table("turns").upsert(turn, pk="id")
        answers = {a["number"]: a for a in result.get("answers", [])}
        for f in result.get("followups_asked", []):
            answer = answers.get(f["number"])
            self.db.table("followups").upsert(
                {
                    "id": followup_id(tid, f["number"]), "turn_id": tid, "session_id": session_id,
                    "number": f["number"], "criterion_id": f["criterion"], "prompt": f["prompt"],
                    "asked_at": f["asked_at"],
                    "status": FollowUpStatus.ASKED if answer is None else FollowUpStatus(answer["status"]),
                },
                pk="id",
            )
        for answer in answers.values():
            self._record_answer(session_id, tid, result["question_id"], answer)
        if finished:
            self.db.execute("delete from verdicts where turn_id = ? and stage = 'final'", [tid])
            if grade is not None:
                self._verdicts(f"{tid}:final", None, tid, session_id, result["question_id"], "final", grade)

    def _record_answer(self, session_id: str, tid: str, question_id: str, answer: AnswerRecord) -> None:
        """One answer (to the question, or to follow-up N): its text as it arrived, then its grade or why the
        grader failed."""
        number, text = answer["number"], answer.get("text", "")
        aid = answer_id(tid, number)
        row: dict[str, Any] = {
            "id": aid, "turn_id": tid, "session_id": session_id, "kind": answer["kind"], "text": text,
            "followup_id": followup_id(tid, number) if number else None, "chars": len(text), "status": answer["status"],
        } | _known(answer, "answered_at", "error")
        grade = answer.get("grade")
        if grade is not None:
            row |= {
                "score": grade.score, "confidence": grade.confidence, "flags": _json(list(grade.flags)),
                "feedback": _json(grade.feedback.model_dump(mode="json")), "graded_at": answer.get("graded_at"),
                "grade_seconds": grade.seconds, "model_id": grade.model_id, "prompt_version": grade.prompt_version,
                "rubric_version": grade.rubric_version, "grade": _json(grade.model_dump(mode="json")),
            }
        self.db.table("answers").upsert(row, pk="id")
        if grade is not None:
            self._verdicts(aid, aid, tid, session_id, question_id, "answer", grade)

    def record_review(self, session_id: str, position: int, question_id: str, basis: str, grade: Grade) -> None:
        """A settled question's review grade (of the answers `basis` names): stored with its verdicts; it becomes
        the question's kept score (and its category's mastery, and a finished session's overall score) while the
        question's answers are still the ones it reviewed."""
        tid = turn_id(session_id, position)
        with transaction(self.db):
            self.db.table("reviews").upsert({
                "id": tid, "turn_id": tid, "session_id": session_id, "question_id": question_id, "basis": basis,
                "score": grade.score, "grade": _json(grade.model_dump(mode="json")), "model_id": grade.model_id,
                "prompt_version": grade.prompt_version, "rubric_version": grade.rubric_version,
                "seconds": grade.seconds, "reviewed_at": now(),
            }, pk="id")
            self.db.execute("delete from verdicts where turn_id = ? and stage = 'review'", [tid])
            self._verdicts(f"{tid}:review", None, tid, session_id, question_id, "review", grade)
            row = self.db.execute("select category, status from turns where id = ?", [tid]).fetchone()
            if row is None or row[1] != QuestionStatus.GRADED:
                return
            self.db.execute("update turns set score = ? where id = ?", [grade.score, tid])
            self._update_mastery(row[0])
            if self.db.execute("select status from sessions where id = ?", [session_id]).fetchone()[0] != \
                    SessionStatus.ACTIVE:
                self._overall(session_id)

    def _review_score(self, tid: str, basis: str) -> float | None:
        """The stored review's score of a question, if it reviewed these answers (`basis`)."""
        row = self.db.execute("select score from reviews where id = ? and basis = ?", [tid, basis]).fetchone()
        return row[0] if row is not None else None

    def reviews(self, session_id: str) -> dict[int, tuple[str, Grade]]:
        """The session's stored reviews: question position -> (the basis it reviewed, its review grade)."""
        rows = self.db.execute("select t.position, r.basis, r.grade from reviews r join turns t on t.id = r.turn_id "
                               "where r.session_id = ?", [session_id]).fetchall()
        return {pos: (basis, Grade.model_validate_json(grade)) for pos, basis, grade in rows}

    def _count_answered(self, session_id: str) -> None:
        """Recounted, not incremented: recording the same state twice leaves the same count."""
        self.db.execute(ANSWERED_SQL, [session_id])

    def set_owner(self, session_id: str, token: str) -> None:
        """Bind a session to whoever holds `token` (only its digest is stored)."""
        with transaction(self.db):
            self.db.table("sessions").update(session_id, {"owner": _digest(token)})

    def owned(self, session_id: str, token: str | None) -> bool:
        """True if `session_id` (exactly, no prefix) exists and `token` is its owner's."""
        if not token or not isinstance(session_id, str) or not isinstance(token, str):
            return False
        row = self.db.execute("select owner from sessions where id = ?", [session_id]).fetchone()
        return bool(row and row[0]) and hmac.compare_digest(row[0], _digest(token))

    def owned_ids(self, tokens: dict | None) -> list[str]:
        """The session ids of `tokens` ({session id: token}) whose token is their owner's."""
        if not isinstance(tokens, dict):
            return []
        return [sid for sid, token in list(tokens.items())[:MAX_LIST] if self.owned(sid, token)]

    def _verdicts(self, prefix: str, aid: str | None, tid: str, session_id: str, question_id: str, stage: str,
                  grade: Grade) -> None:
        rows = [
            {
                "id": f"{prefix}:{c.criterion_id}", "answer_id": aid, "turn_id": tid, "session_id": session_id,
                "question_id": question_id, "stage": stage, "criterion_id": c.criterion_id, "verdict": c.verdict,
                "score": c.score, "confidence": c.confidence, "weight": c.weight, "core": int(c.core),
                "evidence": c.evidence, "signals": _json(c.signals),
            }
            for c in grade.criteria
        ]
        if rows:
            self.db.table("verdicts").upsert_all(rows, pk="id")

    def _update_mastery(self, category: str) -> None:
        scores = [
            row[0]
            for row in self.db.execute(
                f"select score from turns where category = ? and status in ({_marks(SCORED)}) and score is not null "
                "order by finished_at desc, rowid desc", [category, *sorted(SCORED)],
            ).fetchall()
        ]
        if not scores:
            return
        recent = scores[:MASTERY_WINDOW]
        self.db.table("category_mastery").upsert(
            {
                "category": category, "mastery": round(sum(recent) / len(recent) / 10, 4),
                "answered": len(scores), "last_score": scores[0], "updated_at": now(),
            },
            pk="category",
        )

    # -- reads ----------------------------------------------------------------------
    def mastery(self) -> dict[str, float]:
        """Category name -> mastery estimate in 0-1 (mean of its latest scores / 10)."""
        if not self.db.table("category_mastery").exists():
            return {}
        return {row["category"]: row["mastery"] for row in self.db.table("category_mastery").rows}

    def seen_question_ids(self, exclude_session: str | None = None) -> set[str]:
        """Questions asked in earlier sessions (the planner avoids them)."""
        rows = self.db.execute(
            "select distinct question_id from turns where session_id != ?", [exclude_session or ""]
        ).fetchall()
        return {r[0] for r in rows}

    def resolve(self, session_id: str) -> str:
        """A full session id from an id or a unique prefix of one."""
        sid = session_id.strip()
        if sid and self.exists(sid):
            return sid
        matches = [r[0] for r in self.db.execute(
            "select id from sessions where id like ? escape '\\'",
            [sid.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"]).fetchall()] if sid else []
        if len(matches) == 1:
            return matches[0]
        if len(matches) > 1:
            raise SessionNotFound(f"session id {session_id!r} is ambiguous: {', '.join(sorted(matches)[:5])}")
        raise SessionNotFound(f"no interview session {session_id!r}; `interviewer sessions list` shows them")

    def exists(self, session_id: str) -> bool:
        """True if a session has exactly this id."""
        return bool(self.db.table("sessions").count_where("id = ?", [session_id]))

    def session(self, session_id: str) -> dict:
        row = _public(self.db.table("sessions").get(self.resolve(session_id)))
        row["config"] = json.loads(row["config"]) if row.get("config") else {}
        row["report"] = json.loads(row["report"]) if row.get("report") else None
        return row

    def sessions(self, limit: int | None = None, ids: list[str] | None = None) -> list[dict]:
        """Sessions newest first; only those in `ids` when given. `limit` is clamped to 1-10,000."""
        where, params = "", []
        if ids is not None:
            ids = [i for i in ids if isinstance(i, str)][:MAX_LIST]
            if not ids:
                return []
            where = f" where id in ({_marks(ids)})"
            params = ids
        limit = max(1, min(int(limit), MAX_LIST)) if limit else MAX_LIST
        sql = f"select * from sessions{where} order by started_at desc, rowid desc limit {limit}"
        return [_public(r) for r in self.db.query(sql, params)]

    def turns(self, session_id: str) -> list[dict[str, Any]]:
        """The session's questions in order, each with `followup_list`, `answers` (each answer's grade a
        `Grade`, or None) and `review` (the question's review grade, or None)."""
        sid = self.resolve(session_id)
        turns = [dict(r) for r in self.db.query(
            "select * from turns where session_id = ? order by position", [sid])]
        for t in turns:
            t["followup_list"] = [dict(r) for r in self.db.query(
                "select * from followups where turn_id = ? order by number", [t["id"]])]
            t["answers"] = [_read_answer(r) for r in self.db.query(
                "select * from answers where turn_id = ? order by id", [t["id"]])]
            review = self.db.execute("select grade from reviews where id = ?", [t["id"]]).fetchone()
            t["review"] = Grade.model_validate_json(review[0]) if review else None
        return turns

    def history(self, ids: list[str] | None = None, limit: int | None = None) -> tuple[list[dict], list[dict]]:
        """(sessions newest first, their mean score per category oldest first): the sessions of `ids`, or
        all when None. Each point is {session_id, started_at, category, score, questions}; only questions
        with a final score count."""
        rows = self.sessions(limit=limit, ids=ids)
        if not rows:
            return rows, []
        sids = [r["id"] for r in rows]
        points = [dict(r) for r in self.db.query(
            "select t.session_id as session_id, s.started_at as started_at, t.category as category, "
            "round(avg(t.score), 2) as score, count(*) as questions from turns t join sessions s on s.id = t.session_id "
            f"where t.status in ({_marks(SCORED)}) and t.score is not null and t.session_id in ({_marks(sids)}) "
            "group by t.session_id, t.category order by s.started_at, s.rowid", [*sorted(SCORED), *sids])]
        return rows, points

    def export_session(self, session_id: str, *, report: Mapping[str, Any] | None = None,
                       messages: Sequence[Mapping[str, Any]] | None = None) -> dict[str, Any]:
        """A session as one JSON-able document: {session, report, messages, transcript}. `report` is the
        report given (the engine's, with the review grades landed so far), else the stored one; `messages` is
        the conversation in order, as the engine keeps it (empty when not given)."""
        row = self.session(session_id)
        transcript = [t | {"answers": [a | {"grade": a["grade"] and a["grade"].model_dump(mode="json")}
                                       for a in t["answers"]],
                           "review": t["review"] and t["review"].model_dump(mode="json")} for t in self.turns(row["id"])]
        return {"session": row | {"report": None}, "report": report or row["report"],
                "messages": list(messages or []), "transcript": transcript}
