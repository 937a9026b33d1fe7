"""Voice in the Interview tab (issue 18): a microphone control whose transcript fills the answer box while the
candidate speaks, delivery figures after each take, and the interviewer's messages read aloud.

The page (assets/voice.js) captures the microphone with the Web Audio API and sends 16-bit PCM at its own
sample rate about once a second to the `voice_chunk` route (a gr.api, undocumented, called through Gradio's
`/gradio_api/call/` REST protocol with the session's id and token). The server resamples to 16 kHz, adds the
audio to the take (interviewer.speech.Take) and answers with the transcript so far (re-transcribed at most
every 2 s of new audio). The page writes it into the answer box and fires the box's `input` event, so the
grader reads it ahead as a draft exactly as when typing. On stop, the last chunk comes with `final`: the
take's tail is transcribed again with beam search, its delivery figures computed and stored (never the
audio, unless the server's owner set keep_audio), and the page shows them.

Speech out is the browser's own speechSynthesis: the page speaks each new interviewer message (never the
score card) when the candidate turned "Read questions aloud" on; the choice is kept in the browser.
"""

from __future__ import annotations

import base64
import binascii
import logging
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass, field

import gradio as gr

from interviewer.engine import Interview
from interviewer.errors import InterviewerError, SessionNotFound
from interviewer.paths import folder, user_dir
from interviewer.speech import store
from interviewer.speech.audio import SAMPLE_RATE, pcm16_to_float, resample, write_wav
from interviewer.speech.delivery import Delivery, delivery, figures_line, total
from interviewer.speech.errors import RecordingTooLong, SpeechError
from interviewer.speech.transcribe import MAX_TAKE_S, Take, Transcriber, question_prompt
from .page import fail
from .render import h
from .service import Service

log = logging.getLogger("interviewer.ui")

#: Takes held in memory at once (across all browsers); the oldest is dropped past this.
MAX_TAKES = 8
#: A take nobody sent audio to for this long is dropped.
IDLE_TAKE_S = 120.0
#: The most audio one chunk may carry: 4 s at 48 kHz (the page sends about 1 s).
MAX_CHUNK_BYTES = 4 * 48_000 * 2 * 2
VOICE_QUEUE = {"concurrency_id": "voice", "concurrency_limit": 1}

PANEL = """<div id="iv-voice" class="iv-voice">
  <div class="iv-voice-row">
    <button type="button" id="voice-btn" class="iv-voice-btn" aria-pressed="false">● Speak your answer</button>
    <label class="iv-voice-opt"><input type="checkbox" id="voice-autostop"> stop after 3 s of silence</label>
    <label class="iv-voice-opt"><input type="checkbox" id="voice-tts"> read questions aloud</label>
  </div>
  <div id="voice-status" class="iv-voice-status" role="status" aria-live="polite">Press <b>Speak</b>, answer out
  loud, press again to stop: the transcript fills the answer box, where you can edit it before sending.</div>
  <div id="voice-delivery" class="iv-voice-delivery"></div>
</div>"""


@dataclass
class _Take:
    take: Take
    session_id: str
    question_id: str | None
    seen: int
    touched: float = field(default_factory=time.monotonic)
    lock: threading.Lock = field(default_factory=threading.Lock)


class Voice:
    """The takes in progress (in memory only) and the `voice_chunk` route, over the app's Service."""

    def __init__(self, service: Service, transcriber: Transcriber | None = None) -> None:
        self.service = service
        self.transcriber = transcriber or Transcriber()
        self._takes: OrderedDict[tuple[str, str], _Take] = OrderedDict()
        self._lock = threading.Lock()

    def panel(self, js: str) -> gr.HTML:
        return gr.HTML(PANEL, js_on_load=js, elem_id="voice-panel")

    def add_api(self) -> None:
        gr.api(self.chunk, api_name="voice_chunk", api_visibility="undocumented", **VOICE_QUEUE)

    # -- the route -------------------------------------------------------------------------------------------
    def chunk(self, session_id: str, token: str, take_id: str, audio: str, rate: int, final: bool) -> dict:
        """Audio of a take (base64 of little-endian 16-bit mono PCM at `rate` Hz). Returns {"text": the
        transcript so far, "final", "seconds"} and, when `final`, the take's delivery figures; or {"error"}."""
        try:
            return self._chunk(str(session_id), token, str(take_id)[:64], audio, rate, bool(final))
        except (SpeechError, SessionNotFound) as e:
            return {"error": str(e)}
        except Exception as e:  # noqa: BLE001 - shown to the candidate as one sentence; the log has it
            return {"error": fail(e, None, "Transcribing")}

    def _chunk(self, session_id: str, token: str, take_id: str, audio: str, rate: int, final: bool) -> dict:
        if not isinstance(audio, str) or len(audio) > MAX_CHUNK_BYTES * 4 // 3 + 8:
            raise SpeechError("an audio chunk was too large; stop and try again")
        try:
            raw = base64.b64decode(audio, validate=True)
        except (binascii.Error, ValueError):
            raise SpeechError("an audio chunk was malformed; stop and try again") from None
        samples = resample(pcm16_to_float(raw), int(rate))
        t = self._take(session_id, token, take_id)
        with t.lock:
            t.touched = time.monotonic()
            note = ""
            try:
                t.take.add(samples)
            except RecordingTooLong as e:
                note, final = str(e), True
            if not final:
                text = t.take.partial()
                return {"text": text, "final": False, "seconds": round(t.take.seconds, 1)}
            with self._lock:
                self._takes.pop((session_id, take_id), None)
            result = t.take.finish()
        figures = delivery(result.words)
        if result.words:
            store.add_take(session_id, t.seen, t.question_id, figures)
        if self.service.base.keep_audio and t.take.seconds:
            self._keep(session_id, t.seen, take_id, t.take)
        answer = self._answer_so_far(session_id, t.seen) if result.words else None
        return {"text": result.text, "final": True, "seconds": round(result.audio_s, 1), "note": note,
                "heard": bool(result.words), "delivery_html": delivery_html(figures, answer)}

    # -- takes ------------------------------------------------------------------------------------------------
    def _take(self, session_id: str, token: str, take_id: str) -> _Take:
        sid = self.service.check(session_id, token)  # SessionNotFound for a wrong token, as for an unknown id
        key = (sid, take_id)
        with self._lock:
            now = time.monotonic()
            for k in [k for k, v in self._takes.items() if now - v.touched > IDLE_TAKE_S]:
                del self._takes[k]
            if key in self._takes:
                return self._takes[key]
        question_id, prompt, terms, seen = self._context(sid)
        if not self.transcriber.loaded:  # the first take of this server: load the model while the candidate speaks
            threading.Thread(target=self.transcriber.load, daemon=True, name="speech-model-load").start()
        t = _Take(Take(self.transcriber, prompt=prompt, max_s=MAX_TAKE_S, terms=terms), sid, question_id, seen)
        with self._lock:
            self._takes[key] = t
            while len(self._takes) > MAX_TAKES:
                self._takes.popitem(last=False)
        return t

    def _context(self, sid: str) -> tuple[str | None, str | None, list[str], int]:
        """(question id, the speech model's prompt, the rubric's key terms, messages so far) of the session as
        it stands."""
        with Interview.open(sid, bank=self.service.bank) as interview:
            status, seen = interview.status(), len(interview.messages())
            if status.done or not status.question_id:
                raise InterviewerError("the interview is not waiting for an answer")
            question = self.service.bank.get(status.question_id)
            criteria = question.rubric.criteria if question.rubric else []
            terms = [t for c in criteria for group in c.key_terms for t in group]
            asked = interview.current_prompt() or ""
        text = question.question if asked.strip() in question.question else f"{question.question} {asked}"
        return status.question_id, question_prompt(text, terms), terms, seen

    def _answer_so_far(self, session_id: str, seen: int) -> Delivery | None:
        """All takes of the answer being given (same `seen`), together."""
        return total(d for s, _, d in store.takes(session_id) if s == seen)

    def _keep(self, session_id: str, seen: int, take_id: str, take: Take) -> None:
        """The take's audio as a private WAV file (keep_audio on): never in exports."""
        try:
            target = folder(user_dir() / "audio" / session_id)
            target.chmod(0o700)
            path = target / f"answer-{seen:03d}-{''.join(c for c in take_id if c.isalnum())[:16]}.wav"
            write_wav(path, take.audio(), SAMPLE_RATE)
            path.chmod(0o600)
        except OSError as e:
            log.warning("could not keep a take's audio: %s", e)


def delivery_html(take: Delivery, answer: Delivery | None) -> str:
    """The figures shown under the microphone: this take's, and the answer's when it has several takes."""
    shown = answer if answer is not None and answer.takes > 1 else take
    label = f"Delivery of this answer ({shown.takes} takes)" if shown is answer else "Delivery of this take"
    notes = "".join(f"<li>{h(n)}</li>" for n in shown.notes)
    return (f'<div class="iv-delivery"><strong>{h(label)}:</strong> <span class="iv-delivery-figures">'
            f"{h(figures_line(shown))}</span><ul>{notes}</ul></div>")
