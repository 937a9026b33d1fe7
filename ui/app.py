"""The Gradio web UI: setup, a live interview with a score card, the report, and the history of sessions.

    from interviewer.ui.app import create_app, launch
    app = create_app()          # a gr.Blocks, not started (mount it, or test it)
    launch(port=7860)           # what `interviewer ui` runs

State: the browser keeps only the session id (gr.BrowserState, in localStorage, encrypted with a secret kept
in the user directory, mirrored per tab in sessionStorage so a reload resumes *this tab's* interview). The
server keeps nothing per user: every request reopens the session from the database through the engine
(`Interview.resume`). The app's `Service` holds one lock per session so one answer runs at a time per session.

API (for gradio_client): /start, /answer, /state, /sessions return plain JSON (see `api_*` below).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator
from typing import Any

import gradio as gr
import pandas as pd

from ..engine import InterviewConfig
from ..engine.report import to_markdown
from ..errors import InterviewerError, SessionNotFound
from ..settings import Settings
from . import render
from .service import COMMANDS, SOURCES, Service, View, browser_secret, model_name, scrub

log = logging.getLogger("interviewer.ui")

STORAGE_KEY = "interviewer-ui-session"
TAB_KEY = "interviewer-tab-session"
STREAM_DELAY = 0.03  # seconds between streamed chunks of the interviewer's words
DATE_AXIS = "%b %d %H:%M"  # d3 time format for the history charts' date axis

CSS = """
.gradio-container { max-width: 1280px !important; margin: 0 auto !important; }
#iv-brand { display: flex; flex-wrap: wrap; align-items: baseline; gap: .2rem .8rem; }
#iv-brand h1 { font-size: 1.35rem; margin: 0; }
#iv-brand p { margin: 0; color: var(--body-text-color-subdued); font-size: .92rem; }
#chat button[aria-label="Clear"], #chat button[title="Clear"] { display: none; }
.iv-header { display: flex; flex-wrap: wrap; gap: .35rem .9rem; align-items: center; padding: .2rem .1rem; }
.iv-progress { font-weight: 700; font-size: 1.1rem; }
.iv-cat { background: var(--color-accent-soft); color: var(--body-text-color); border-radius: 999px;
  padding: .08rem .6rem; font-size: .85rem; }
.iv-clock { font-variant-numeric: tabular-nums; font-size: .95rem; }
.iv-meta { color: var(--body-text-color-subdued); font-size: .8rem; margin-left: auto; }
.iv-status { font-size: .9rem; color: var(--body-text-color-subdued); min-height: 1.3rem; padding: .15rem .1rem; }
.iv-status.iv-busy { color: var(--color-accent); font-weight: 600; }
.iv-status.iv-error { color: var(--error-text-color, #b91c1c); font-weight: 600; }
.iv-status.iv-ok { color: var(--body-text-color); }
.iv-spinner { display: inline-block; width: .9em; height: .9em; border: 2px solid currentColor;
  border-right-color: transparent; border-radius: 50%; animation: iv-spin .8s linear infinite;
  margin-right: .45em; vertical-align: -.12em; }
@keyframes iv-spin { to { transform: rotate(360deg); } }
@media (prefers-reduced-motion: reduce) { .iv-spinner { animation: none; } }
.iv-card { border: 1px solid var(--border-color-primary); border-radius: var(--radius-lg); padding: .8rem 1rem;
  background: var(--block-background-fill); }
.iv-card-empty { color: var(--body-text-color-subdued); }
.iv-card-head { display: flex; justify-content: space-between; gap: .5rem; align-items: center; flex-wrap: wrap; }
.iv-card-title { font-weight: 700; }
.iv-card-q { margin: .35rem 0; font-size: .9rem; color: var(--body-text-color-subdued); }
.iv-card-status { font-size: .85rem; color: var(--body-text-color-subdued); }
.iv-score { display: flex; align-items: baseline; gap: .3rem; margin: .3rem 0; }
.iv-score-num { font-size: 2.3rem; font-weight: 800; line-height: 1.1; }
.iv-big .iv-score-num { font-size: 3rem; }
.iv-score-of { color: var(--body-text-color-subdued); }
.iv-good .iv-score-num, strong.iv-good { color: #15803d; }
.iv-mid .iv-score-num, strong.iv-mid { color: #a16207; }
.iv-low .iv-score-num, strong.iv-low { color: #b91c1c; }
.dark .iv-good .iv-score-num, .dark strong.iv-good { color: #4ade80; }
.dark .iv-mid .iv-score-num, .dark strong.iv-mid { color: #facc15; }
.dark .iv-low .iv-score-num, .dark strong.iv-low { color: #f87171; }
.iv-crit { margin: .45rem 0; }
.iv-crit ul { margin: .15rem 0 0 1.1rem; padding: 0; font-size: .88rem; }
.iv-crit li { margin: .15rem 0; }
.iv-crit-title { font-weight: 600; font-size: .9rem; }
.iv-hit .iv-crit-title { color: #15803d; } .dark .iv-hit .iv-crit-title { color: #4ade80; }
.iv-partial .iv-crit-title { color: #a16207; } .dark .iv-partial .iv-crit-title { color: #facc15; }
.iv-missed .iv-crit-title { color: #b91c1c; } .dark .iv-missed .iv-crit-title { color: #f87171; }
.iv-feedback summary { cursor: pointer; font-weight: 600; margin-top: .4rem; }
.iv-feedback p { font-size: .88rem; margin: .3rem 0; }
.iv-small { font-size: .82rem; color: var(--body-text-color-subdued); }
.iv-report-head { display: flex; gap: 1.5rem; align-items: center; flex-wrap: wrap; }
.iv-report-meta { flex: 1; min-width: 240px; }
.iv-cats { list-style: none; margin: .4rem 0 0; padding: 0; display: flex; flex-wrap: wrap; gap: .3rem .9rem; }
.iv-cats li { display: flex; gap: .4rem; }
#answer-box textarea { font-size: 1rem; line-height: 1.45; }
#iv-actions button { min-width: 6.5rem; white-space: nowrap; }
#chat .message-wrap { font-size: .97rem; }
/* Wide content scrolls inside its own box instead of widening the page (phones). */
#history-table, #report-details { contain: inline-size; }
#report-details pre { overflow-x: auto; }
.iv-table-wrap { overflow-x: auto; max-width: 100%; border: 1px solid var(--border-color-primary);
  border-radius: var(--radius-lg); }
.iv-table { border-collapse: collapse; width: 100%; font-size: .9rem; }
.iv-table th, .iv-table td { text-align: left; padding: .45rem .6rem; border-bottom: 1px solid var(--border-color-primary);
  white-space: nowrap; }
.iv-table caption { text-align: left; padding: .4rem .6rem; color: var(--body-text-color-subdued); }
.iv-table td.iv-num { text-align: right; font-variant-numeric: tabular-nums; }
@media (max-width: 640px) {
  .iv-meta { margin-left: 0; width: 100%; }
  .iv-score-num { font-size: 1.9rem; }
  #iv-actions button { min-width: 0; flex: 1 1 45%; }
}
"""

# Runs once per page: keeps the elapsed-time clocks ticking and adds Ctrl/Cmd+Enter to submit an answer.
PAGE_JS = """
if (!window.__ivPage) {
  window.__ivPage = true;
  const pad = (n) => String(n).padStart(2, '0');
  setInterval(() => {
    document.querySelectorAll('.iv-elapsed[data-started]').forEach((el) => {
      if (el.dataset.stopped) return;
      const s = Math.max(0, Math.floor((Date.now() - Date.parse(el.dataset.started)) / 1000));
      const m = Math.floor(s / 60);
      el.textContent = (m >= 60 ? Math.floor(m / 60) + ':' + pad(m % 60) : pad(m)) + ':' + pad(s % 60);
    });
  }, 1000);
  document.addEventListener('keydown', (e) => {
    if (e.key !== 'Enter' || !(e.ctrlKey || e.metaKey)) return;
    const box = e.target && e.target.closest ? e.target.closest('#answer-box') : null;
    if (!box) return;
    e.preventDefault();
    const button = document.querySelector('#submit-btn');
    if (button && !button.disabled) button.click();
  }, true);
}
"""

# Before the page asks the server to restore: prefer the session this tab had (survives a reload). The
# browser-wide value (localStorage) is the latest session of any tab: what a new tab resumes.
RESTORE_JS = f"""
(b) => {{
  let mine = null;
  try {{ mine = sessionStorage.getItem({TAB_KEY!r}); }} catch (e) {{}}
  window.__ivRestored = true;
  const value = Object.assign({{}}, b || {{}});
  if (mine) value.session_id = mine;
  return [value];
}}
"""

# Whenever the server sets the session, remember it for this tab too. Not before the restore has read it:
# BrowserState also fires `change` when it loads the browser-wide value on mount.
REMEMBER_JS = f"""
(b) => {{
  if (!window.__ivRestored) return [];
  try {{
    if (b && b.session_id) sessionStorage.setItem({TAB_KEY!r}, b.session_id);
    else sessionStorage.removeItem({TAB_KEY!r});
  }} catch (e) {{}}
  return [];
}}
"""

# System fonts only: the app works offline and asks no third party for anything.
# Runs in the browser the moment an answer or command is sent, before the server picks it up: the page says
# so at once (if the grader is busy with another tab, the score card shows the place in the queue).
SENT_JS = """
(...args) => {
  const s = document.querySelector('#iv-status .iv-status');
  if (s) { s.className = 'iv-status iv-busy'; s.textContent = 'Sent. Waiting for the interviewer…'; }
  return args;
}
"""

THEME = gr.themes.Default(
    primary_hue="indigo", secondary_hue="slate",
    font=["ui-sans-serif", "system-ui", "-apple-system", "Segoe UI", "Roboto", "Helvetica Neue", "Arial",
          "sans-serif"],
    font_mono=["ui-monospace", "SFMono-Regular", "Menlo", "Consolas", "Liberation Mono", "monospace"],
)


# Key fields: no autofill, and no offer from the browser's password manager to save what was typed.
NO_SAVE = gr.InputHTMLAttributes(autocomplete="new-password", autocorrect="off", autocapitalize="off",
                                 spellcheck=False)


MAX_QUEUE = 64
EMPTY_STATE = {"session_id": None, "base_url": None, "token": None, "owned": {}}
#: Sessions a browser remembers the tokens of (its History tab lists these).
MAX_OWNED = 200


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


def _empty_plot(columns: list[str]) -> pd.DataFrame:
    return pd.DataFrame({c: [] for c in columns})


def create_app(settings: Settings | None = None, *, concurrency: int = 1) -> gr.Blocks:
    """Build the app (not started). `concurrency`: answers graded at the same time (others wait in the
    queue, which the page shows)."""
    service = Service(settings)
    source0, packaged0, gguf0, endpoint0 = service.default_model()
    packaged_choices = service.packaged_models()
    if packaged0 and packaged0 not in [v for _, v in packaged_choices]:
        packaged_choices.append((packaged0, packaged0))
    key_info = ("Kept in memory for this browser tab only: never saved to disk, the database, logs or the browser."
                + (" Leave empty to use the server's key." if service.has_server_key() else ""))

    with gr.Blocks(title="Interviewer: mock AI/ML interviews", analytics_enabled=False) as app:
        bstate = gr.BrowserState(dict(EMPTY_STATE), storage_key=STORAGE_KEY,
                                 secret=browser_secret())
        gr.HTML('<header id="iv-brand"><h1>Interviewer</h1><p>Mock interviews for senior AI/ML engineers, '
                "graded against a rubric.</p></header>", js_on_load=PAGE_JS)

        with gr.Tabs(selected="interview") as tabs:
            # ---------------------------------------------------------------- interview
            with gr.Tab("Interview", id="interview"):
                with gr.Column(visible=True, elem_id="setup") as setup_col:
                    setup_note = gr.HTML("", js_on_load=None, visible=False, elem_id="setup-note")
                    categories = gr.CheckboxGroup(service.categories(), value=[], label="Categories",
                                                  info="Tick the topics to be asked about; none ticked means all.")
                    with gr.Row():
                        questions = gr.Slider(1, 20, value=5, step=1, label="Number of questions", min_width=240)
                        level = gr.Radio(render.LEVELS, value="senior", label="Level", min_width=240,
                                         info="adaptive follows your running score")
                    with gr.Group():
                        source = gr.Radio(list(SOURCES), value=source0, label="Grading model")
                        packaged = gr.Dropdown(packaged_choices, value=packaged0, label="Packaged model",
                                               visible=source0 == SOURCES[0], allow_custom_value=True)
                        gguf = gr.Textbox(value=gguf0 or "", label="GGUF file path", placeholder="/path/to/model.gguf",
                                          visible=source0 == SOURCES[1])
                        with gr.Column(visible=source0 == SOURCES[2]) as endpoint_col:
                            base_url = gr.Textbox(value=service.base.base_url or "", label="Base URL",
                                                  placeholder="https://api.openai.com/v1")
                            endpoint_model = gr.Textbox(value=endpoint0 or "", label="Model name",
                                                        placeholder="gpt-4o-mini")
                            api_key = gr.Textbox(label="API key", type="password", info=key_info,
                                                 placeholder="sk-…", html_attributes=NO_SAVE)
                    with gr.Accordion("More options", open=False):
                        followups = gr.Slider(0, 5, value=2, step=1, label="Follow-ups per question at most")
                        lexical = gr.Checkbox(False, label="Model-free grading (fast, less accurate; loads no model)")
                    start_btn = gr.Button("Start interview", variant="primary", elem_id="start-btn")

                with gr.Column(visible=False, elem_id="interview") as interview_col:
                    header = gr.HTML("", js_on_load=None, elem_id="iv-header")
                    with gr.Row(equal_height=False):
                        with gr.Column(scale=3, min_width=320):
                            chatbot = gr.Chatbot(
                                label="Interview", show_label=False, elem_id="chat", height=320, layout="bubble",
                                sanitize_html=True, render_markdown=True, latex_delimiters=[], allow_tags=False,
                                feedback_options=None, buttons=["copy_all"], group_consecutive_messages=False,
                            )
                            status = gr.HTML(render.status_html("idle", render.IDLE_HINT), js_on_load=None,
                                             elem_id="iv-status")
                            with gr.Column(elem_id="answer-area") as answer_col:
                                answer = gr.Textbox(label="Your answer", lines=3, max_lines=14, elem_id="answer-box",
                                                    placeholder="Type your answer. Enter adds a new line; Ctrl+Enter "
                                                    "submits.")
                                with gr.Row(elem_id="iv-actions"):
                                    submit_btn = gr.Button("Submit answer", variant="primary", elem_id="submit-btn",
                                                           scale=2)
                                    skip_btn = gr.Button("Skip", elem_id="skip-btn")
                                    repeat_btn = gr.Button("Repeat", elem_id="repeat-btn")
                                    end_btn = gr.Button("End", variant="stop", elem_id="end-btn")
                                with gr.Row(visible=False) as key_row:
                                    key_again = gr.Textbox(label="API key for this session's endpoint",
                                                           type="password", info=key_info, scale=3,
                                                           html_attributes=NO_SAVE)
                            with gr.Row(visible=False) as done_row:
                                report_btn = gr.Button("See the report", variant="primary", elem_id="report-btn")
                                new_btn = gr.Button("Start a new interview", elem_id="new-btn")
                        with gr.Column(scale=2, min_width=280):
                            card = gr.HTML(render.card_waiting_html(), js_on_load=None, elem_id="score-card")

            # ---------------------------------------------------------------- report
            with gr.Tab("Report", id="report"):
                report_empty = gr.Markdown("No report yet. Finish an interview, or open one from **History**.")
                report_head = gr.HTML("", js_on_load=None, visible=False, elem_id="report-head")
                with gr.Row(visible=False) as report_row:
                    report_plot = gr.BarPlot(_empty_plot(["category", "score"]), x="category", y="score",
                                             y_lim=[0, 10], title="Score by category", y_title="score (0-10)",
                                             height=260, sort="x", buttons=[], scale=3, min_width=300)
                    with gr.Column(scale=1, min_width=270):
                        gr.HTML("<strong>Transcript</strong><p class=iv-small>The report and the whole conversation."
                                "</p>", js_on_load=None)
                        dl_md = gr.DownloadButton("Download Markdown", elem_id="dl-md", size="md")
                        dl_json = gr.DownloadButton("Download JSON", elem_id="dl-json", size="md")
                report_md = gr.Markdown("", elem_id="report-details", latex_delimiters=[], sanitize_html=True)

            # ---------------------------------------------------------------- history
            with gr.Tab("History", id="history") as history_tab:
                history_plot = gr.LinePlot(_empty_plot(["date", "score", "category"]), x="date", y="score",
                                           color="category", y_lim=[0, 10], title="Score over time per category",
                                           height=260, buttons=[], elem_id="history-plot", x_axis_format=DATE_AXIS)
                # With one session per category a line has nothing to join: show the points instead.
                history_points = gr.ScatterPlot(_empty_plot(["date", "score", "category"]), x="date", y="score",
                                                color="category", y_lim=[0, 10], title="Score per session and "
                                                "category", height=260, buttons=[], visible=False,
                                                elem_id="history-points", x_axis_format=DATE_AXIS)
                history_table = gr.HTML(render.history_table_html([]), js_on_load=None, elem_id="history-table")
                with gr.Row():
                    pick = gr.Dropdown([], label="Session", scale=3, min_width=260, elem_id="history-pick")
                    open_btn = gr.Button("Open report", min_width=120)
                    resume_btn = gr.Button("Resume", min_width=120, variant="primary")
                    refresh_btn = gr.Button("Refresh", min_width=120)
                history_note = gr.HTML("", js_on_load=None)

        view_out = [bstate, tabs, setup_col, setup_note, start_btn, interview_col, header, chatbot, status, answer,
                    submit_btn, skip_btn, repeat_btn, end_btn, key_row, answer_col, done_row, card,
                    report_empty, report_head, report_row, report_plot, dl_md, dl_json, report_md]
        controls = [answer, submit_btn, skip_btn, repeat_btn, end_btn]

        # ------------------------------------------------------------------ view helpers
        def controls_update(enabled: bool) -> dict:
            return {c: gr.update(interactive=enabled) for c in controls}

        def report_update(view: View) -> dict:
            rows = render.category_rows(view.report)
            md_path, json_path = service.export(view)
            details = to_markdown(render.safe_report(view.report))
            cut = details.find("\n## ")
            return {
                report_empty: gr.update(visible=False),
                report_head: gr.update(value=render.report_summary_html(view.report, view.row), visible=True),
                report_row: gr.update(visible=True),
                report_plot: gr.update(value=pd.DataFrame(rows) if rows else _empty_plot(["category", "score"])),
                dl_md: gr.update(value=str(md_path)),
                dl_json: gr.update(value=str(json_path)),
                report_md: gr.update(value=details[cut + 1:] if cut >= 0 else details),
            }

        def header_for(view: View) -> str:
            s = view.status
            return render.header_html(s.position, s.total, s.category, view.row.get("started_at"), done=s.done,
                                      finished_at=view.row.get("finished_at"), session_id=view.session_id,
                                      model=view.model or "model-free grading")

        def setup_view(note: str = "", kind: str = "ok") -> dict:
            return {setup_col: gr.update(visible=True), interview_col: gr.update(visible=False),
                    setup_note: gr.update(value=render.status_html(kind, note) if note else "", visible=bool(note)),
                    start_btn: gr.update(interactive=True, value="Start interview")}

        def interview_view(view: View, *, key_needed: bool = False) -> dict:
            out = {setup_col: gr.update(visible=False), interview_col: gr.update(visible=True),
                   header: header_for(view), key_row: gr.update(visible=key_needed and not view.done),
                   answer_col: gr.update(visible=not view.done), done_row: gr.update(visible=view.done)}
            out |= controls_update(not view.done)
            return out

        def finished(view: View) -> dict:
            out = interview_view(view) | report_update(view)
            out[tabs] = gr.Tabs(selected="report")
            out[status] = render.status_html("ok", "The interview is over: your report is in the Report tab.")
            return out

        def key_needed(view: View, *keys: str) -> bool:
            return view.needs_key() and not any(k and k.strip() for k in keys) and not service.has_server_key()

        def stream(prefix: list[dict], new: list[dict], extra: dict) -> Iterator[dict]:
            """Show the interviewer's new messages a few words at a time."""
            chat = list(prefix)
            for message in new:
                full = render.chat_message(message)
                chat.append(dict(full, content=""))
                for part in render.words(full["content"]):
                    chat[-1] = dict(full, content=part)
                    yield extra | {chatbot: list(chat)}
                    time.sleep(STREAM_DELAY)

        def split_new(view: View, new: list[dict]) -> tuple[list[dict], list[dict], list[dict]]:
            """(chat before the new messages, new messages as stored, notices that were not stored)."""
            stored = view.messages
            k = len(new)
            if k and [m.get("text") for m in stored[-k:]] == [m.get("text") for m in new]:
                return render.chat_messages(stored[:-k]), new, []
            return render.chat_messages(stored), [], new

        def fail(e: BaseException, key: str | None, what: str) -> str:
            if isinstance(e, InterviewerError):
                return scrub(str(e), key)
            if key:
                log.error("%s failed: %s", what, scrub(repr(e), key))
            else:
                log.exception("%s failed", what)
            return f"{what} failed: {scrub(type(e).__name__ + ': ' + str(e), key)[:300]}"

        # ------------------------------------------------------------------ handlers
        def on_source(choice: str) -> dict:
            return {packaged: gr.update(visible=choice == SOURCES[0]), gguf: gr.update(visible=choice == SOURCES[1]),
                    endpoint_col: gr.update(visible=choice == SOURCES[2])}

        def on_start(b: dict | None, cats: list[str], n: float, lvl: str, src: str, pkg: str | None, path: str,
                     url: str, endpoint: str, key: str, fups: float, lex: bool) -> Iterator[dict]:
            yield {start_btn: gr.update(interactive=False, value="Starting…"),
                   setup_note: gr.update(value=render.status_html("busy", "Loading the model and choosing your "
                                                                  "questions…"), visible=True)}
            try:
                model = None if lex else model_name(src, pkg, path, endpoint)
                config = InterviewConfig(categories=cats or [], questions=int(n), level=lvl, model=model,
                                         lexical=bool(lex), max_followups=int(fups))
                view, reply = service.start(config, base_url=url if src == SOURCES[2] else None,
                                            api_key=key if src == SOURCES[2] else None)
            except Exception as e:  # noqa: BLE001 - shown to the user, the page stays usable
                yield setup_view(fail(e, key, "Starting the interview"), "error")
                return
            state = remember(b, view.session_id, view.token,
                             (url or "").strip() or None if src == SOURCES[2] else None)
            base = interview_view(view) | {bstate: state, card: render.card_waiting_html(), answer: "",
                                           status: render.status_html("busy", "The interviewer is speaking…")}
            base |= controls_update(False)
            prefix, new, notices = split_new(view, reply.messages)
            yield base | {chatbot: prefix}
            yield from stream(prefix, new + notices, base)
            yield interview_view(view) | {status: render.status_html("idle", render.IDLE_HINT),
                                          chatbot: render.chat_messages(view.messages) + _notices(notices)}

        def _notices(extra: list[dict]) -> list[dict]:
            return render.chat_messages(extra)

        def run_answer(b: dict | None, text: str, keys: tuple[str, ...], chat_now: list[dict] | None,
                       *, command: str | None) -> Iterator[dict]:
            sid = (b or {}).get("session_id")
            key = next((k for k in keys if k and k.strip()), None)
            if not sid:
                yield setup_view("No interview is running in this tab: start one.", "error")
                return
            sent = command or (text or "")
            shown = list(chat_now or []) + [render.chat_message({"role": "candidate", "text": sent}),
                                            render.pending_message(
                                                "Grading your answer against the rubric…" if not command
                                                else "One moment…")]
            busy = "Grading your answer… this can take a minute on a CPU." if not command else "One moment…"
            yield controls_update(False) | {
                chatbot: shown, status: render.status_html("busy", busy),
                card: render.card_busy_html() if not command else gr.update(),
                answer: "" if not command else gr.update(),
            }
            try:
                view, reply = service.answer(sid, b.get("token"), sent, base_url=(b or {}).get("base_url"),
                                             api_key=key)
            except SessionNotFound as e:
                yield setup_view(str(e), "error") | {bstate: forget(b)}
                return
            except Exception as e:  # noqa: BLE001
                message = fail(e, key, "Sending the answer")
                yield controls_update(True) | {
                    chatbot: list(chat_now or []), status: render.status_html("error", message + " Try again."),
                    answer: text if not command else gr.update(), card: gr.update(),
                }
                return
            prefix, new, notices = split_new(view, reply.messages)
            extra = {status: render.status_html("busy", "The interviewer is speaking…"), header: header_for(view)}
            if view.card:
                extra[card] = view.card
            yield extra | {chatbot: prefix}
            yield from stream(prefix, new + notices, extra)
            final_chat = render.chat_messages(view.messages) + _notices(notices)
            if view.done:
                yield finished(view) | {chatbot: final_chat, **({card: view.card} if view.card else {})}
                return
            out = interview_view(view, key_needed=key_needed(view, *keys)) | {
                chatbot: final_chat, status: render.status_html("idle", render.IDLE_HINT)}
            if reply.refused and not command:
                out[answer] = text  # nothing was recorded: give the text back to edit and resend
            yield out

        def on_draft(b, text, k1, k2) -> None:
            sid = (b or {}).get("session_id")
            if sid:
                key = next((k for k in (k1, k2) if k and k.strip()), None)
                service.warm(sid, b.get("token"), text or "", base_url=b.get("base_url"), api_key=key)

        def on_submit(b, text, k1, k2, chat_now):
            yield from run_answer(b, text, (k1, k2), chat_now, command=None)

        def on_skip(b, k1, k2, chat_now):
            yield from run_answer(b, "", (k1, k2), chat_now, command=COMMANDS["skip"])

        def on_repeat(b, k1, k2, chat_now):
            yield from run_answer(b, "", (k1, k2), chat_now, command=COMMANDS["repeat"])

        def on_end(b, k1, k2, chat_now):
            yield from run_answer(b, "", (k1, k2), chat_now, command=COMMANDS["end"])

        def restore(b: dict | None, k1: str = "", k2: str = "", *, go: bool = False) -> Iterator[dict]:
            """Show the session the browser remembers: resume it if unfinished, else its report."""
            sid = (b or {}).get("session_id")
            if not sid:
                yield setup_view() | {bstate: forget(b)}
                return
            try:
                view = service.look(sid, b.get("token"))
            except SessionNotFound:
                yield setup_view() | {bstate: forget(b)}
                return
            except Exception as e:  # noqa: BLE001
                yield setup_view(fail(e, None, "Opening the last session"), "error")
                return
            state = dict(b) | {"session_id": view.session_id}
            if view.done:
                out = setup_view(f"Your last interview ({view.session_id}) is finished: its report is in the "
                                 "Report tab.") | report_update(view) | {bstate: state}
                if go:
                    out[tabs] = gr.Tabs(selected="report")
                yield out
                return
            # The page's own copy of the session id must be the one restored (it may hold another tab's).
            base = interview_view(view) | controls_update(False) | {
                bstate: state, chatbot: render.chat_messages(view.messages), card: service.last_card(view),
                status: render.status_html("busy", "Resuming your interview…")}
            if go:
                base[tabs] = gr.Tabs(selected="interview")
            yield base
            key = next((k for k in (k1, k2) if k and k.strip()), None)
            try:
                view, reply = service.resume(sid, b.get("token"), base_url=(b or {}).get("base_url"), api_key=key)
            except Exception as e:  # noqa: BLE001
                yield controls_update(True) | {status: render.status_html("error", fail(e, key, "Resuming"))}
                return
            new = reply.messages if reply else []
            prefix, new, notices = split_new(view, new)
            if view.done:
                yield finished(view) | {chatbot: render.chat_messages(view.messages)}
                return
            if new or notices:
                yield from stream(prefix, new + notices, {header: header_for(view)})
            out = interview_view(view, key_needed=key_needed(view, k1, k2)) | {
                chatbot: render.chat_messages(view.messages) + _notices(notices),
                status: render.status_html("idle", "Welcome back: your interview continues. " + render.IDLE_HINT)}
            if view.card:
                out[card] = view.card
            yield out

        def on_load(b, k1, k2):
            yield from restore(b, k1, k2)

        def on_new():
            out = setup_view()
            out[chatbot] = []
            out[card] = render.card_waiting_html()
            out[answer] = ""
            return out

        def history_update(b: dict | None, note: str = "") -> dict:
            rows, points = service.history(owned_of(b))
            table = render.history_table_html(rows)
            plot = pd.DataFrame([{"date": pd.Timestamp(render.parse_time(p["started_at"])).tz_convert(None),
                                  "score": p["score"], "category": p["category"]} for p in points
                                 if render.parse_time(p["started_at"])])
            lines = bool(len(plot)) and bool((plot.groupby("category")["date"].nunique() > 1).any())
            empty = _empty_plot(["date", "score", "category"])
            return {history_table: table,
                    history_plot: gr.update(value=plot if lines else empty, visible=lines or not len(plot)),
                    history_points: gr.update(value=plot if len(plot) and not lines else empty,
                                              visible=bool(len(plot)) and not lines),
                    pick: gr.update(choices=[(render.session_label(r), r["id"]) for r in rows],
                                    value=rows[0]["id"] if rows else None),
                    history_note: render.status_html("error", note) if note else ""}

        def on_history(b):
            return history_update(b)

        def on_open(sid: str | None, b: dict | None):
            if not sid:
                return {history_note: render.status_html("error", "Pick a session first.")}
            try:
                view = service.look(sid, owned_of(b).get(sid))
            except Exception as e:  # noqa: BLE001
                return {history_note: render.status_html("error", fail(e, None, "Opening the report"))}
            return report_update(view) | {tabs: gr.Tabs(selected="report"), history_note: ""}

        def on_resume(sid: str | None, b: dict | None, k1: str, k2: str):
            if not sid:
                yield {history_note: render.status_html("error", "Pick a session first.")}
                return
            state = dict(b or EMPTY_STATE) | {"session_id": sid, "token": owned_of(b).get(sid)}
            for out in restore(state, k1, k2, go=True):
                yield out | {history_note: ""}

        # ------------------------------------------------------------------ wiring
        private: dict[str, Any] = {"api_visibility": "private"}
        engine = {"concurrency_id": "grading", "concurrency_limit": concurrency}
        sessions_q = {"concurrency_id": "sessions", "concurrency_limit": 4}
        # While an answer waits in the queue, the score card shows its place in the queue.
        progress = {"show_progress": "full", "show_progress_on": [card], "js": SENT_JS}

        source.change(on_source, source, [packaged, gguf, endpoint_col], queue=False, **private)
        start_btn.click(on_start, [bstate, categories, questions, level, source, packaged, gguf, base_url,
                                   endpoint_model, api_key, followups, lexical], view_out,
                        show_progress="minimal", show_progress_on=[start_btn], **sessions_q, **private)
        answer_out = view_out
        submit_inputs = [bstate, answer, api_key, key_again, chatbot]
        command_inputs = [bstate, api_key, key_again, chatbot]
        # While the candidate types, the grader reads ahead (the latest draft only; never blocks the page).
        answer.input(on_draft, [bstate, answer, api_key, key_again], None, trigger_mode="always_last",
                     show_progress="hidden", concurrency_id="drafts", concurrency_limit=1, **private)
        submit_btn.click(on_submit, submit_inputs, answer_out, **progress, **engine, **private)
        answer.submit(on_submit, submit_inputs, answer_out, **progress, **engine, **private)
        skip_btn.click(on_skip, command_inputs, answer_out, **progress, **engine, **private)
        repeat_btn.click(on_repeat, command_inputs, answer_out, **progress, **engine, **private)
        end_btn.click(on_end, command_inputs, answer_out, **progress, **engine, **private)
        new_btn.click(on_new, None, view_out, queue=False, **private)
        report_btn.click(lambda: gr.Tabs(selected="report"), None, tabs, queue=False, **private)
        app.load(on_load, [bstate, api_key, key_again], view_out, js=RESTORE_JS, show_progress="minimal",
                 show_progress_on=[chatbot], **sessions_q, **private)
        bstate.change(None, bstate, None, js=REMEMBER_JS, queue=False, **private)

        history_out = [history_table, history_plot, history_points, pick, history_note]
        history_tab.select(on_history, bstate, history_out, **private)
        refresh_btn.click(on_history, bstate, history_out, **private)
        open_btn.click(on_open, [pick, bstate], view_out + [history_note], **private)
        resume_btn.click(on_resume, [pick, bstate, api_key, key_again], view_out + [history_note], **sessions_q,
                         **private)

        # ------------------------------------------------------------------ the JSON API (gradio_client)
        def api_start(categories: list[str] | None = None, questions: int = 5, level: str = "senior",
                      model: str = "", base_url: str = "", api_key: str = "", max_followups: int = 2,
                      lexical: bool = False) -> dict:
            """Start an interview. Returns the session state (see /state) plus `reply`: the interviewer's
            first messages, and `token`: the session's secret, which every later call must send.
            `model` defaults to the server's; `api_key` is used in memory only and, when `base_url` names
            another endpoint than the server's, must be given (the server's key never goes elsewhere)."""
            try:
                config = InterviewConfig(categories=categories or [], questions=int(questions), level=level,
                                         model=(model or None) if not lexical else None, lexical=bool(lexical),
                                         max_followups=int(max_followups))
                view, reply = service.start(config, base_url=base_url or None, api_key=api_key or None)
            except Exception as e:  # noqa: BLE001
                raise gr.Error(fail(e, api_key, "start")) from None
            return view.as_dict() | {"reply": reply.messages}

        def api_answer(session_id: str, token: str, text: str, base_url: str = "", api_key: str = "") -> dict:
            """Send an answer (or /skip, /repeat, /quit) with the session's token. Returns the session state
            plus `reply` (the interviewer's new messages), `score`, `grade` and `refused`."""
            try:
                view, reply = service.answer(session_id, token, text, base_url=base_url or None,
                                             api_key=api_key or None)
            except Exception as e:  # noqa: BLE001
                raise gr.Error(fail(e, api_key, "answer")) from None
            return view.as_dict() | {"reply": reply.messages, "score": reply.score, "grade": reply.grade,
                                     "refused": reply.refused}

        def api_draft(session_id: str, token: str, text: str, base_url: str = "", api_key: str = "") -> int:
            """The answer as typed so far (send it now and then while the candidate types): the grader reads
            ahead, so /answer returns sooner. Returns the prompt tokens evaluated; never an error."""
            return service.warm(session_id, token, text, base_url=base_url or None, api_key=api_key or None)

        def api_state(session_id: str, token: str) -> dict:
            """A session's state: position k of total, phase, done, the transcript and the (partial) report.
            Read-only: runs nothing and loads no model. Needs the session's token."""
            try:
                return service.look(session_id, token).as_dict()
            except Exception as e:  # noqa: BLE001
                raise gr.Error(fail(e, None, "state")) from None

        def api_sessions(tokens: dict | None = None, limit: int = 20) -> list[dict]:
            """The caller's past sessions, newest first (without their reports): those whose tokens
            `tokens` ({session_id: token}) holds."""
            try:
                limit = max(1, min(int(float(limit)), 1000))
            except (TypeError, ValueError, OverflowError):
                raise gr.Error("limit must be a number from 1 to 1000") from None
            rows, _ = service.history(tokens if isinstance(tokens, dict) else {}, limit=limit)
            return [{k: v for k, v in r.items() if k not in ("report", "config")} for r in rows]

        gr.api(api_start, api_name="start", **sessions_q)
        gr.api(api_answer, api_name="answer", **engine)
        gr.api(api_draft, api_name="draft", concurrency_id="drafts", concurrency_limit=1)
        gr.api(api_state, api_name="state")
        gr.api(api_sessions, api_name="sessions")

    # A bounded queue: past MAX_QUEUE waiting requests a client is told the server is busy, not kept waiting.
    app.queue(default_concurrency_limit=4, max_size=MAX_QUEUE)
    app.interviewer_service = service  # for tests and embedding
    return app


def launch_kwargs() -> dict:
    """Arguments `launch` passes to gr.Blocks.launch (theme, CSS, privacy settings)."""
    return {"theme": THEME, "css": CSS, "run_history": False, "ssr_mode": False, "mcp_server": False, "pwa": False,
            "enable_monitoring": False, "show_error": False, "footer_links": ["api", "settings"]}


def launch(*, host: str = "127.0.0.1", port: int = 7860, share: bool = False, open_browser: bool = False,
           settings: Settings | None = None, concurrency: int = 1, quiet: bool = False,
           prevent_thread_lock: bool = False, auth: list[tuple[str, str]] | None = None) -> gr.Blocks:
    """Build and serve the app (what `interviewer ui` runs). Returns the running Blocks. `auth`: the
    (user, password) pairs of Gradio's login page; None serves without a login."""
    app = create_app(settings, concurrency=concurrency)
    app.launch(server_name=host, server_port=port, share=share, inbrowser=open_browser, quiet=quiet,
               prevent_thread_lock=prevent_thread_lock, auth=auth or None, **launch_kwargs())
    return app
