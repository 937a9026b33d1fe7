"""Delivery figures of spoken takes, kept per session in the user folder's voice.db (SQLite). Never audio.

A take is stored when the candidate stops speaking, with `seen`: how many messages the session had then.
Takes with the same `seen` belong to one answer (the candidate may speak, stop, type, speak again); that
answer is the candidate's message at index `seen`, so a take that was never sent (the text deleted, or the
interview moved on in another tab) joins no answer.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from interviewer.paths import user_dir
from .delivery import Delivery, figures_line, total

SCHEMA = """CREATE TABLE IF NOT EXISTS takes (
    session_id TEXT NOT NULL, seen INTEGER NOT NULL, question_id TEXT, created_at TEXT NOT NULL,
    figures TEXT NOT NULL)"""


class AnswerDelivery(BaseModel):
    """One spoken answer's delivery."""

    question_id: str | None
    message_index: int
    delivery: Delivery


def database() -> Path:
    return user_dir() / "voice.db"


@contextmanager
def _connect(path: Path | None = None) -> Iterator[sqlite3.Connection]:
    conn = sqlite3.connect(path or database(), timeout=30)
    try:
        conn.execute(SCHEMA)
        yield conn
        conn.commit()
    finally:
        conn.close()


def add_take(session_id: str, seen: int, question_id: str | None, figures: Delivery, path: Path | None = None) -> None:
    with _connect(path) as conn:
        conn.execute("INSERT INTO takes VALUES (?, ?, ?, ?, ?)",
                     (session_id, int(seen), question_id, datetime.now(timezone.utc).isoformat(),
                      figures.model_dump_json()))


def takes(session_id: str, path: Path | None = None) -> list[tuple[int, str | None, Delivery]]:
    """(seen, question id, figures) of the session's takes, oldest first (none while nothing was spoken: the
    database is made by the first take, never by a read)."""
    if not (path or database()).is_file():
        return []
    with _connect(path) as conn:
        rows = conn.execute("SELECT seen, question_id, figures FROM takes WHERE session_id = ? ORDER BY rowid",
                            (session_id,)).fetchall()
    return [(int(seen), qid, Delivery.model_validate_json(f)) for seen, qid, f in rows]


def answers(session_id: str, messages: Sequence[Mapping[str, Any]], path: Path | None = None) -> list[AnswerDelivery]:
    """The session's spoken answers: takes grouped by `seen`, kept where message `seen` is the candidate's."""
    groups: dict[int, tuple[str | None, list[Delivery]]] = {}
    for seen, qid, d in takes(session_id, path):
        groups.setdefault(seen, (qid, []))[1].append(d)
    out = []
    for seen, (qid, parts) in sorted(groups.items()):
        joined = total(parts)
        if joined is not None and seen < len(messages) and messages[seen].get("role") == "candidate":
            out.append(AnswerDelivery(question_id=qid, message_index=seen, delivery=joined))
    return out


def report_section(spoken: Sequence[AnswerDelivery]) -> dict[str, Any] | None:
    """The report's `delivery` entry (plain data, like the rest of the report); None without spoken answers."""
    overall = total(a.delivery for a in spoken)
    if overall is None:
        return None

    def row(d: Delivery) -> dict[str, Any]:
        return {"words": d.words, "speaking_s": round(d.speaking_s, 1),
                "wpm": None if d.wpm is None else round(d.wpm), "fillers": d.fillers,
                "fillers_per_min": None if d.fillers_per_min is None else round(d.fillers_per_min, 1),
                "long_pauses": d.long_pauses, "longest_pause_s": round(d.longest_pause_s, 1),
                "figures": figures_line(d), "notes": d.notes}

    return {"answers": [{"question_id": a.question_id} | row(a.delivery) for a in spoken], "overall": row(overall)}


def markdown(section: dict[str, Any] | None) -> str:
    """The report's Delivery section in Markdown ('' without spoken answers)."""
    if not section:
        return ""
    lines = ["## Delivery (spoken answers)", "",
             "How you spoke, apart from what you said: pace, filler words and long pauses (2 s or more).", "",
             "| Question | Words | Words/min | Fillers/min | Long pauses |", "|---|---|---|---|---|"]
    for a in section["answers"]:
        lines.append(f"| {a['question_id'] or '-'} | {a['words']} | {a['wpm'] if a['wpm'] is not None else '-'} | "
                     f"{a['fillers_per_min'] if a['fillers_per_min'] is not None else '-'} | {a['long_pauses']} |")
    overall = section["overall"]
    lines += ["", f"**Overall:** {overall['figures']}.", ""]
    lines += [f"- {n}" for n in overall["notes"]]
    return "\n".join(lines) + "\n"
