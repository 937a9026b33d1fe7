"""What the web UI asks of the engine, with no Gradio in it: start, answer, look, list.

The UI draws what the engine returns: a `View` holds the session's status, its transcript and the `Reply`'s
score card (`ScoreCard`, data the engine built: points only once a question is settled), and the reply's new
messages always end the transcript. Nothing here re-derives a grade, and no SQL is here: listings and exports
come from `Transcripts`.

A `Service` belongs to one app (made in `create_app`), never to the module: it holds the base settings
and the question bank. Everything else lives in the database; each call opens the session with
`Interview.resume` (which takes the session's lock: two tabs or a reload while grading runs take turns) or
`Interview.open` and closes it again.

Sessions are private: `start` returns a secret token and stores only its digest; every later call must
present it, and a wrong token reads exactly like an unknown session. The browser keeps its tokens in its
storage (gr.BrowserState); API clients keep the one `/start` returned.

Models and endpoints: every call checks the client's choice against what the server's owner offers
(offer.py: the server's own model and endpoint, the packaged models, and only the GGUF folders and
endpoints the owner allows); anything else is refused before a file is opened or a connection made.

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
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum
from functools import cached_property
from pathlib import Path

from interviewer.bank.storage import Bank, load_bank
from interviewer.engine import Interview, InterviewConfig, Reply, ScoreCard, Status
from interviewer.engine.report import to_markdown
from interviewer.engine.reviews import review_queue
from interviewer.engine.state import Message
from interviewer.errors import InterviewerError, SessionNotFound
from interviewer.files import atomic_write
from interviewer.llm.catalog import CATALOG
from interviewer.settings import Settings, get_settings
from interviewer.speech import store as speech_store
from interviewer.store import Transcripts
from . import render
from .offer import Offer

COMMANDS = {"hint": "/hint", "skip": "/skip", "repeat": "/repeat", "end": "/quit"}
#: How long an answer waits for the same session's previous request (another tab) to finish.
LOCK_WAIT_S = 600.0
#: Sent as the key to an endpoint the client named without a key (local servers accept any).
NO_KEY = "no-key"


class Source(StrEnum):
    """Where the grading model comes from, as the setup panel offers it."""

    PACKAGED = "Packaged model"
    GGUF = "GGUF file"
    ENDPOINT = "OpenAI-compatible endpoint"


@dataclass
class View:
    """Everything the UI draws for one session at one moment."""

    session_id: str
    status: Status
    messages: list[Message]
    row: dict
    card: ScoreCard | None = None  # the latest answered question's score card, as the engine built it
    token: str | None = None  # the session's secret: set by `start` only
    report_of: Callable[[], dict] | None = field(default=None, repr=False)  # builds the (partial) report
    # Reviews of this session queued or running when `look` read it (read before the session: a zero means the
    # view already holds every review that will land before the session's next step).
    reviewing: int = 0

    @cached_property
    def report(self) -> dict:
        """The report (partial while the interview runs), built only when something shows it."""
        return self.report_of() if self.report_of else {}

    @property
    def done(self) -> bool:
        return self.status.done

    @property
    def provisional(self) -> bool:
        """Something the page shows is a live grade whose review is still to come: the score card of a settled
        question, or the report of a finished interview."""
        card = self.card
        return bool(card and card.settled and card.provisional) or (self.done and bool(self.report.get("provisional")))

    @property
    def model(self) -> str | None:
        return self.row.get("model")

    def needs_key(self) -> bool:
        return bool(self.model and self.model.startswith("openai:"))

    def before(self, reply: Reply | None) -> list[Message]:
        """The transcript up to the reply's new messages (which always end it)."""
        new = len(reply.messages) if reply else 0
        return self.messages[: len(self.messages) - new]

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
    if source == Source.GGUF:
        path = (gguf or "").strip()
        if not path:
            raise InterviewerError("enter the path of a .gguf file, or pick a packaged model")
        return f"local:{path}"
    if source == Source.ENDPOINT:
        name = (endpoint_model or "").strip()
        if not name:
            raise InterviewerError("enter the endpoint's model name, e.g. gpt-4o-mini")
        return name if name.startswith("openai:") else f"openai:{name}"
    alias = (packaged or "").strip()
    if not alias:
        raise InterviewerError("pick a packaged model")
    return alias if ":" in alias else f"local:{alias}"


def with_delivery(report: dict, session_id: str, messages: list[Message]) -> dict:
    """The report plus the delivery of its spoken answers (interviewer/speech/store.py), if any; a copy."""
    section = speech_store.report_section(speech_store.answers(session_id, messages))
    return report | {"delivery": section} if section else report


def scrub(text: str, key: str | None) -> str:
    """An error message with the API key (if any) cut out."""
    text = str(text)
    return text.replace(key, "***") if key else text


class Service:
    def __init__(self, settings: Settings | None = None, bank: Bank | None = None) -> None:
        self.base = settings or get_settings()
        self.offer = Offer(self.base)
        self.bank = bank or load_bank()
        self.downloads = Path(tempfile.mkdtemp(prefix="interviewer-ui-"))  # private: mode 0700

    # -- settings ------------------------------------------------------------------------------------
    def choose(self, model: str | None, base_url: str | None = None, api_key: str | None = None
               ) -> tuple[str | None, Settings]:
        """(model name, settings) for a client's request, if the server offers that model and endpoint
        (NotOffered otherwise, the same for every reason). The name is the one to record: a GGUF path
        comes back resolved."""
        name, url = self.offer.choose(model, base_url)
        return name, self.settings_for(url, api_key)

    def settings_for(self, base_url: str | None = None, api_key: str | None = None) -> Settings:
        """The base settings with a per-request endpoint URL (one the offer allowed; None for the server's
        own) and key (it lives only in memory).

        The server's key is sent only to the server's own base URL: another URL gets the request's own key,
        or none, and its failures all read the same."""
        url = (base_url or "").strip() or None if isinstance(base_url, str) else None
        key = (api_key or "").strip() or None if isinstance(api_key, str) else None
        if url:
            return self.base.with_overrides(base_url=url, api_key=key or NO_KEY, uniform_errors=True)
        return self.base.with_overrides(api_key=key)

    def has_server_key(self) -> bool:
        return bool(self.base.api_key or os.environ.get("OPENAI_API_KEY"))

    def categories(self) -> list[tuple[str, str]]:
        """(label, name) for each category, with its question count."""
        return [(f"{name} ({len(qs)})", name) for name, qs in self.bank.categories.items()]

    def sources(self) -> list[Source]:
        """The setup panel's choices of model source: only those the server offers."""
        own = self.default_model()[0]
        offered = {Source.PACKAGED: bool(self.packaged_models()), Source.GGUF: self.offer.files,
                   Source.ENDPOINT: self.offer.own_endpoint or bool(self.offer.endpoints)}
        return [s for s in Source if offered[s] or s == own]

    def packaged_models(self) -> list[tuple[str, str]]:
        out = []
        for alias, m in CATALOG.items():
            if m.installed():
                out.append((f"{alias}: {m.description.split(' (')[0]}", f"local:{alias}"))
        return out

    def default_model(self) -> tuple[Source, str | None, str | None, str | None]:
        """(source, packaged choice, gguf path, endpoint model) preselected from settings.model."""
        name = self.base.model
        prefix, _, spec = name.partition(":")
        if prefix == "openai":
            return Source.ENDPOINT, None, None, spec
        if prefix == "local" and spec not in CATALOG:
            return Source.GGUF, None, spec, None
        return Source.PACKAGED, name, None, None

    # -- ownership -----------------------------------------------------------------------------------------
    def check(self, session_id: str, token: str | None) -> str:
        """The session id if `token` owns it; else SessionNotFound, the same as for an unknown id."""
        return self._owned(session_id, token)[0]

    def _owned(self, session_id: str, token: str | None) -> tuple[str, str | None]:
        """(session id, its grading model) if `token` owns it; else SessionNotFound."""
        store = Transcripts.open()
        try:
            if store.owned(session_id, token):
                return session_id, store.session(session_id).get("model")
        finally:
            store.close()
        raise SessionNotFound(f"no interview session {str(session_id)[:40]!r} for this browser")

    def _session_settings(self, session_id: str, token: str | None, base_url: str | None, api_key: str | None
                          ) -> tuple[str, Settings]:
        """(session id, settings) for a call on an owned session whose model and endpoint are still offered."""
        sid, model = self._owned(session_id, token)
        return sid, self.choose(model, base_url, api_key)[1]

    # -- the interview -----------------------------------------------------------------------------------
    def start(self, config: InterviewConfig, base_url: str | None = None, api_key: str | None = None
              ) -> tuple[View, Reply]:
        name, settings = self.choose(config.grading_model(self.base), base_url, api_key)
        if name is not None:
            config = config.model_copy(update={"model": name})
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
        """One answer: the session is opened under its lock (one checkpoint read), the graph runs once (it
        retries grades that failed before, so the open does not), and the view is drawn from the reply."""
        sid, settings = self._session_settings(session_id, token, base_url, api_key)
        try:
            with Interview.resume(sid, settings=settings, bank=self.bank, wait=LOCK_WAIT_S,
                                  retry=False) as interview:
                if interview.status().done:
                    return self._view(interview), Reply([], done=True, status=interview.status())
                reply = interview.answer(text)
                return self._view(interview, reply=reply), reply
        except InterviewerError as e:
            raise type(e)(scrub(str(e), api_key)) from None

    def resume(self, session_id: str, token: str | None, base_url: str | None = None, api_key: str | None = None
               ) -> tuple[View, Reply | None]:
        """Continue a session (finishing work a crash interrupted); the reply holds what that produced."""
        sid, settings = self._session_settings(session_id, token, base_url, api_key)
        try:
            with Interview.resume(sid, settings=settings, bank=self.bank, wait=LOCK_WAIT_S) as interview:
                interview.prepare()  # a restarted server has nothing ready for the question it shows again
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
            sid, settings = self._session_settings(session_id, token, base_url, api_key)
            with Interview.open(sid, settings=settings, bank=self.bank) as interview:
                return interview.warm(draft)
        except Exception:  # noqa: BLE001 - an optimisation only: the answer itself reports real errors
            return 0

    def look(self, session_id: str, token: str | None) -> View:
        """A read-only view: runs nothing, loads no model. Cheap enough to poll (the page does while a review
        is outstanding): its `reviewing` is read before the session, so a view with none is final."""
        sid = self.check(session_id, token)
        reviewing = review_queue().outstanding(sid)
        with Interview.open(sid, bank=self.bank, settings=self.base) as interview:
            view = self._view(interview)
        view.reviewing = reviewing
        return view

    def _view(self, interview: Interview, reply: Reply | None = None) -> View:
        """The view after `reply` (or as the session stands): all from the interview's state in memory, and
        the session's row."""
        row = interview.store.session(interview.session_id)
        row.pop("report", None)
        card = reply.card if reply is not None and reply.card is not None else interview.score_card()
        reviews = interview.reviews()  # read now: the report is built when shown, after the interview is closed
        messages = interview.messages()
        return View(interview.session_id, interview.status(), messages, row, card,
                    report_of=lambda: with_delivery(interview.report(reviews), interview.session_id, messages))

    # -- exports -------------------------------------------------------------------------------------------
    def export(self, view: View) -> tuple[Path, Path]:
        """Write the transcript as Markdown and JSON files the browser can download: readable by this user
        only (0600, in a 0700 folder; Gradio's copy keeps the mode)."""
        sid = view.session_id
        store = Transcripts.open()
        try:
            data = store.export_session(sid, report=view.report, messages=view.messages)
        finally:
            store.close()
        folder = self.downloads / sid
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        # atomic: two tabs may export the same session at once
        md = atomic_write(folder / f"interview-{sid}.md",
                          render.transcript_markdown(to_markdown(data["report"]), data["messages"]), mode=0o600)
        js = atomic_write(folder / f"interview-{sid}.json", json.dumps(data, indent=2, ensure_ascii=False) + "\n",
                          mode=0o600)
        return md, js

    # -- history ----------------------------------------------------------------------------------------------
    def history(self, owned: dict | None, limit: int = 200) -> tuple[list[dict], list[dict]]:
        """(sessions newest first, per-session per-category mean scores oldest first): only the sessions
        whose tokens `owned` ({session id: token}) holds."""
        store = Transcripts.open()
        try:
            return store.history(store.owned_ids(owned), limit=limit)
        finally:
            store.close()

