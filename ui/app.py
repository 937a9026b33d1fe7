"""The Gradio web UI: setup, a live interview with a score card, the report, and the history of sessions.

    from interviewer.ui.app import create_app, launch
    app = create_app()          # a gr.Blocks, not started (mount it, or test it)
    launch(port=7860)           # what `interviewer ui` runs

`create_app` only assembles: one builder per tab (tab_interview.py, tab_report.py, tab_history.py) and the
JSON API (api.py), over one `Service` (service.py: the engine calls, no Gradio). Styles and scripts are
files shipped in the package (assets/).

State: the browser keeps only the session id and the tokens of its sessions (gr.BrowserState in
localStorage, mirrored per tab in sessionStorage so a reload resumes *this tab's* interview). BrowserState
encrypts in the browser with a key the page itself carries (Gradio sends it in /config), so that encryption
hides nothing from anyone who can load the page: its key is a fixed, public string (BROWSER_KEY), no secret
of the server's is sent, and the tokens are what they are, bearer credentials kept by the browser like a
login cookie. The server keeps nothing per user: every request reopens the session from the database
through the engine (`Interview.resume`, which takes the session's lock).

Files: exports are written 0600 in a 0700 folder, and `launch` points Gradio's own upload and cache folder
(GRADIO_TEMP_DIR, unless set) at a new 0700 folder, so other local users read neither.
"""

from __future__ import annotations

import os
import tempfile

import gradio as gr
from starlette.middleware import Middleware

from interviewer.settings import Settings, get_settings
from .api import Api, BodyLimit, body_limit
from .login_limit import LoginGuard
from .page import EMPTY_STATE, PRIVATE, SESSIONS_QUEUE, STORAGE_KEY, Page, asset
from .service import Service
from .tab_history import HistoryTab
from .tab_interview import InterviewTab
from .tab_report import ReportTab

#: Past this many waiting requests a client is told the server is busy, not kept waiting.
MAX_QUEUE = 64
#: BrowserState's encryption key: public by nature (see the module's doc), fixed so stored state survives restarts.
BROWSER_KEY = "interviewer-ui-state-v2"
BRAND = ('<header id="iv-brand"><h1>Interviewer</h1><p>Mock interviews for senior AI/ML engineers, graded against a '
         "rubric.</p></header>")

# System fonts only: the app works offline and asks no third party for anything.
THEME = gr.themes.Default(
    primary_hue="indigo", secondary_hue="slate",
    font=["ui-sans-serif", "system-ui", "-apple-system", "Segoe UI", "Roboto", "Helvetica Neue", "Arial",
          "sans-serif"],
    font_mono=["ui-monospace", "SFMono-Regular", "Menlo", "Consolas", "Liberation Mono", "monospace"],
)


def create_app(settings: Settings | None = None, *, concurrency: int = 1) -> gr.Blocks:
    """Build the app (not started). `concurrency`: answers graded at the same time (others wait in the
    queue, which the page shows)."""
    service = Service(settings)
    with gr.Blocks(title="Interviewer: mock AI/ML interviews", analytics_enabled=False) as app:
        bstate = gr.BrowserState(dict(EMPTY_STATE), storage_key=STORAGE_KEY, secret=BROWSER_KEY)
        gr.HTML(BRAND, js_on_load=asset("page.js"))
        with gr.Tabs(selected="interview") as tabs:
            page = Page(service, bstate, tabs, concurrency)
            interview = InterviewTab(page)
            report = ReportTab(service)
            history = HistoryTab(page)
        interview.wire(report)
        history.wire(interview, report)
        app.load(interview.on_load, [bstate, interview.api_key, interview.key_again], interview.outputs,
                 js=asset("restore.js"), show_progress="minimal", show_progress_on=[interview.chatbot],
                 **SESSIONS_QUEUE, **PRIVATE)
        bstate.change(None, bstate, None, js=asset("remember.js"), queue=False, **PRIVATE)
        Api(service).add(concurrency)
        interview.voice.add_api()
    app.queue(default_concurrency_limit=4, max_size=MAX_QUEUE)
    return app


def launch_kwargs() -> dict:
    """Arguments `launch` passes to gr.Blocks.launch (theme, CSS, privacy settings)."""
    return {"theme": THEME, "css": asset("style.css"), "run_history": False, "ssr_mode": False, "mcp_server": False,
            "pwa": False, "enable_monitoring": False, "show_error": False, "footer_links": ["api", "settings"]}


def launch(*, host: str = "127.0.0.1", port: int = 7860, share: bool = False, open_browser: bool = False,
           settings: Settings | None = None, concurrency: int = 1, quiet: bool = False,
           prevent_thread_lock: bool = False, auth: list[tuple[str, str]] | None = None) -> gr.Blocks:
    """Build and serve the app (what `interviewer ui` runs). Returns the running Blocks. `auth`: the
    (user, password) pairs of Gradio's login page, whose failures are rate-limited (login_limit.py); None
    serves without a login. Request bodies past `api.body_limit` are refused (413) before anything reads them."""
    os.environ.setdefault("GRADIO_TEMP_DIR", tempfile.mkdtemp(prefix="interviewer-gradio-"))  # 0700
    app = create_app(settings, concurrency=concurrency)
    middleware = [Middleware(BodyLimit, limit=body_limit((settings or get_settings()).max_answer_chars))]
    middleware += [Middleware(LoginGuard)] if auth else []
    app.launch(server_name=host, server_port=port, share=share, inbrowser=open_browser, quiet=quiet,
               prevent_thread_lock=prevent_thread_lock, auth=auth or None, **launch_kwargs(),
               app_kwargs={"middleware": middleware})
    return app
