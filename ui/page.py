"""What every tab of the app shares: the page's browser state and tabs, the queues events run in, the
packaged CSS/JS, and how an error is shown.

The browser keeps only {session_id, base_url, token, owned} (a gr.BrowserState in its local storage; see
app.py for what its encryption is worth; `owned` maps the sessions this browser started to their tokens, for
History). Each
tab also keeps its current {session_id, token} in its sessionStorage (assets/remember.js), and on load puts
them back into the state (assets/restore.js): a reload resumes *this tab's* interview even after another tab
started one, and the tab's token rejoins `owned` if the other tab's write dropped it.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

import gradio as gr

from interviewer.errors import InterviewerError
from .service import Service, scrub

log = logging.getLogger("interviewer.ui")

STORAGE_KEY = "interviewer-ui-session"
EMPTY_STATE: dict[str, Any] = {"session_id": None, "base_url": None, "token": None, "owned": {}}
#: Sessions a browser remembers the tokens of (its History tab lists these).
MAX_OWNED = 200

#: Every UI event stays out of the public API (the JSON routes in api.py are the API).
PRIVATE: dict[str, Any] = {"api_visibility": "private"}
#: Starting and resuming sessions: a few at once.
SESSIONS_QUEUE: dict[str, Any] = {"concurrency_id": "sessions", "concurrency_limit": 4}
#: Drafts read ahead for the grader: the latest one only, never blocking anything else.
DRAFTS_QUEUE: dict[str, Any] = {"concurrency_id": "drafts", "concurrency_limit": 1}


def grading_queue(concurrency: int) -> dict[str, Any]:
    """Answers: `concurrency` graded at the same time, the others wait in the queue."""
    return {"concurrency_id": "grading", "concurrency_limit": concurrency}


@cache
def asset(name: str) -> str:
    """A CSS or JS file shipped in the package (ui/assets/)."""
    return (resources.files(__package__) / "assets" / name).read_text(encoding="utf-8")


@dataclass
class Page:
    """The parts of the page every tab's handlers use."""

    service: Service
    bstate: gr.BrowserState
    tabs: gr.Tabs
    concurrency: int = 1


# -- the browser's state -------------------------------------------------------------------------------
def owned_of(b: dict | None) -> dict:
    owned = (b or {}).get("owned")
    return owned if isinstance(owned, dict) else {}


def remember(b: dict | None, session_id: str, token: str | None, base_url: str | None) -> dict:
    """The browser state after starting a session: it is current, and its token joins the owned ones."""
    owned = dict(list(owned_of(b).items())[-(MAX_OWNED - 1):]) | ({session_id: token} if token else {})
    return {"session_id": session_id, "base_url": base_url, "token": token, "owned": owned}


def forget(b: dict | None) -> dict:
    """The browser state with no current session (its owned sessions stay listed)."""
    return dict(EMPTY_STATE) | {"owned": owned_of(b)}


def first_key(*keys: str | None) -> str | None:
    """The first API key field that holds one."""
    return next((k for k in keys if k and k.strip()), None)


def fail(e: BaseException, key: str | None, what: str) -> str:
    """An error as the page shows it: our own errors as they are (the API key cut out); anything else is
    logged on the server and shown as one sentence that names neither its type nor its text."""
    if isinstance(e, InterviewerError):
        return scrub(str(e), key)
    if key:
        log.error("%s failed: %s", what, scrub(repr(e), key))
    else:
        log.exception("%s failed", what)
    return f"{what} failed on the server (its log has the details); try again"
