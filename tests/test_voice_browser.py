"""Voice in a real headless Chromium (issue 18): a fake microphone plays a WAV that espeak-ng makes from a known
answer at test time; the page transcribes it into the answer box while it plays (real faster-whisper, the
packaged Whisper base), the answer is submitted and graded (the tiny real model), and the delivery figures are
shown, per answer and in the report. Also: a browser whose microphone is refused gets a clear message and keeps
what was typed."""

from __future__ import annotations

import wave

import pytest
from spoken import espeak_wav
from test_ui_api import start_ui_server
from test_ui_browser import CHROMIUM_ARGS, DESKTOP, SHOTS, WAIT, chromium_path, open_page, start

pytestmark = pytest.mark.slow

SPOKEN = ("The KV cache stores the keys and values of every previous token, so each new token attends to them "
          "without recomputing the whole prefix. Its size grows with the sequence length and the number of layers, "
          "so long contexts need a lot of memory.")
#: Words the transcript must hold (plain words: the accuracy of technical terms is bench/speech.py's job).
HEARD = ["cache", "keys", "token", "prefix", "layers"]
TYPED = "Typed first: "
#: Headless Chromium has no voices: the page's calls to speechSynthesis.speak are recorded instead.
RECORD_SPEECH = """(() => { window.__spoken = [];
  if (window.speechSynthesis) window.speechSynthesis.speak = (u) => window.__spoken.push(u.text); })()"""


@pytest.fixture(scope="module")
def answer_wav(tmp_path_factory):
    path = espeak_wav(tmp_path_factory.mktemp("voice") / "answer.wav", SPOKEN, 150)
    with wave.open(str(path)) as w:  # espeak-ng writes 22,050 Hz: the server resamples it
        seconds = w.getnframes() / w.getframerate()
    return path, seconds


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    s = start_ui_server(tmp_path_factory, "voice-browser")
    yield s
    s.stop()


def launch(p, *extra: str):
    return p.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS + list(extra))


def test_spoken_answer(server, answer_wav):
    from playwright.sync_api import expect, sync_playwright

    expect.set_options(timeout=WAIT)
    wav, seconds = answer_wav
    with sync_playwright() as p:
        browser = launch(p, "--use-fake-ui-for-media-stream", "--use-fake-device-for-media-stream",
                         f"--use-file-for-fake-audio-capture={wav}%noloop", "--autoplay-policy=no-user-gesture-required")
        try:
            context = browser.new_context(viewport=DESKTOP)
            context.add_init_script(RECORD_SPEECH)
            page = open_page(browser, server, context=context)
            start(page, ["Transformers & LLMs"], questions=1, followups=0)
            page.locator("#voice-tts").check()  # read aloud: from now on, and the question on screen
            page.wait_for_function("() => (window.__spoken || []).some((t) => t.includes('Question 1 of 1'))")
            box = page.locator("#answer-box textarea")
            box.fill(TYPED)
            page.click("#voice-btn")
            expect(page.locator("#voice-btn")).to_have_attribute("aria-pressed", "true")
            # Partial transcripts appear while the audio plays, after what was typed.
            page.wait_for_function(
                "() => { const v = document.querySelector('#answer-box textarea').value;"
                " return v.startsWith('Typed first:') && v.split(/\\s+/).length > 8; }", timeout=WAIT)
            partial = box.input_value()
            page.wait_for_timeout(int(seconds * 1000) + 1500)  # let the whole answer play
            page.click("#voice-btn")
            expect(page.locator("#voice-status")).to_contain_text("Transcript done")
            final = box.input_value()
            assert final.startswith(TYPED.strip()), final
            lower = final.lower()
            missing = [w for w in HEARD if w not in lower]
            assert not missing, f"not transcribed: {missing} in {final!r} (partial was {partial!r})"
            delivery = page.locator("#voice-delivery")
            expect(delivery).to_contain_text("words/min")
            expect(delivery).to_contain_text("long pause")
            SHOTS.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(SHOTS / "voice.png"), full_page=True)
            # Submitted like a typed answer: graded, then (one question) the report with its Delivery section.
            page.click("#submit-btn")
            expect(page.locator("#report-details")).to_contain_text("Delivery (spoken answers)")
            expect(page.locator("#report-details")).to_contain_text("words/min")
            page.get_by_role("tab", name="Interview").click()
            expect(page.locator("#score-card .iv-score-num")).to_be_visible()
            assert "keys" in page.locator("#chat").inner_text().lower()
            spoken = " ".join(page.evaluate("window.__spoken"))
            assert "Question 1 of 1" in spoken and "/10" not in spoken  # the score card is never read
            assert not page.errors, page.errors
        finally:
            browser.close()


def test_no_microphone_keeps_typed_text(server):
    """No permission (a real browser's prompt, denied), then a browser without the API: a clear message each
    time; the typed answer is untouched."""
    from playwright.sync_api import expect, sync_playwright

    expect.set_options(timeout=WAIT)
    with sync_playwright() as p:
        browser = launch(p, "--use-fake-device-for-media-stream", "--deny-permission-prompts")
        try:
            page = open_page(browser, server, DESKTOP)
            start(page, ["Transformers & LLMs"], questions=1, followups=0)
            box = page.locator("#answer-box textarea")
            box.fill("my typed answer so far")
            page.click("#voice-btn")
            expect(page.locator("#voice-status")).to_contain_text("No recording")
            assert box.input_value() == "my typed answer so far"
            expect(page.locator("#voice-btn")).to_have_attribute("aria-pressed", "false")
            # A browser without the microphone API (an http:// page from another machine looks like this).
            context = browser.new_context(viewport=DESKTOP)
            context.add_init_script("Object.defineProperty(navigator, 'mediaDevices', {value: undefined})")
            bare = open_page(browser, server, context=context)
            start(bare, ["Transformers & LLMs"], questions=1, followups=0)
            bare.locator("#answer-box textarea").fill("typed before")
            bare.click("#voice-btn")
            expect(bare.locator("#voice-status")).to_contain_text("cannot record here")
            assert bare.locator("#answer-box textarea").input_value() == "typed before"
        finally:
            browser.close()
