"""What the web UI asks of the engine, with no Gradio in it: start, answer, look, list.

A `Service` belongs to one app (made in `create_app`), never to the module: it holds the base settings
and the question bank. Everything else lives in the database; each call opens the session with
`Interview.resume` (which takes the session's lock: two tabs or a reload while grading runs take turns) or
`Interview.open` and closes it again.

Sessions are private: `start` returns a secret token and stores only its digest; every later call must
present it, and a wrong token reads exactly like an unknown session. The browser keeps its tokens in its
encrypted BrowserState; API clients keep the one `/start` returned.

API keys: a key typed in the UI reaches `Settings` for the length of one call and the model registry
(in memory) - never the database, the checkpoints, the logs or the browser's storage. The server's own
key (INTERVIEWER_API_KEY / OPENAI_API_KEY) only ever goes to the server's own base URL: a client that
names another endpoint must bring its own key.
"""

from __future__ import annotations

import json
import os
import secrets
import tempfile
from dataclasses import dataclass
from pathlib import Path

from pydantic import SecretStr

from ..bank.storage import Bank, load_bank
from ..engine import Interview, InterviewConfig, Reply, Status
from ..engine.report import to_markdown
from ..errors import InterviewerError, SessionNotFound
from ..llm.catalog import CATALOG
from ..paths import user_dir
from ..settings import Settings, get_settings
from ..store import Transcripts
from . import render

COMMANDS = {"skip": "/skip", "repeat": "/repeat", "end": "/quit"}
#: How long an answer waits for the same session's previous request (another tab) to finish.
LOCK_WAIT_S = 600.0
#: Sent as the key to an endpoint the client named without a key (local servers accept any).
NO_KEY = "no-key"
SOURCES = ("Packaged model", "GGUF file", "OpenAI-compatible endpoint")


@dataclass
class View:
    """Everything the UI draws for one session at one moment."""

    session_id: str
    status: Status
    messages: list[dict]
    report: dict
    row: dict
    card: str | None = None  # score card HTML for the latest graded answer, if any
    token: str | None = None  # the session's secret: set by `start` only

    @property
    def done(self) -> bool:
        return self.status.done

    @property
    def model(self) -> str | None:
        return self.row.get("model")

    def needs_key(self) -> bool:
        return bool(self.model and self.model.startswith("openai:"))

    def as_dict(self) -> dict:
        """JSON for the API: no HTML, the engine's own data."""
        s = self.status
        return {
            "session_id": self.session_id, "position": s.position, "total": s.total, "question_id": s.question_id,
            "category": s.category, "phase": s.phase, "pending_grades": s.pending_grades, "waiting": s.waiting,
            "done": s.done, "model": self.model, "started_at": self.row.get("started_at"),
            "messages": self.messages, "report": self.report,
        } | ({"token": self.token} if self.token else {})


def model_name(source: str, packaged: str | None, gguf: str | None, endpoint_model: str | None) -> str:
    """The engine's model name for the setup panel's choice."""
    if source == SOURCES[1]:
        path = (gguf or "").strip()
        if not path:
            raise InterviewerError("enter the path of a .gguf file, or pick a packaged model")
        return f"local:{path}"
    if source == SOURCES[2]:
        name = (endpoint_model or "").strip()
        if not name:
            raise InterviewerError("enter the endpoint's model name, e.g. gpt-4o-mini")
        return name if name.startswith("openai:") else f"openai:{name}"
    alias = (packaged or "").strip()
    if not alias:
        raise InterviewerError("pick a packaged model")
    return alias if ":" in alias else f"local:{alias}"


def scrub(text: str, key: str | None) -> str:
    """An error message with the API key (if any) cut out."""
    text = str(text)
    return text.replace(key, "***") if key else text


class Service:
    def __init__(self, settings: Settings | None = None, bank: Bank | None = None) -> None:
        self.base = settings or get_settings()
        self.bank = bank or load_bank()
        self.downloads = Path(tempfile.mkdtemp(prefix="interviewer-ui-"))

    # -- settings ------------------------------------------------------------------------------------
    def settings_for(self, base_url: str | None = None, api_key: str | None = None) -> Settings:
        """The base settings with a per-request endpoint URL and key (the key lives only in memory).

        The server's key is sent only to the server's own base URL: a request that names another URL gets
        its own key, or none."""
        url = (base_url or "").strip() or None if isinstance(base_url, str) else None
        key = (api_key or "").strip() or None if isinstance(api_key, str) else None
        own = self.base.base_url or os.environ.get("OPENAI_BASE_URL") or ""
        overrides: dict = {}
        if url and url.rstrip("/") != own.rstrip("/"):
            overrides = {"base_url": url, "api_key": key or NO_KEY}
        elif key:
            overrides = {"api_key": key}
        if not overrides:
            return self.base
        return self.base.model_copy(update=overrides | {"api_key": SecretStr(overrides["api_key"])})

    def has_server_key(self) -> bool:
        return bool(self.base.api_key or os.environ.get("OPENAI_API_KEY"))

    def categories(self) -> list[tuple[str, str]]:
        """(label, name) for each category, with its question count."""
        return [(f"{name} ({len(qs)})", name) for name, qs in self.bank.categories.items()]

    def packaged_models(self) -> list[tuple[str, str]]:
        out = []
        for alias, m in CATALOG.items():
            if m.installed():
                out.append((f"{alias}: {m.description.split(' (')[0]}", f"local:{alias}"))
        return out

    def default_model(self) -> tuple[str, str | None, str | None, str | None]:
        """(source, packaged choice, gguf path, endpoint model) preselected from settings.model."""
        name = self.base.model
        prefix, _, spec = name.partition(":")
        if prefix == "openai":
            return SOURCES[2], None, None, spec
        if prefix == "local" and spec in CATALOG:
            return SOURCES[0], name, None, None
        if prefix == "local":
            return SOURCES[1], None, spec, None
        return SOURCES[0], name, None, None

    # -- ownership -----------------------------------------------------------------------------------------
    def check(self, session_id: str, token: str | None) -> str:
        """The session id if `token` owns it; else SessionNotFound, the same as for an unknown id."""
        store = Transcripts.open()
        try:
            if store.owned(session_id, token):
                return session_id
        finally:
            store.close()
        raise SessionNotFound(f"no interview session {str(session_id)[:40]!r} for this browser")

    # -- the interview -----------------------------------------------------------------------------------
    def start(self, config: InterviewConfig, base_url: str | None = None, api_key: str | None = None
              ) -> tuple[View, Reply]:
        settings = self.settings_for(base_url, api_key)
        token = secrets.token_urlsafe(24)
        try:
            interview, reply = Interview.start(config, settings=settings, bank=self.bank)
        except InterviewerError as e:
            raise InterviewerError(scrub(str(e), api_key)) from None
        with interview:
            interview.store.set_owner(interview.session_id, token)
            view = self._view(interview, reply=reply)
            view.token = token
            return view, reply

    def answer(self, session_id: str, token: str | None, text: str, base_url: str | None = None,
               api_key: str | None = None) -> tuple[View, Reply]:
        sid = self.check(session_id, token)
        settings = self.settings_for(base_url, api_key)
        try:
            with Interview.resume(sid, settings=settings, bank=self.bank, wait=LOCK_WAIT_S) as interview:
                if interview.status().done:
                    return self._view(interview), Reply([], done=True, status=interview.status())
                reply = interview.answer(text)
                return self._view(interview, reply=reply), reply
        except InterviewerError as e:
            raise type(e)(scrub(str(e), api_key)) from None

    def resume(self, session_id: str, token: str | None, base_url: str | None = None, api_key: str | None = None
               ) -> tuple[View, Reply | None]:
        """Continue a session (finishing work a crash interrupted); the reply holds what that produced."""
        sid = self.check(session_id, token)
        settings = self.settings_for(base_url, api_key)
        try:
            with Interview.resume(sid, settings=settings, bank=self.bank, wait=LOCK_WAIT_S) as interview:
                return self._view(interview, reply=interview.last_reply), interview.last_reply
        except InterviewerError as e:
            raise type(e)(scrub(str(e), api_key)) from None

    def warm(self, session_id: str, token: str | None, draft: str, base_url: str | None = None,
             api_key: str | None = None) -> int:
        """The answer being typed: the grader evaluates its prompt up to the draft now, so the real answer
        is graded in the time its last words take. Read-only; never fails the page (returns 0 instead)."""
        if not isinstance(draft, str) or len(draft.strip()) < 20:
            return 0
        try:
            sid = self.check(session_id, token)
            settings = self.settings_for(base_url, api_key)
            with Interview.open(sid, settings=settings, bank=self.bank) as interview:
                return interview.warm(draft)
        except Exception:  # noqa: BLE001 - an optimisation only: the answer itself reports real errors
            return 0

    def look(self, session_id: str, token: str | None) -> View:
        """A read-only view: runs nothing, loads no model."""
        with Interview.open(self.check(session_id, token), bank=self.bank) as interview:
            return self._view(interview)

    def _view(self, interview: Interview, reply: Reply | None = None) -> View:
        status = interview.status()
        report = interview.report()
        store = interview.store
        row = store.session(interview.session_id)
        row.pop("report", None)
        card = self._card(interview, reply, report)
        return View(interview.session_id, status, interview.messages(), report, row, card)

    def _card(self, interview: Interview, reply: Reply | None, report: dict) -> str | None:
        if reply is not None and reply.grade and reply.question_id:
            q = self.bank.get(reply.question_id)
            points = {c.id: c.point for c in q.rubric.criteria} if q.rubric else {}
            hit, partial, missed = render.criteria_points(reply.grade, points)
            follow_up = bool(reply.status and not reply.done and reply.status.phase == "follow_up"
                             and reply.status.question_id == q.id)
            entry = next((e for e in report.get("questions", []) if e["question_id"] == q.id), None)
            position = entry["position"] if entry else next(
                (m.get("position") for m in reversed(interview.messages()) if m.get("role") == "candidate"), None)
            if follow_up:
                # Mid-question the card must not say what the follow-up is fishing for: counts only.
                return render.card_html(
                    question=q.question, category=q.category, position=position, score=reply.score, hit=[],
                    partial=[], missed=[], flags=reply.grade.get("flags", []), status="follow-up next",
                    note=(f"{len(hit)} of {len(hit) + len(partial) + len(missed)} points made so far"
                          f"{f', {len(partial)} partly' if partial else ''}. The points are shown once this "
                          "question is finished."))
            return render.card_html(
                question=q.question, category=q.category, position=position, score=reply.score, hit=hit,
                partial=partial, missed=missed, feedback=(reply.grade.get("feedback") or {}).get("study"),
                flags=reply.grade.get("flags", []), status=entry["status"] if entry else None)
        if reply is not None and reply.question_id and not reply.grade:
            entry = next((e for e in report.get("questions", []) if e["question_id"] == reply.question_id), None)
            if entry and entry["status"] in ("skipped", "no_answer", "pending"):
                return render.card_from_entry(entry)
        return None

    def last_card(self, view: View) -> str:
        """The card to show when a session is (re)opened: the latest settled question's, if any."""
        if view.report.get("questions"):
            return render.card_from_entry(view.report["questions"][-1])
        return render.card_waiting_html()

    # -- exports -------------------------------------------------------------------------------------------
    def export(self, view: View) -> tuple[Path, Path]:
        """Write the transcript as Markdown and JSON files the browser can download."""
        sid = view.session_id
        store = Transcripts.open()
        try:
            row = store.session(sid)
            turns = store.turns(sid)
        finally:
            store.close()
        report = row.get("report") or view.report
        folder = self.downloads / sid
        folder.mkdir(parents=True, exist_ok=True)
        md = _write(folder / f"interview-{sid}.md", render.transcript_markdown(to_markdown(report), view.messages))
        js = _write(folder / f"interview-{sid}.json", json.dumps(
            {"session": row | {"report": None}, "report": report, "messages": view.messages, "transcript": turns},
            indent=2, ensure_ascii=False) + "\n")
        return md, js

    # -- history ----------------------------------------------------------------------------------------------
    def history(self, owned: dict | None, limit: int = 200) -> tuple[list[dict], list[dict]]:
        """(sessions newest first, per-session per-category mean scores oldest first): only the sessions
        whose tokens `owned` ({session id: token}) holds."""
        store = Transcripts.open()
        try:
            mine = [sid for sid, tok in (owned or {}).items() if store.owned(sid, tok)] if isinstance(owned, dict) else []
            rows = store.sessions(limit=limit, ids=mine)
            points = [dict(r) for r in store.db.query(
                "select t.session_id as session_id, s.started_at as started_at, t.category as category, "
                "round(avg(t.score), 2) as score, count(*) as questions from turns t join sessions s "
                "on s.id = t.session_id where t.status in ('graded', 'skipped', 'no_answer') and t.score is not null "
                f"and t.session_id in ({', '.join('?' for _ in rows)}) "
                "group by t.session_id, t.category order by s.started_at", [r["id"] for r in rows])] if rows else []
        finally:
            store.close()
        return rows, points


def _write(path: Path, text: str) -> Path:
    """Write a file atomically (two tabs may export the same session at once)."""
    tmp = path.with_name(f".{path.name}.{secrets.token_hex(4)}")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)
    return path


def browser_secret() -> str:
    """A stable secret for the browser-side storage, kept in the user directory (so a session id saved in the
    browser still decrypts after the server restarts)."""
    path = user_dir() / "ui-secret"
    try:
        value = path.read_text(encoding="utf-8").strip()
        if len(value) >= 16:
            return value
    except OSError:
        pass
    value = secrets.token_urlsafe(24)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        f.write(value + "\n")
    return value
