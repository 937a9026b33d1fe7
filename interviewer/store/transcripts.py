"""The transcript API: what the engine records as an interview runs, and what the CLI and the UI read.

`Transcripts` is the only code that speaks SQL to the transcript database, and it owns the session read
model: `sessions()` and `history()` for listings, `session()`/`turns()` for one session, `export_session()`
for the JSON export both fronts write. A session's `answered` count is kept current in the same
transaction that records an answer, so a listing shows live counts without recounting.

Every write is an upsert keyed by a stable id (session id, `SESSION:K` for the K-th question, `:aN` for its
answers, `:fN` for its follow-ups), so a graph node that re-runs after a crash writes the same rows again
instead of duplicating them.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from pathlib import Path
from typing import Any

import sqlite_utils

from ..errors import SessionNotFound
from ..vocabulary import SCORED, QuestionStatus
from .db import now, open_db, transaction

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
    def create_session(self, session_id: str, config: dict, *, app_version: str = "") -> None:
        with transaction(self.db):
            self.db["sessions"].upsert(
                {
                    "id": session_id, "started_at": now(), "status": "active", "level": config.get("level"),
                    "categories": ", ".join(config.get("categories") or []) or "all",
                    "n_questions": config.get("questions"), "max_followups": config.get("max_followups"),
                    "seed": config.get("seed"), "model": config.get("model"), "config": _json(config),
                    "answered": 0, "app_version": app_version,
                },
                pk="id",
            )

    def plan_session(self, session_id: str, n_questions: int) -> None:
        with transaction(self.db):
            self.db["sessions"].update(session_id, {"n_questions": n_questions})

    def record_question(self, session_id: str, position: int, *, question_id: str, category: str, difficulty: int,
                        rubric_version: str, prompt: str) -> str:
        tid = turn_id(session_id, position)
        with transaction(self.db):
            self.db["turns"].upsert(
                {
                    "id": tid, "session_id": session_id, "position": position, "question_id": question_id,
                    "category": category, "difficulty": difficulty, "rubric_version": rubric_version,
                    "prompt": prompt, "asked_at": now(), "status": QuestionStatus.ASKED.value, "followups": 0,
                },
                pk="id",
            )
        return tid

    def record_followup(self, session_id: str, position: int, number: int, *, criterion_id: str, prompt: str) -> str:
        tid = turn_id(session_id, position)
        fid = followup_id(tid, number)
        with transaction(self.db):
            self.db["followups"].upsert(
                {
                    "id": fid, "turn_id": tid, "session_id": session_id, "number": number,
                    "criterion_id": criterion_id, "prompt": prompt, "asked_at": now(), "status": "asked",
                },
                pk="id",
            )
            self.db["turns"].update(tid, {"followups": number})
        return fid

    def record_answer(self, session_id: str, position: int, number: int, *, text: str, kind: str,
                      status: str = "received") -> str:
        """Keep an answer the moment it arrives, before grading; `status` becomes graded/pending later.
        The answer to a question (number 0; a skip or no answer too) counts in the session's `answered`."""
        tid = turn_id(session_id, position)
        aid = answer_id(tid, number)
        with transaction(self.db):
            self.db["answers"].upsert(
                {
                    "id": aid, "turn_id": tid, "session_id": session_id,
                    "followup_id": followup_id(tid, number) if number else None, "kind": kind, "text": text,
                    "chars": len(text), "answered_at": now(), "status": status,
                },
                pk="id",
            )
            if number:
                self.db["followups"].update(followup_id(tid, number), {"status": status})
            else:
                self._count_answered(session_id)
        return aid

    def _count_answered(self, session_id: str) -> None:
        """Recounted, not incremented: a node that re-runs after a crash leaves the same count."""
        self.db.execute(ANSWERED_SQL, [session_id])

    def record_grade(self, aid: str, grade: dict, *, question_id: str) -> None:
        """Store one answer's grade and its per-criterion verdicts."""
        with transaction(self.db):
            row = self.db["answers"].get(aid)
            self.db["answers"].update(
                aid,
                {
                    "status": "graded", "score": grade["score"], "confidence": grade["confidence"],
                    "flags": _json(grade.get("flags", [])), "feedback": _json(grade.get("feedback")),
                    "graded_at": now(), "grade_seconds": grade.get("seconds", 0.0),
                    "model_id": grade.get("model_id"), "prompt_version": grade.get("prompt_version"),
                    "rubric_version": grade.get("rubric_version"), "grade": _json(grade), "error": None,
                },
            )
            self._verdicts(f"{aid}", aid, row["turn_id"], row["session_id"], question_id, "answer", grade)
            if row["followup_id"]:
                self.db["followups"].update(row["followup_id"], {"status": "graded"})

    def record_grade_error(self, aid: str, error: str) -> None:
        """The grader failed: the answer stays, its grade is pending until a retry succeeds."""
        with transaction(self.db):
            self.db["answers"].update(aid, {"status": "pending", "error": error[:2000]})

    def finish_turn(self, session_id: str, position: int, *, status: str, score: float | None,
                    grade: dict | None, question_id: str, category: str) -> None:
        """The question is settled: its final (merged) grade, status, and the category's new mastery."""
        tid = turn_id(session_id, position)
        with transaction(self.db):
            self.db["turns"].update(tid, {"status": status, "score": score, "finished_at": now()})
            self.db.execute("delete from verdicts where turn_id = ? and stage = 'final'", [tid])
            if grade is not None:
                self._verdicts(f"{tid}:final", None, tid, session_id, question_id, "final", grade)
            self._update_mastery(category)

    def finish_session(self, session_id: str, *, status: str, report: dict) -> None:
        with transaction(self.db):
            self.db["sessions"].update(
                session_id,
                {
                    "status": status, "finished_at": now(), "score": report.get("overall"),
                    "answered": report.get("answered", 0), "report": _json(report),
                },
            )

    def set_owner(self, session_id: str, token: str) -> None:
        """Bind a session to whoever holds `token` (only its digest is stored)."""
        with transaction(self.db):
            self.db["sessions"].update(session_id, {"owner": _digest(token)})

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
                  grade: dict) -> None:
        rows = [
            {
                "id": f"{prefix}:{c['criterion_id']}", "answer_id": aid, "turn_id": tid, "session_id": session_id,
                "question_id": question_id, "stage": stage, "criterion_id": c["criterion_id"],
                "verdict": c["verdict"], "score": c["score"], "confidence": c["confidence"],
                "weight": c.get("weight", 1), "core": int(bool(c.get("core"))), "evidence": c.get("evidence"),
                "signals": _json(c.get("signals", {})),
            }
            for c in grade.get("criteria", [])
        ]
        if rows:
            self.db["verdicts"].upsert_all(rows, pk="id")

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
        self.db["category_mastery"].upsert(
            {
                "category": category, "mastery": round(sum(recent) / len(recent) / 10, 4),
                "answered": len(scores), "last_score": scores[0], "updated_at": now(),
            },
            pk="category",
        )

    # -- reads ----------------------------------------------------------------------
    def mastery(self) -> dict[str, float]:
        """Category name -> mastery estimate in 0-1 (mean of its latest scores / 10)."""
        if not self.db["category_mastery"].exists():
            return {}
        return {row["category"]: row["mastery"] for row in self.db["category_mastery"].rows}

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
        return bool(self.db["sessions"].count_where("id = ?", [session_id]))

    def session(self, session_id: str) -> dict:
        row = _public(self.db["sessions"].get(self.resolve(session_id)))
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

    def turns(self, session_id: str) -> list[dict]:
        """The session's questions in order, each with `followup_list` and `answers` (grades as dicts)."""
        sid = self.resolve(session_id)
        turns = [dict(r) for r in self.db.query(
            "select * from turns where session_id = ? order by position", [sid])]
        for t in turns:
            t["followup_list"] = [dict(r) for r in self.db.query(
                "select * from followups where turn_id = ? order by number", [t["id"]])]
            answers = []
            for r in self.db.query("select * from answers where turn_id = ? order by id", [t["id"]]):
                a = dict(r)
                a["grade"] = json.loads(a["grade"]) if a.get("grade") else None
                a["flags"] = json.loads(a["flags"]) if a.get("flags") else []
                answers.append(a)
            t["answers"] = answers
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

    def export_session(self, session_id: str, *, report: dict | None = None, messages: list[dict] | None = None
                       ) -> dict:
        """A session as one JSON-able document: {session, report, messages, transcript}. `report` is the
        stored final report, else the one given (a partial report while the session runs); `messages` is
        the conversation in order, as the engine keeps it (empty when not given)."""
        row = self.session(session_id)
        return {"session": row | {"report": None}, "report": row["report"] or report,
                "messages": list(messages or []), "transcript": self.turns(row["id"])}
