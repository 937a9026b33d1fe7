"""The page shows a review when it lands, without the candidate doing anything: while the Interview tab shows a
live grade whose review is outstanding, a timer polls the session read-only (`Service.look`, token checked) and
the score card (and a finished interview's report) is redrawn once the review is in; the poll stops when nothing
shown is provisional.

Driven through the tab's own handlers on a real Gradio Blocks and a real SQLite store, with the scripted model
as the live grader and a gated scripted model as the review model (its calls wait until the test opens the gate,
so "the review has not landed yet" is a state the test holds, not a race)."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import gradio as gr
import pytest
from fakes import ScriptedModel, backend

from interviewer.engine import InterviewConfig
from interviewer.engine.reviews import review_queue
from interviewer.errors import SessionNotFound
from interviewer.settings import Settings
from interviewer.ui import render
from interviewer.ui.page import EMPTY_STATE, Page, remember
from interviewer.ui.service import Service
from interviewer.ui.tab_interview import InterviewTab
from interviewer.ui.tab_report import ReportTab

ANSWER = ("Retrieval quality depends on chunking: I split documents into overlapping chunks of a few hundred "
          "tokens, embed them, and rerank the top results with a cross-encoder before they reach the prompt.")


class GatedModel(ScriptedModel):
    """A scripted model whose every call waits for `gate` (the review model of these tests)."""

    def __init__(self, name: str, gate: threading.Event) -> None:
        super().__init__(name)
        self.gate = gate

    def _choose(self, messages, options):
        assert self.gate.wait(60), "the test never opened the review's gate"
        return super()._choose(messages, options)

    def _chat(self, messages, *, max_tokens, temperature):
        assert self.gate.wait(60), "the test never opened the review's gate"
        return super()._chat(messages, max_tokens=max_tokens, temperature=temperature)


@pytest.fixture
def gate() -> Iterator[threading.Event]:
    """The review model's gate; opened at the end whatever happened, and the process's review queue drained, so
    no later test waits behind a review held here."""
    event = threading.Event()
    with backend("fake", lambda name, spec, settings: ScriptedModel(name)), \
            backend("gated", lambda name, spec, settings: GatedModel(name, event)):
        try:
            yield event
        finally:
            event.set()
            for sid in _SESSIONS:
                review_queue().wait(sid, 60)
            _SESSIONS.clear()


_SESSIONS: list[str] = []


def build(service: Service) -> InterviewTab:
    """The Interview and Report tabs as create_app builds them (a real gr.Blocks, not started)."""
    with gr.Blocks():
        bstate = gr.BrowserState(dict(EMPTY_STATE))
        with gr.Tabs() as tabs:
            tab = InterviewTab(Page(service, bstate, tabs))
            report = ReportTab(service)
        tab.wire(report)
    return tab


def last(updates: Iterator[dict]) -> dict:
    """What a streaming handler leaves on the page: each component's latest update."""
    out: dict = {}
    for update in updates:
        out |= update
    return out


def active(update: dict, tab: InterviewTab) -> bool | None:
    """Whether an update starts (True) or stops (False) the review timer; None when it leaves it alone."""
    timer = update.get(tab.timer)
    return None if timer is None else bool(timer.active)


def apply_poll(fresh: dict | None, card_now: str) -> str:
    """What the browser does with a poll's card (APPLY_POLL): put it in only over the card the poll read."""
    return fresh["card"] if fresh and fresh["seen"] == card_now else card_now


def start(tab: InterviewTab, questions: int) -> tuple[dict, str]:
    """A started interview: (the browser state, the card shown)."""
    view, _ = tab.service.start(InterviewConfig(questions=questions, max_followups=0, seed=5))
    _SESSIONS.append(view.session_id)
    return remember(None, view.session_id, view.token, None), render.card_or_waiting(view.card)


def answer(tab: InterviewTab, b: dict, card: str) -> tuple[dict, str]:
    """The candidate answers through the tab's submit handler: (its updates, the card left shown)."""
    out = last(tab.on_submit(b, ANSWER, "", "", []))
    return out, out.get(tab.card, card)


def service() -> Service:
    return Service(Settings(model="fake:scripted", review_model="gated:review"))


def test_a_provisional_card_becomes_reviewed_after_the_poll_once_the_review_lands(gate):
    tab = build(service())
    b, card = start(tab, questions=2)
    out, card = answer(tab, b, card)

    assert "provisional" in card, "the live grade of the settled question is shown as provisional"
    assert active(out, tab) is True, "the submit's last update starts the review poll"

    # The review has not landed: a poll changes nothing shown and keeps polling.
    polled = tab.on_poll(b, card, "")
    assert polled[tab.fresh] is None and active(polled, tab) is True
    assert tab.chatbot not in polled and tab.answer not in polled, "a poll never writes the chat or the answer"

    gate.set()
    assert review_queue().wait(b["session_id"], 30)

    polled = tab.on_poll(b, card, "")
    shown = apply_poll(polled[tab.fresh], card)
    assert "provisional" not in shown and "Question 1" in shown, "the review replaced the live grade on the card"
    assert active(polled, tab) is False, "nothing is provisional any more: the poll stops"
    assert tab.chatbot not in polled and tab.answer not in polled and tab.status not in polled

    # The browser keeps a card drawn after the poll read its own (a submit's "Grading…" card) over the poll's.
    assert apply_poll(polled[tab.fresh], render.card_busy_html()) == render.card_busy_html()
    # And a poll that reads the "Grading…" card (an answer in flight) neither draws a card nor touches the timer.
    assert tab.on_poll(b, render.card_busy_html(), "") == {tab.fresh: None}


def test_a_finished_interviews_report_is_redrawn_when_its_review_lands(gate, monkeypatch):
    from interviewer.engine import session as session_module

    monkeypatch.setattr(session_module, "REPORT_WAIT_S", 0.2)  # the last answer does not wait for its review
    tab = build(service())
    b, card = start(tab, questions=1)
    out, card = answer(tab, b, card)
    head = out[tab.report.head]["value"]
    assert "1 under review (provisional)" in head and active(out, tab) is True

    polled = tab.on_poll(b, card, head)
    assert tab.report.head not in polled, "the report is redrawn only when it changed"

    gate.set()
    assert review_queue().wait(b["session_id"], 30)
    polled = tab.on_poll(b, card, head)
    assert "provisional" not in polled[tab.report.head]["value"]
    assert "provisional" not in apply_poll(polled[tab.fresh], card)
    assert active(polled, tab) is False

    # A report of another session, opened from History meanwhile, is left alone.
    other = head.replace(b["session_id"], "20000101-0000-abcdef")
    assert tab.report.head not in tab.on_poll(b, card, other)


def test_a_poll_with_a_wrong_token_is_refused(gate):
    tab = build(service())
    b, card = start(tab, questions=2)
    _, card = answer(tab, b, card)
    assert "provisional" in card

    wrong = b | {"token": "not-the-token", "owned": {}}
    with pytest.raises(SessionNotFound):
        tab.service.look(b["session_id"], "not-the-token")
    polled = tab.on_poll(wrong, render.card_waiting_html(), "")
    assert polled == {tab.fresh: None, tab.timer: polled[tab.timer]} and active(polled, tab) is False
    # Another browser's owned list does not help either: only the session's own token opens it.
    assert active(tab.on_poll(dict(EMPTY_STATE) | {"session_id": b["session_id"]}, card, ""), tab) is False


def test_the_poll_stops_when_nothing_is_provisional(gate):
    tab = build(service())
    b, card = start(tab, questions=2)
    out = last(tab.on_command("/skip")(b, "", "", []))  # a skipped question is not reviewed
    card = out.get(tab.card, card)
    assert "provisional" not in card and active(out, tab) is False
    polled = tab.on_poll(b, card, "")
    assert polled[tab.fresh] is None and active(polled, tab) is False
    assert not tab.service.look(b["session_id"], b["token"]).provisional


# -- the real page ------------------------------------------------------------------------------------------
# `interviewer ui` with the tiny real model (its review runs on it too) in a real headless Chromium: the fixtures
# of test_ui_browser.py (a server of this module's own).
from test_ui_browser import browser, diagnose, good_answer, open_page, server  # noqa: E402,F401
from test_ui_browser import start as start_page  # noqa: E402

SAW_PROVISIONAL = """() => {
    window.__sawProvisional = false;
    const seen = () => { if ((document.querySelector('#score-card') || {}).textContent?.includes('provisional'))
                         window.__sawProvisional = true; };
    new MutationObserver(seen).observe(document.body, {subtree: true, childList: true, characterData: true});
}"""


@pytest.mark.slow
def test_the_page_shows_the_review_when_it_lands(browser, server, diagnose):
    """The card says "provisional" after the answer, then shows the review once it lands, while the candidate
    only types the next answer (which the poll leaves alone), with the feedback they opened still open."""
    from playwright.sync_api import expect

    page = open_page(browser, server)
    diagnose.append(page)
    start_page(page, ["RAG & Embeddings"], questions=2, followups=0)
    page.evaluate(SAW_PROVISIONAL)
    box = page.locator("#answer-box textarea")
    box.fill(good_answer(page))
    page.click("#submit-btn")
    expect(page.locator("#iv-header")).to_contain_text("Question 2 of 2")
    expect(page.locator("#submit-btn")).to_be_enabled()
    card = page.locator("#score-card")
    expect(card).to_contain_text("Question 1")

    draft = "Next answer, being typed"  # nothing is sent: the page must not clear or replace it
    box.fill(draft)
    card.locator("summary").click()
    expect(card).not_to_contain_text("provisional")  # no action of the candidate's: the poll drew the review
    assert page.evaluate("window.__sawProvisional") is True, "the live grade was shown as provisional first"
    expect(card).to_contain_text("Question 1")
    expect(card.locator("details.iv-feedback")).to_have_attribute("open", "")
    assert box.input_value() == draft
    expect(page.locator("#iv-header")).to_contain_text("Question 2 of 2")
    assert page.errors == []
