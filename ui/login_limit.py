"""Failed logins cost time: a limit on password guessing at the login page (`interviewer ui --auth-file`).

Each client (by its address) may fail FREE_FAILURES times; after that each failure makes it wait, twice as
long each time, up to MAX_WAIT_S. All clients together may fail GLOBAL_FAILURES times within
GLOBAL_WINDOW_S (a spread of addresses, or a proxy that hides them, does not buy more guesses). While a
limit holds, a login is refused without its password being checked, with exactly the answer a wrong
password gets: the refusal tells nothing, not even that a limit holds. A success clears the client's count.

`LoginGuard` is the ASGI middleware that applies a `LoginLimit` to Gradio's POST /login.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict, deque
from collections.abc import Callable
from dataclasses import dataclass

from starlette.types import ASGIApp, Message, Receive, Scope, Send

FREE_FAILURES = 5
FIRST_WAIT_S = 2.0
MAX_WAIT_S = 600.0
GLOBAL_FAILURES = 60
GLOBAL_WINDOW_S = 60.0
#: A client's failures are forgotten this long after its last one.
FORGET_S = 3600.0
#: Clients remembered at once (the least recently failing are forgotten first).
MAX_CLIENTS = 10_000

#: What Gradio answers a wrong password with (FastAPI's rendering of HTTPException(400, ...)).
REFUSED_STATUS = 400
REFUSED_BODY = b'{"detail":"Incorrect credentials."}'


@dataclass
class _Client:
    failures: int = 0
    last: float = 0.0
    until: float = 0.0


class LoginLimit:
    """The bookkeeping, with its clock injectable (tests turn time by hand)."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self.clock = clock
        self._clients: OrderedDict[str, _Client] = OrderedDict()
        self._recent: deque[float] = deque()
        self._lock = threading.Lock()

    def blocked(self, client: str) -> bool:
        """True while `client` (or everyone) must wait before another try."""
        now = self.clock()
        with self._lock:
            self._prune(now)
            if len(self._recent) >= GLOBAL_FAILURES:
                return True
            entry = self._clients.get(client)
            return entry is not None and now < entry.until

    def failed(self, client: str) -> None:
        now = self.clock()
        with self._lock:
            self._prune(now)
            self._recent.append(now)
            entry = self._clients.pop(client, None)
            if entry is None or now - entry.last > FORGET_S:
                entry = _Client()
            entry.failures += 1
            entry.last = now
            over = entry.failures - FREE_FAILURES
            if over > 0:
                entry.until = now + min(MAX_WAIT_S, FIRST_WAIT_S * 2 ** min(over - 1, 32))
            self._clients[client] = entry
            while len(self._clients) > MAX_CLIENTS:
                self._clients.popitem(last=False)

    def succeeded(self, client: str) -> None:
        with self._lock:
            self._clients.pop(client, None)

    def _prune(self, now: float) -> None:
        while self._recent and now - self._recent[0] > GLOBAL_WINDOW_S:
            self._recent.popleft()


class LoginGuard:
    """ASGI middleware: POST /login goes through a LoginLimit; everything else passes untouched."""

    def __init__(self, app: ASGIApp, limit: LoginLimit | None = None) -> None:
        self.app = app
        self.limit = limit or LoginLimit()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope.get("type") != "http" or scope.get("method") != "POST" or \
                not scope.get("path", "").rstrip("/").endswith("/login"):
            await self.app(scope, receive, send)
            return
        client = (scope.get("client") or ("?",))[0]
        if self.limit.blocked(client):
            await send({"type": "http.response.start", "status": REFUSED_STATUS,
                        "headers": [(b"content-length", str(len(REFUSED_BODY)).encode()),
                                    (b"content-type", b"application/json")]})
            await send({"type": "http.response.body", "body": REFUSED_BODY})
            return
        status: list[int] = []

        async def sending(message: Message) -> None:
            if message.get("type") == "http.response.start":
                status.append(message.get("status", 0))
            await send(message)

        await self.app(scope, receive, sending)
        if status and status[0] == REFUSED_STATUS:
            self.limit.failed(client)
        elif status and status[0] < 300:
            self.limit.succeeded(client)
