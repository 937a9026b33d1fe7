"""The web UI in a real headless Chromium (Debian's, driven by Playwright) against `interviewer ui` running
the tiny real model: a whole interview, script injection shown as text, a reload that resumes, downloads,
history, two tabs at once, and phone width. Saves screenshots of the setup, the interview and the report to
test-artifacts/screenshots/ (set UPDATE_SCREENSHOTS=1 to refresh the README's copies in docs/screenshots/)."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest
from test_ui_api import start_ui_server

ROOT = Path(__file__).resolve().parents[1]
SHOTS = ROOT / ("docs" if os.environ.get("UPDATE_SCREENSHOTS") else "test-artifacts") / "screenshots"
DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run", "--disable-quic"]
XSS = '<script>window.__xss=1</script> <img src=x onerror="window.__xss=1">'
ANSWER_2 = "I would start from the requirements and measure before choosing.\n" + XSS
WAIT = 420_000  # ms; only a safety net for slow grading on a busy CPU, never an assertion

pytestmark = pytest.mark.slow


def chromium_path() -> str:
    path = os.environ.get("CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")
    if not path:
        pytest.fail("Chromium is missing: `apt-get install chromium` (the CI script .ci/run installs it)")
    return path


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    s = start_ui_server(tmp_path_factory, "ui-browser")
    yield s
    s.stop()


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import expect, sync_playwright

    expect.set_options(timeout=WAIT)

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture
def diagnose(server, request):
    """On failure, print what the page's status line said and the server's log."""
    pages: list = []
    before = request.session.testsfailed
    yield pages
    if request.session.testsfailed > before:  # the call's report is counted before teardown runs
        for page in pages:
            try:
                print(f"\n--- {page.url} status: {page.locator('#iv-status').inner_text(timeout=2000)!r}")
                print("--- chat tail:", page.locator("#chat").inner_text(timeout=2000)[-1500:])
            except Exception as e:  # noqa: BLE001 - diagnostics only
                print("--- page unreadable:", e)
        print("--- server log tail:\n" + server.output()[-4000:])


def open_page(browser, server, viewport=DESKTOP, context=None):
    context = context or browser.new_context(viewport=viewport, accept_downloads=True)
    page = context.new_page()
    page.set_default_timeout(WAIT)
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.errors = errors
    page.goto(server.url)
    page.locator("#start-btn, #iv-header").first.wait_for()
    return page


def set_number(page, label: str, value: int) -> None:
    """Type a slider's number. A slider drawn again while the page settles (under load, after the first fill)
    shows its first value again, so the value is typed until it holds; `start` checks it once more."""
    from playwright.sync_api import expect

    box = page.get_by_label(f"number input for {label}")
    for _ in range(3):
        box.fill(str(value))
        box.press("Tab")
        try:
            expect(box).to_have_value(str(value), timeout=3000)
            page.wait_for_timeout(300)  # the value still holds a moment later
            if box.input_value() == str(value):
                return
        except AssertionError:
            pass
    expect(box).to_have_value(str(value))


def start(page, categories: list[str], questions: int, followups: int = 0, shot: str | None = None) -> None:
    from playwright.sync_api import expect

    expect(page.locator("#start-btn")).to_be_enabled()
    for c in categories:
        page.get_by_label(c, exact=False).first.check()
    set_number(page, "Number of questions", questions)
    page.get_by_text("More options").click()
    set_number(page, "Follow-ups per question at most", followups)
    expect(page.get_by_label("number input for Number of questions")).to_have_value(str(questions))
    expect(page.get_by_label("number input for Follow-ups per question at most")).to_have_value(str(followups))
    if shot:
        page.get_by_text("More options").click()  # closed again: the screenshot shows the main choices
        screenshot(page, shot)
    page.click("#start-btn")
    expect(page.locator("#iv-header")).to_contain_text(f"Question 1 of {questions}")
    expect(page.locator("#submit-btn")).to_be_enabled()


def chat_text(page) -> str:
    return page.locator("#chat").inner_text()


def good_answer(page) -> str:
    """A strong answer to the question on screen: its rubric's first points, from the bank."""
    from interviewer.bank.storage import load_bank

    shown = " ".join(chat_text(page).split())
    asked = [q for q in load_bank(include_user=False).questions.values() if " ".join(q.question.split())[:60] in shown]
    assert asked, "the question on screen is not in the bank"
    return " ".join(c.point for c in asked[-1].rubric.criteria[:4])


def screenshot(page, name: str) -> None:
    page.evaluate("window.scrollTo(0, 0)")
    page.screenshot(path=str(SHOTS / name))


def watch_status(page) -> None:
    """Record whether the status line ever says it is grading (a MutationObserver, so no timing matters)."""
    page.evaluate("""() => {
        window.__sawGrading = false;
        const seen = () => { if ((document.querySelector('#iv-status') || {}).textContent?.includes('Grading'))
                             window.__sawGrading = true; };
        new MutationObserver(seen).observe(document.body, {subtree: true, childList: true, characterData: true});
    }""")


def check_injection_is_text(page) -> None:
    """The injection attempt is shown as text, in the report and in the chat, and runs nothing."""
    from playwright.sync_api import expect

    details = page.locator("#report-details")
    expect(details).to_contain_text("<script>window.__xss=1</script>")
    expect(details).to_contain_text('<img src=x onerror="window.__xss=1">')
    page.get_by_role("tab", name="Interview").click()
    text = chat_text(page)
    assert "<script>window.__xss=1</script>" in text and '<img src=x onerror="window.__xss=1">' in text
    assert page.locator("#chat img[src='x'], #chat script, #report-details img[src='x']").count() == 0
    assert page.evaluate("typeof window.__xss") == "undefined"
    expect(page.locator("#iv-header")).to_contain_text("Interview finished")


def check_downloads(page, sid: str, answer_1: str) -> None:
    """Downloads: the transcript as Markdown and as JSON."""
    with page.expect_download() as md_download:
        page.click("#dl-md")
    md = Path(md_download.value.path()).read_text(encoding="utf-8")
    assert md.startswith("# Interview report") and sid in md
    assert "## Transcript" in md and XSS in md and answer_1.split(".")[0] in md and "Reference answer" in md
    with page.expect_download() as json_download:
        page.click("#dl-json")
    data = json.loads(Path(json_download.value.path()).read_text(encoding="utf-8"))
    assert data["session"]["id"] == sid and data["report"]["answered"] == 2
    assert [m["text"] for m in data["messages"] if m["role"] == "candidate" and m["kind"] == "answer"] == [
        answer_1, ANSWER_2]
    assert len(data["transcript"]) == 2


def test_whole_interview(browser, server, diagnose):
    from playwright.sync_api import expect

    SHOTS.mkdir(parents=True, exist_ok=True)
    page = open_page(browser, server)
    diagnose.append(page)
    start(page, ["Agents & Tool Use", "RAG & Embeddings"], questions=2, followups=0, shot="setup.png")
    assert "Question 1 of 2" in chat_text(page)
    sid = page.locator("#iv-header .iv-meta").inner_text().split()[1]

    # Answer with Ctrl+Enter (Enter alone is a newline); the page says it is grading, then shows the score card.
    watch_status(page)
    answer_1 = good_answer(page)
    box = page.locator("#answer-box textarea")
    box.fill(answer_1)
    box.press("Enter")
    expect(page.locator("#submit-btn")).to_be_enabled()
    assert box.input_value() == answer_1 + "\n"
    box.press("Control+Enter")
    card = page.locator("#score-card")
    expect(card.locator(".iv-score-num")).to_be_visible()
    expect(page.locator("#iv-header")).to_contain_text("Question 2 of 2")
    expect(page.locator("#submit-btn")).to_be_enabled()
    assert page.evaluate("window.__sawGrading") is True
    expect(card).to_contain_text("/10")
    expect(card).to_contain_text("Question 1")
    assert card.locator(".iv-crit").count() >= 1
    card.locator("summary").click()  # the feedback is collapsible
    expect(card.locator("details.iv-feedback")).to_have_attribute("open", "")
    assert answer_1.split(".")[0] in chat_text(page)
    screenshot(page, "interview.png")

    # A reload resumes the same interview where it was.
    page.reload()
    expect(page.locator("#iv-header")).to_contain_text("Question 2 of 2")
    expect(page.locator("#iv-header")).to_contain_text(sid)
    expect(page.locator("#submit-btn")).to_be_enabled()
    assert answer_1.split(".")[0] in chat_text(page)
    expect(page.locator("#score-card .iv-score-num")).to_be_visible()

    # A clarifying question is answered (not graded), and the Hint button gives a hint; the question stays open.
    page.fill("#answer-box textarea", "Could you clarify: do you want the math or the intuition?")
    page.click("#submit-btn")
    expect(page.locator("#chat")).to_contain_text("Good question.")
    expect(page.locator("#submit-btn")).to_be_enabled()
    page.click("#hint-btn")
    expect(page.locator("#chat")).to_contain_text("Here's a hint:")
    expect(page.locator("#submit-btn")).to_be_enabled()
    page.fill("#answer-box textarea", "how many questions are left?")
    page.click("#submit-btn")
    expect(page.locator("#chat")).to_contain_text("We're on question 2 of 2")
    expect(page.locator("#submit-btn")).to_be_enabled()
    expect(page.locator("#iv-header")).to_contain_text("Question 2 of 2")

    # Repeat the question, then answer it with an injection attempt, sent with the Submit button.
    page.click("#repeat-btn")
    expect(page.locator("#chat")).to_contain_text("here it is again")
    expect(page.locator("#submit-btn")).to_be_enabled()
    page.fill("#answer-box textarea", ANSWER_2)
    page.click("#submit-btn")

    # The last answer ends the interview and the report opens.
    head = page.locator("#report-head")
    expect(head).to_be_visible()
    expect(head).to_contain_text("/10 overall")
    expect(head).to_contain_text("2 of 2 answered")
    details = page.locator("#report-details")
    expect(details).to_contain_text("Reference answer")
    screenshot(page, "report.png")

    check_injection_is_text(page)
    page.get_by_role("button", name="See the report").click()
    check_downloads(page, sid, answer_1)

    # History lists the session and reopens its report.
    page.get_by_role("tab", name="History").click()
    expect(page.locator("#history-table")).to_contain_text(sid)
    page.get_by_role("button", name="Open report").click()
    expect(page.locator("#report-head")).to_contain_text(sid)

    # After a reload a finished interview is not resumed: the setup is back and the report stays at hand.
    page.reload()
    expect(page.locator("#start-btn")).to_be_visible()
    expect(page.locator("#setup-note")).to_contain_text("is finished")
    assert page.evaluate("typeof window.__xss") == "undefined"
    assert page.errors == []


def test_two_tabs_interview_at_once(browser, server, diagnose):
    """Two tabs of one browser run their own interviews; a reload brings each tab back to its own."""
    from playwright.sync_api import expect

    context = browser.new_context(viewport=DESKTOP)
    one = open_page(browser, server, context=context)
    two = open_page(browser, server, context=context)
    diagnose.extend([one, two])
    start(one, ["MLOps"], questions=2)
    start(two, ["Vector Databases"], questions=2)
    expect(one.locator("#iv-header")).to_contain_text("MLOps")
    expect(two.locator("#iv-header")).to_contain_text("Vector Databases")
    two.click("#skip-btn")
    expect(two.locator("#iv-header")).to_contain_text("Question 2 of 2")
    expect(one.locator("#iv-header")).to_contain_text("Question 1 of 2")
    assert "skipping this one" not in chat_text(one) and "Vector Databases" not in chat_text(one)
    one.reload()
    expect(one.locator("#iv-header")).to_contain_text("MLOps")
    expect(one.locator("#iv-header")).to_contain_text("Question 1 of 2")
    expect(one.locator("#submit-btn")).to_be_enabled()
    # After the reload, the tab acts on its own interview, not on the one the other tab started last.
    one.click("#skip-btn")
    expect(one.locator("#iv-header")).to_contain_text("Question 2 of 2")
    expect(one.locator("#iv-header")).to_contain_text("MLOps")
    two.reload()
    expect(two.locator("#iv-header")).to_contain_text("Vector Databases")
    expect(two.locator("#iv-header")).to_contain_text("Question 2 of 2")
    assert "MLOps" not in chat_text(two)
    # End finishes early with a report; the other tab carries on.
    expect(two.locator("#submit-btn")).to_be_enabled()
    two.click("#end-btn")
    expect(two.locator("#report-head")).to_contain_text("ended early")
    expect(one.locator("#iv-header")).to_contain_text("Question 2 of 2")
    expect(one.locator("#submit-btn")).to_be_enabled()
    # A separate browser (another user) starts clean.
    other = open_page(browser, server)
    expect(other.locator("#start-btn")).to_be_visible()
    assert other.locator("#iv-header").is_hidden()
    context.close()


def test_phone_width_and_keyboard(browser, server, diagnose):
    from playwright.sync_api import expect

    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True)
    page = open_page(browser, server, context=context)
    diagnose.append(page)
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    start(page, ["Responsible AI"], questions=1)
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    # Keyboard only: Tab from the answer box reaches the microphone controls under it, then the Submit button.
    page.locator("#answer-box textarea").focus()
    visited = []
    for _ in range(5):
        page.keyboard.press("Tab")
        visited.append(page.evaluate("document.activeElement.id"))
        if visited[-1] == "submit-btn":
            break
    assert visited == ["voice-btn", "voice-autostop", "voice-tts", "submit-btn"], visited
    page.click("#skip-btn")
    expect(page.locator("#report-head")).to_be_visible()
    expect(page.locator("#report-details")).to_contain_text("Reference answer")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    page.get_by_role("tab", name="History").click()
    expect(page.locator("#history-table table")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    context.close()
