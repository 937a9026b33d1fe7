"""The JSON API (for gradio_client): /start, /answer, /draft, /state and /sessions, plain JSON in and out.

Every call but /start and /sessions needs the session's token, which /start returns once. An error reaches
the client as one sentence (`page.fail`) and is not printed as a traceback: a refusal is the client's
error, and a fault of the server's own is logged by `fail` with its traceback.

`BodyLimit` refuses a request body over `body_limit(max_answer_chars)` bytes with 413 and a JSON error,
before anything reads it.
"""

from __future__ import annotations

import json

import gradio as gr
from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from interviewer.engine import InterviewConfig
from .page import DRAFTS_QUEUE, SESSIONS_QUEUE, fail, grading_queue
from .service import Service


#: Bytes of request body allowed per character of the longest answer: JSON may write one character as 12
#: bytes (an escaped surrogate pair, "\\ud83d\\ude00").
BYTES_PER_CHAR = 12
#: Bytes allowed besides the answer: the page sends the chat so far with each answer, and every request
#: carries its own fields.
BODY_SLACK = 2 * 1024 * 1024


def body_limit(max_answer_chars: int) -> int:
    """The largest request body accepted, in bytes: the longest answer, however escaped, plus BODY_SLACK."""
    return BYTES_PER_CHAR * max_answer_chars + BODY_SLACK


class BodyTooLarge(HTTPException):
    """A request body past the limit (an HTTPException, so that FastAPI answers 413 where it reads the body)."""

    def __init__(self, limit: int) -> None:
        super().__init__(413, f"Request body too large: over {limit} bytes. Answers are limited in length; "
                              "send a shorter one.")


class BodyLimit:
    """ASGI middleware: a request whose body is over `limit` bytes gets 413 and `{"detail": "..."}`, before any
    of it is read when its Content-Length says so, else as soon as what arrived passes the limit (a body sent
    in chunks). Nothing behind it ever holds more than `limit` bytes of a body."""

    def __init__(self, app: ASGIApp, limit: int) -> None:
        self.app = app
        self.limit = limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        length = dict(scope.get("headers") or []).get(b"content-length", b"")
        if length.strip().isdigit() and int(length) > self.limit:
            await self._refuse(send)
            return
        received, started = 0, False

        async def limited() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.limit:
                    raise BodyTooLarge(self.limit)
            return message

        async def tracked(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, limited, tracked)
        except BodyTooLarge:
            if started:
                raise
            await self._refuse(send)

    async def _refuse(self, send: Send) -> None:
        body = json.dumps({"detail": BodyTooLarge(self.limit).detail}).encode()
        await send({"type": "http.response.start", "status": 413,
                    "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode()),
                                (b"connection", b"close")]})
        await send({"type": "http.response.body", "body": body})


class Api:
    """The routes, over one Service; `add()` registers them on the Blocks being built."""

    def __init__(self, service: Service) -> None:
        self.service = service

    def add(self, concurrency: int) -> None:
        gr.api(self.start, api_name="start", **SESSIONS_QUEUE)
        gr.api(self.answer, api_name="answer", **grading_queue(concurrency))
        gr.api(self.draft, api_name="draft", **DRAFTS_QUEUE)
        gr.api(self.state, api_name="state")
        gr.api(self.sessions, api_name="sessions")

    def start(self, categories: list[str] | None = None, questions: int = 5, level: str = "senior", model: str = "",
              base_url: str = "", api_key: str = "", max_followups: int = 2, lexical: bool = False) -> dict:
        """Start an interview. Returns the session state (see /state) plus `reply`: the interviewer's
        first messages, and `token`: the session's secret, which every later call must send.
        `model` defaults to the server's; a GGUF file or another endpoint than the server's only where its
        owner allows them (else the same refusal, whatever the reason). `api_key` is used in memory only and,
        when `base_url` names another endpoint than the server's, must be given (the server's key never goes
        elsewhere)."""
        try:
            config = InterviewConfig(categories=categories or [], questions=int(questions), level=level,
                                     model=model or None, lexical=bool(lexical), max_followups=int(max_followups))
            view, reply = self.service.start(config, base_url=base_url or None, api_key=api_key or None)
        except Exception as e:  # noqa: BLE001
            raise gr.Error(fail(e, api_key, "start"), print_exception=False) from None
        return view.as_dict() | {"reply": reply.messages}

    def answer(self, session_id: str, token: str, text: str, base_url: str = "", api_key: str = "") -> dict:
        """Send an answer (or /hint, /skip, /repeat, /quit) with the session's token. Returns the session state
        plus `reply` (the interviewer's new messages), `score`, `grade` and `refused`."""
        try:
            view, reply = self.service.answer(session_id, token, text, base_url=base_url or None,
                                              api_key=api_key or None)
        except Exception as e:  # noqa: BLE001
            raise gr.Error(fail(e, api_key, "answer"), print_exception=False) from None
        grade = reply.grade.model_dump(mode="json") if reply.grade is not None else None
        return view.as_dict() | {"reply": reply.messages, "score": reply.score, "grade": grade, "refused": reply.refused}

    def draft(self, session_id: str, token: str, text: str, base_url: str = "", api_key: str = "") -> int:
        """The answer as typed so far (send it now and then while the candidate types): the grader reads
        ahead, so /answer returns sooner. Returns the prompt tokens evaluated; never an error."""
        return self.service.warm(session_id, token, text, base_url=base_url or None, api_key=api_key or None)

    def state(self, session_id: str, token: str) -> dict:
        """A session's state: position k of total, phase, done, the transcript and the (partial) report.
        Read-only: runs nothing and loads no model. Needs the session's token."""
        try:
            return self.service.look(session_id, token).as_dict()
        except Exception as e:  # noqa: BLE001
            raise gr.Error(fail(e, None, "state"), print_exception=False) from None

    def sessions(self, tokens: dict | None = None, limit: int = 20) -> list[dict]:
        """The caller's past sessions, newest first (without their reports): those whose tokens
        `tokens` ({session_id: token}) holds."""
        try:
            limit = max(1, min(int(float(limit)), 1000))
        except (TypeError, ValueError, OverflowError):
            raise gr.Error("limit must be a number from 1 to 1000", print_exception=False) from None
        rows, _ = self.service.history(tokens if isinstance(tokens, dict) else {}, limit=limit)
        return [{k: v for k, v in r.items() if k not in ("report", "config")} for r in rows]
