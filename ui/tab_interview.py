"""The Interview tab: the setup panel, then the live interview (chat, status line, answer box, score card).

Every handler draws what the service returns: the engine's `Reply` (its new messages end the transcript, so
the chat before them is known without comparing texts) and `View` (status, transcript, score card).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from typing import Any

import gradio as gr

from interviewer.engine import InterviewConfig, Reply
from interviewer.errors import SessionNotFound
from . import render
from .page import (
    DRAFTS_QUEUE, EMPTY_STATE, PRIVATE, SESSIONS_QUEUE, Page, asset, fail, first_key, forget, grading_queue, owned_of,
    remember,
)
from .service import COMMANDS, Source, View, model_name
from .tab_report import ReportTab
from .voice import Voice

STREAM_DELAY = 0.03  # seconds between streamed chunks of the interviewer's words
# Key fields: no autofill, and no offer from the browser's password manager to save what was typed.
NO_SAVE = gr.InputHTMLAttributes(autocomplete="new-password", autocorrect="off", autocapitalize="off",
                                 spellcheck=False)
GRADING = "Grading your answer against the rubric…"
#: Seconds between the page's looks at a session while a review it shows as provisional is outstanding.
REVIEW_POLL_S = 3.0
# The poll's card goes in only if the card is still the one the poll read (a compare-and-set in the browser, at
# the moment its answer arrives): a card drawn since, by a submit (the "Grading…" card) or any other handler,
# is never overwritten by an older look. Feedback the candidate opened stays open.
APPLY_POLL = """(fresh, now) => {
  if (!fresh || fresh.seen !== now) return now;
  const open = document.querySelector('#score-card details.iv-feedback')?.open;
  return open ? fresh.card.replace('<details class="iv-feedback">', '<details class="iv-feedback" open>') : fresh.card;
}"""


class InterviewTab:
    """Built inside the page's gr.Tabs; `wire(report)` connects its events once the report tab exists (a
    finished interview fills it)."""

    report: ReportTab

    def __init__(self, page: Page) -> None:
        self.page, self.service = page, page.service
        self.voice = Voice(self.service)  # the microphone's takes and route (voice.py)
        self.key_info = ("Kept in memory for this browser tab only: never saved to disk, the database, logs or the "
                         "browser." + (" Leave empty to use the server's key." if self.service.has_server_key()
                                       else ""))
        with gr.Tab("Interview", id="interview"):
            self._build_setup()
            self._build_live()

    # -- layout ------------------------------------------------------------------------------------------------
    def _build_setup(self) -> None:
        """Only what the server offers (offer.py): the GGUF path field is editable only where the owner allows
        folders of model files, and the base URL field is there only where the owner allows endpoints."""
        source0, packaged0, gguf0, endpoint0 = self.service.default_model()
        offer = self.service.offer
        packaged_choices = self.service.packaged_models()
        if packaged0 and packaged0 not in [v for _, v in packaged_choices]:
            packaged_choices.append((packaged0, packaged0))
        folders = ", ".join(str(d) for d in offer.model_dirs)
        urls = ", ".join(str(u) for u in offer.endpoints)
        with gr.Column(visible=True, elem_id="setup") as self.setup_col:
            self.setup_note = gr.HTML("", js_on_load=None, visible=False, elem_id="setup-note")
            self.categories = gr.CheckboxGroup(self.service.categories(), value=[], label="Categories",
                                               info="Tick the topics to be asked about; none ticked means all.")
            with gr.Row():
                self.questions = gr.Slider(1, 20, value=5, step=1, label="Number of questions", min_width=240)
                self.level = gr.Radio(render.LEVELS, value="senior", label="Level", min_width=240,
                                      info="adaptive follows your running score")
            with gr.Group():
                self.source = gr.Radio([s.value for s in self.service.sources()], value=source0.value,
                                       label="Grading model")
                self.packaged = gr.Dropdown(packaged_choices, value=packaged0, label="Packaged model",
                                            visible=source0 == Source.PACKAGED, allow_custom_value=True)
                self.gguf = gr.Textbox(value=gguf0 or "", label="GGUF file path", placeholder="/path/to/model.gguf",
                                       visible=source0 == Source.GGUF, interactive=offer.files,
                                       info=f"A .gguf file in: {folders}" if offer.files else "The server's model.")
                with gr.Column(visible=source0 == Source.ENDPOINT) as self.endpoint_col:
                    self.base_url = gr.Textbox(
                        value="", label="Base URL", visible=bool(offer.endpoints),
                        placeholder="empty: the server's endpoint" if offer.own_endpoint else "http://host:port/v1",
                        info=f"This server allows: {urls}" + (", or empty for its own endpoint."
                                                               if offer.own_endpoint else "."))
                    self.endpoint_model = gr.Textbox(value=endpoint0 or "", label="Model name",
                                                     placeholder="gpt-4o-mini")
                    self.api_key = gr.Textbox(label="API key", type="password", info=self.key_info,
                                              placeholder="sk-…", html_attributes=NO_SAVE)
            with gr.Accordion("More options", open=False):
                self.followups = gr.Slider(0, 5, value=2, step=1, label="Follow-ups per question at most")
                self.lexical = gr.Checkbox(False, label="Model-free grading (fast, less accurate; loads no model)")
            self.start_btn = gr.Button("Start interview", variant="primary", elem_id="start-btn")

    def _build_live(self) -> None:
        with gr.Column(visible=False, elem_id="interview") as self.interview_col:
            self.header = gr.HTML("", js_on_load=None, elem_id="iv-header")
            with gr.Row(equal_height=False):
                with gr.Column(scale=3, min_width=320):
                    self.chatbot = gr.Chatbot(
                        label="Interview", show_label=False, elem_id="chat", height=320, layout="bubble",
                        sanitize_html=True, render_markdown=True, latex_delimiters=[], allow_tags=False,
                        feedback_options=None, buttons=["copy_all"], group_consecutive_messages=False,
                    )
                    self.status = gr.HTML(render.status_html("idle", render.IDLE_HINT), js_on_load=None,
                                          elem_id="iv-status")
                    with gr.Column(elem_id="answer-area") as self.answer_col:
                        self.answer = gr.Textbox(label="Your answer", lines=3, max_lines=14, elem_id="answer-box",
                                                 placeholder="Type your answer. Enter adds a new line; Ctrl+Enter "
                                                 "submits.")
                        self.voice_panel = self.voice.panel(asset("voice.js"))
                        with gr.Row(elem_id="iv-actions"):
                            self.submit_btn = gr.Button("Submit answer", variant="primary", elem_id="submit-btn",
                                                        scale=2)
                            self.hint_btn = gr.Button("Hint", elem_id="hint-btn")
                            self.skip_btn = gr.Button("Skip", elem_id="skip-btn")
                            self.repeat_btn = gr.Button("Repeat", elem_id="repeat-btn")
                            self.end_btn = gr.Button("End", variant="stop", elem_id="end-btn")
                        with gr.Row(visible=False) as self.key_row:
                            self.key_again = gr.Textbox(label="API key for this session's endpoint", type="password",
                                                        info=self.key_info, scale=3, html_attributes=NO_SAVE)
                    with gr.Row(visible=False) as self.done_row:
                        self.report_btn = gr.Button("See the report", variant="primary", elem_id="report-btn")
                        self.new_btn = gr.Button("Start a new interview", elem_id="new-btn")
                with gr.Column(scale=2, min_width=280):
                    self.card = gr.HTML(render.card_waiting_html(), js_on_load=None, elem_id="score-card")
        # While the page shows a live grade whose review is outstanding, it looks again every few seconds
        # (on_poll); stopped otherwise. `fresh` carries the card a poll drew to the browser (see APPLY_POLL).
        self.timer = gr.Timer(REVIEW_POLL_S, active=False)
        self.fresh = gr.JSON(None, visible=False)

    @property
    def controls(self) -> list:
        return [self.answer, self.submit_btn, self.hint_btn, self.skip_btn, self.repeat_btn, self.end_btn]

    @property
    def outputs(self) -> list:
        """Everything a handler of this tab may change (the report tab's too: a finished interview fills it)."""
        return [self.page.bstate, self.page.tabs, self.setup_col, self.setup_note, self.start_btn,
                self.interview_col, self.header, self.chatbot, self.status, self.key_row, self.answer_col,
                self.done_row, self.card, self.timer, *self.controls, *self.report.outputs]

    # -- events --------------------------------------------------------------------------------------------------
    def wire(self, report: ReportTab) -> None:
        self.report = report
        page, out = self.page, self.outputs
        # While an answer waits in the queue, the score card shows its place in the queue.
        progress: dict[str, Any] = {"show_progress": "full", "show_progress_on": [self.card], "js": asset("sent.js")}
        grading = grading_queue(page.concurrency)
        keys = [self.api_key, self.key_again]
        self.source.change(self.on_source, self.source, [self.packaged, self.gguf, self.endpoint_col], queue=False,
                           **PRIVATE)
        self.start_btn.click(self.on_start, [page.bstate, self.categories, self.questions, self.level, self.source,
                                             self.packaged, self.gguf, self.base_url, self.endpoint_model,
                                             self.api_key, self.followups, self.lexical], out,
                             show_progress="minimal", show_progress_on=[self.start_btn], **SESSIONS_QUEUE, **PRIVATE)
        # While the candidate types, the grader reads ahead (the latest draft only; never blocks the page).
        self.answer.input(self.on_draft, [page.bstate, self.answer, *keys], None, trigger_mode="always_last",
                          show_progress="hidden", **DRAFTS_QUEUE, **PRIVATE)
        for event in (self.submit_btn.click, self.answer.submit):
            event(self.on_submit, [page.bstate, self.answer, *keys, self.chatbot], out, **progress, **grading,
                  **PRIVATE)
        for button, command in ((self.hint_btn, "hint"), (self.skip_btn, "skip"), (self.repeat_btn, "repeat"),
                                (self.end_btn, "end")):
            button.click(self.on_command(COMMANDS[command]), [page.bstate, *keys, self.chatbot], out, **progress,
                         **grading, **PRIVATE)
        self.new_btn.click(self.on_new, None, out, queue=False, **PRIVATE)
        # The review poll. It writes neither the chat nor the answer box nor the controls (a review changes none
        # of them), only the score card (through APPLY_POLL, so never over a card drawn since) and, once the
        # interview is over, the report. queue=False: a poll is one cheap read (no model), so it takes no place
        # in the queue (never waits behind grading, never counts towards its size) and nothing waits behind it;
        # trigger_mode "once" drops ticks while a poll runs, so polls never pile up. A submit stops the timer when
        # it starts and its last update starts it again if its card is provisional.
        self.timer.tick(self.on_poll, [page.bstate, self.card, report.head], [self.fresh, self.timer, *report.outputs],
                        queue=False, trigger_mode="once", show_progress="hidden", **PRIVATE
                        ).then(None, [self.fresh, self.card], self.card, js=APPLY_POLL, queue=False,
                               show_progress="hidden", **PRIVATE)
        self.report_btn.click(lambda: gr.Tabs(selected="report"), None, page.tabs, queue=False, **PRIVATE)

    # -- view updates --------------------------------------------------------------------------------------------
    def controls_update(self, enabled: bool) -> dict:
        return {c: gr.update(interactive=enabled) for c in self.controls}

    def header_for(self, view: View) -> str:
        s = view.status
        return render.header_html(s.position, s.total, s.category, view.row.get("started_at"), done=s.done,
                                  finished_at=view.row.get("finished_at"), session_id=view.session_id,
                                  model=view.model or "model-free grading")

    def poll_for(self, view: View) -> dict:
        """The review poll runs while the view shows a provisional grade (a poll stops it once none is due)."""
        return {self.timer: gr.Timer(active=view.provisional)}

    def setup_view(self, note: str = "", kind: str = "ok") -> dict:
        return {self.setup_col: gr.update(visible=True), self.interview_col: gr.update(visible=False),
                self.timer: gr.Timer(active=False),
                self.setup_note: gr.update(value=render.status_html(kind, note) if note else "", visible=bool(note)),
                self.start_btn: gr.update(interactive=True, value="Start interview")}

    def interview_view(self, view: View, *, key_needed: bool = False) -> dict:
        out = {self.setup_col: gr.update(visible=False), self.interview_col: gr.update(visible=True),
               self.header: self.header_for(view), self.key_row: gr.update(visible=key_needed and not view.done),
               self.answer_col: gr.update(visible=not view.done), self.done_row: gr.update(visible=view.done)}
        return out | self.controls_update(not view.done) | self.poll_for(view)

    def finished(self, view: View) -> dict:
        """The interview is over: its report fills the Report tab, which opens."""
        return self.interview_view(view) | self.report.show(view) | {
            self.page.tabs: gr.Tabs(selected="report"), self.card: render.card_or_waiting(view.card),
            self.chatbot: render.chat_messages(view.messages),
            self.status: render.status_html("ok", "The interview is over: your report is in the Report tab.")}

    def key_needed(self, view: View, *keys: str) -> bool:
        return view.needs_key() and not first_key(*keys) and not self.service.has_server_key()

    def stream(self, view: View, reply: Reply | None, extra: dict) -> Iterator[dict]:
        """The chat before the reply, then the reply's messages a few words at a time."""
        chat = render.chat_messages(view.before(reply))
        yield extra | {self.chatbot: list(chat)}
        for message in reply.messages if reply else []:
            full = render.chat_message(message)
            chat.append(dict(full, content=""))
            for part in render.words(full["content"]):
                chat[-1] = dict(full, content=part)
                yield extra | {self.chatbot: list(chat)}
                time.sleep(STREAM_DELAY)

    # -- handlers ------------------------------------------------------------------------------------------------
    def on_source(self, choice: str) -> dict:
        return {self.packaged: gr.update(visible=choice == Source.PACKAGED),
                self.gguf: gr.update(visible=choice == Source.GGUF),
                self.endpoint_col: gr.update(visible=choice == Source.ENDPOINT)}

    def on_start(self, b: dict | None, cats: list[str], n: float, lvl: str, src: str, pkg: str | None, path: str,
                 url: str, endpoint: str, key: str, fups: float, lex: bool) -> Iterator[dict]:
        yield {self.start_btn: gr.update(interactive=False, value="Starting…"),
               self.setup_note: gr.update(value=render.status_html("busy", "Loading the model and choosing your "
                                                                   "questions…"), visible=True)}
        endpoint_chosen = src == Source.ENDPOINT
        try:
            config = InterviewConfig(categories=cats or [], questions=int(n), level=lvl, lexical=bool(lex),
                                     model=None if lex else model_name(src, pkg, path, endpoint),
                                     max_followups=int(fups))
            view, reply = self.service.start(config, base_url=url if endpoint_chosen else None,
                                             api_key=key if endpoint_chosen else None)
        except Exception as e:  # noqa: BLE001 - shown to the user, the page stays usable
            yield self.setup_view(fail(e, key, "Starting the interview"), "error")
            return
        state = remember(b, view.session_id, view.token, (url or "").strip() or None if endpoint_chosen else None)
        base = self.interview_view(view) | self.controls_update(False) | {
            self.page.bstate: state, self.card: render.card_waiting_html(), self.answer: "",
            self.status: render.status_html("busy", "The interviewer is speaking…")}
        yield from self.stream(view, reply, base)
        yield self.interview_view(view) | {self.status: render.status_html("idle", render.IDLE_HINT),
                                           self.chatbot: render.chat_messages(view.messages)}

    def on_draft(self, b: dict | None, text: str, k1: str, k2: str) -> None:
        b = b or {}
        sid = b.get("session_id")
        if sid:
            self.service.warm(sid, b.get("token"), text or "", base_url=b.get("base_url"), api_key=first_key(k1, k2))

    def on_submit(self, b: dict | None, text: str, k1: str, k2: str, chat_now: list[dict] | None) -> Iterator[dict]:
        yield from self.run_answer(b, text, (k1, k2), chat_now, command=None)

    def on_command(self, command: str) -> Callable[[dict | None, str, str, list[dict] | None], Iterator[dict]]:
        def handler(b: dict | None, k1: str, k2: str, chat_now: list[dict] | None) -> Iterator[dict]:
            yield from self.run_answer(b, "", (k1, k2), chat_now, command=command)
        return handler

    def run_answer(self, b: dict | None, text: str, keys: tuple[str, ...], chat_now: list[dict] | None,
                   *, command: str | None) -> Iterator[dict]:
        """Send an answer or a command: show it at once, then the interviewer's reply and the score card."""
        b = b or {}
        sid, key = b.get("session_id"), first_key(*keys)
        if not sid:
            yield self.setup_view("No interview is running in this tab: start one.", "error")
            return
        sent = command or (text or "")
        shown = list(chat_now or []) + [render.chat_message({"role": "candidate", "text": sent}),
                                        render.pending_message(GRADING if not command else "One moment…")]
        busy = "Grading your answer… this can take a minute on a CPU." if not command else "One moment…"
        yield self.controls_update(False) | {
            self.timer: gr.Timer(active=False),  # no poll while the answer is graded (the last update restarts it)
            self.chatbot: shown, self.status: render.status_html("busy", busy),
            self.card: render.card_busy_html() if not command else gr.update(),
            self.answer: "" if not command else gr.update()}
        try:
            view, reply = self.service.answer(sid, b.get("token"), sent, base_url=b.get("base_url"), api_key=key)
        except SessionNotFound as e:
            yield self.setup_view(str(e), "error") | {self.page.bstate: forget(b)}
            return
        except Exception as e:  # noqa: BLE001
            yield self.controls_update(True) | {
                self.chatbot: list(chat_now or []), self.answer: text if not command else gr.update(),
                self.status: render.status_html("error", fail(e, key, "Sending the answer") + " Try again."),
                self.card: gr.update(),
                self.timer: gr.Timer(active=True)}  # the card is the one before: a poll redraws it if it is stale
            return
        extra = {self.status: render.status_html("busy", "The interviewer is speaking…"),
                 self.header: self.header_for(view), self.card: render.card_or_waiting(view.card)}
        yield from self.stream(view, reply, extra)
        if view.done:
            yield self.finished(view)
            return
        out = self.interview_view(view, key_needed=self.key_needed(view, *keys)) | {
            self.chatbot: render.chat_messages(view.messages),
            self.status: render.status_html("idle", render.IDLE_HINT)}
        if reply.refused and not command:
            out[self.answer] = text  # nothing was taken: give the text back to edit and resend
        yield out

    def restore(self, b: dict | None, k1: str = "", k2: str = "", *, go: bool = False) -> Iterator[dict]:
        """Show the session the browser remembers: resume it if unfinished, else its report."""
        b = b or {}
        sid = b.get("session_id")
        try:
            view = self.service.look(sid, owned_of(b).get(sid) or b.get("token")) if sid else None
        except SessionNotFound:
            view = None
        except Exception as e:  # noqa: BLE001
            yield self.setup_view(fail(e, None, "Opening the last session"), "error")
            return
        if view is None:
            yield self.setup_view() | {self.page.bstate: forget(b)}
            return
        state = dict(b) | {"session_id": view.session_id, "token": owned_of(b).get(sid) or b.get("token")}
        if view.done:
            out = self.setup_view(f"Your last interview ({view.session_id}) is finished: its report is in the "
                                  "Report tab.") | self.report.show(view) | self.poll_for(view) | {
                self.page.bstate: state}
            yield out | ({self.page.tabs: gr.Tabs(selected="report")} if go else {})
            return
        # The page's own copy of the session id must be the one restored (it may hold another tab's).
        yield self.interview_view(view) | self.controls_update(False) | {
            self.page.bstate: state, self.chatbot: render.chat_messages(view.messages),
            self.card: render.card_or_waiting(view.card),
            self.status: render.status_html("busy", "Resuming your interview…")} | (
            {self.page.tabs: gr.Tabs(selected="interview")} if go else {})
        yield from self.resume(state, k1, k2)

    def resume(self, b: dict, k1: str, k2: str) -> Iterator[dict]:
        """Continue the session (finishing work a crash interrupted) and show what that said."""
        key = first_key(k1, k2)
        try:
            view, reply = self.service.resume(b["session_id"], b.get("token"), base_url=b.get("base_url"),
                                              api_key=key)
        except Exception as e:  # noqa: BLE001
            yield self.controls_update(True) | {self.status: render.status_html("error", fail(e, key, "Resuming"))}
            return
        if view.done:
            yield self.finished(view)
            return
        if reply and reply.messages:
            yield from self.stream(view, reply, {self.header: self.header_for(view)})
        yield self.interview_view(view, key_needed=self.key_needed(view, k1, k2)) | {
            self.chatbot: render.chat_messages(view.messages), self.card: render.card_or_waiting(view.card),
            self.status: render.status_html("idle", "Welcome back: your interview continues. " + render.IDLE_HINT)}

    def on_poll(self, b: dict | None, card_now: str | None, head_now: str | None) -> dict:
        """One look at the tab's session while a review is outstanding (the timer's tick): the score card as it
        now stands, for the browser to put in if the card is still the one read (`fresh`, see APPLY_POLL), and
        the report redrawn if the interview is over and its report changed. Read-only, through `Service.look`,
        which checks the session's token like every other handler (a wrong one stops the poll, showing
        nothing). The poll stops once nothing shown is provisional or no review of the session is outstanding
        (the look after that holds every review that will land)."""
        b = b or {}
        sid = b.get("session_id")
        stop = {self.fresh: None, self.timer: gr.Timer(active=False)}
        if not sid:
            return stop
        if card_now == render.card_busy_html():  # a submit is in flight: its last update draws the card
            return {self.fresh: None}
        try:
            view = self.service.look(sid, owned_of(b).get(sid) or b.get("token"))
        except SessionNotFound:
            return stop
        except Exception as e:  # noqa: BLE001 - a poll never breaks the page; the next action shows the error
            fail(e, None, "Looking for reviews")
            return stop
        card = render.card_or_waiting(view.card)
        out = {self.fresh: {"seen": card_now, "card": card} if card != card_now else None,
               self.timer: gr.Timer(active=view.provisional and view.reviewing > 0)}
        return out | (self.report.refresh(view, head_now) if view.done else {})

    def on_load(self, b: dict | None, k1: str, k2: str) -> Iterator[dict]:
        yield from self.restore(b, k1, k2)

    def on_new(self) -> dict:
        return self.setup_view() | {self.chatbot: [], self.card: render.card_waiting_html(), self.answer: ""}

    def state_for(self, b: dict | None, sid: str, token: str | None) -> dict:
        """The browser state pointed at another of its sessions (History's Resume)."""
        return dict(b or EMPTY_STATE) | {"session_id": sid, "token": token}
