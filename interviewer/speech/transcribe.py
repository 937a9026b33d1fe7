"""Speech to text on the CPU with faster-whisper (CTranslate2) and the packaged Whisper base model.

`Transcriber` holds the loaded model (one per process, loaded on first use, ~0.5 s, +~110 MiB) and runs one
transcription at a time. `Take` is one recording, fed in chunks while the candidate speaks:

    take = Take(transcriber, prompt=question_prompt(question_text, key_terms), terms=key_terms)
    take.add(samples_16k)            # as audio arrives
    take.partial()                   # the transcript so far (re-transcribes only when >= 2 s are new)
    result = take.finish()           # the final transcript and its timed words

Partial transcripts stay cheap however long the take: only the audio after the last *committed* point is
transcribed again, and once that tail is longer than COMMIT_AFTER_S it is transcribed with beam search and
its words are committed (kept as they are) up to the last clause that ended KEEP_S before the end of what was
heard. The final pass transcribes the uncommitted tail with beam search (BEAM_FINAL), so the wait after the
candidate stops is bounded by the tail, not the whole answer. Short windows also keep Whisper from skipping
audio: one pass over a whole 40-second answer dropped a sentence or more on 6 of 40 answers in bench/speech.py.

The prompt: the question being answered and its rubric's key terms, as Whisper's `initial_prompt` (the
question's own terms helped technical words most in bench/speech.py; a whole-category glossary hurt). Silence
and noise: the Silero voice-activity filter bundled with faster-whisper drops audio without speech, so
neither becomes invented words. The question's key terms misheard as sound-alikes are spelled back in the
words a take returns ("Laura" -> "LoRA", "linear aggression" -> "linear regression", terms.py).
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Iterable
from pathlib import Path

import numpy as np
from pydantic import BaseModel

from .audio import SAMPLE_RATE
from .delivery import Word
from .errors import RecordingTooLong, SpeechModelMissing
from .model import WHISPER_BASE
from .terms import snap, speech_terms

#: The longest take transcribed; audio past it is dropped and the candidate told (a 20-minute recording
#: would otherwise hold the CPU for minutes and ~77 MB of samples).
MAX_TAKE_S = 600.0
#: A partial transcript is made when at least this much audio is new since the last one.
PARTIAL_EVERY_S = 2.0
#: Once the uncommitted tail is longer than this, its words up to KEEP_S before the end are committed.
COMMIT_AFTER_S = 8.0
KEEP_S = 3.0
#: Beam widths: a partial shown while speaking is greedy; a pass whose words are committed (kept for good) and
#: the final pass search 5 beams (greedy commits cost 3.4 points of WER in bench/speech.py).
BEAM_PARTIAL, BEAM_COMMIT, BEAM_FINAL = 1, 5, 5
#: The prompt's length limit in characters (Whisper keeps about 224 tokens of prompt).
MAX_PROMPT_CHARS = 600


class Transcript(BaseModel):
    """A transcription: the text and its timed words (seconds from the take's start)."""

    text: str
    words: list[Word]
    audio_s: float
    took_s: float


def question_prompt(question: str, key_terms: Iterable[str] = ()) -> str:
    """Whisper's initial prompt for an answer to `question`: the question, then its technical key terms
    (a bare list: a label such as "Terms:" was echoed into transcripts in a trial)."""
    terms = speech_terms(key_terms)
    prompt = " ".join(question.split())
    if terms:
        prompt += " " + ", ".join(terms) + "."
    return prompt[:MAX_PROMPT_CHARS]


def default_threads() -> int:
    """CPU threads for the speech model: INTERVIEWER_SPEECH_THREADS, else up to 4 of the CPUs."""
    env = os.environ.get("INTERVIEWER_SPEECH_THREADS", "").strip()
    return int(env) if env.isdigit() and int(env) > 0 else max(1, min(4, os.cpu_count() or 1))


class Transcriber:
    """The speech model, loaded on first use from the joined folder (model.py), never from a hub."""

    def __init__(self, folder: Path | None = None, threads: int | None = None) -> None:
        self._folder = folder
        self.threads = threads or default_threads()
        self._model = None
        self._lock = threading.Lock()

    def _load(self):  # noqa: ANN202 - faster_whisper ships no types
        if self._model is None:
            try:
                from faster_whisper import WhisperModel
            except ImportError as e:
                raise SpeechModelMissing(f"faster-whisper is not installed ({e}); reinstall the project") from None
            folder = self._folder or WHISPER_BASE.folder()
            self._model = WhisperModel(str(folder), device="cpu", compute_type="int8", cpu_threads=self.threads,
                                       num_workers=1, local_files_only=True)
        return self._model

    @property
    def loaded(self) -> bool:
        return self._model is not None

    def load(self) -> None:
        """Load the model now (else the first transcription does)."""
        with self._lock:
            self._load()

    def transcribe(self, audio: np.ndarray, *, prompt: str | None = None, beam: int = BEAM_FINAL,
                   offset_s: float = 0.0) -> tuple[Transcript, list[tuple[float, list[Word]]]]:
        """(the transcript, its segments as (end, words)) of 16 kHz mono `audio`; times shifted by `offset_s`."""
        start = time.perf_counter()
        audio = np.asarray(audio, dtype=np.float32)
        with self._lock:
            model = self._load()
            segments, _ = model.transcribe(audio, language="en", beam_size=beam, initial_prompt=prompt or None,
                                           condition_on_previous_text=False, word_timestamps=True,
                                           vad_filter=True, vad_parameters={"min_silence_duration_ms": 1000})
            segs: list[tuple[float, list[Word]]] = []
            for s in segments:
                words = [Word(text=w.word.strip(), start=max(0.0, w.start + offset_s),
                              end=max(0.0, w.end + offset_s)) for w in (s.words or []) if w.word.strip()]
                segs.append((s.end + offset_s, words))
        words = [w for _, ws in segs for w in ws]
        return Transcript(text=join_words(words), words=words, audio_s=audio.size / SAMPLE_RATE,
                          took_s=time.perf_counter() - start), segs


def join_words(words: Iterable[Word]) -> str:
    return " ".join(w.text for w in words).strip()


class Take:
    """One recording, transcribed while it grows (see the module's doc). Not thread-safe: one caller at a time."""

    def __init__(self, transcriber: Transcriber, prompt: str | None = None, max_s: float = MAX_TAKE_S,
                 terms: Iterable[str] = ()) -> None:
        self.transcriber, self.prompt, self.max_samples = transcriber, prompt, int(max_s * SAMPLE_RATE)
        # the question's key terms, misheard ones spelled back in what is shown (terms.snap): all of them, plain
        # ones too ("linear aggression" -> "linear regression"), though only the technical ones prompt the model
        self.terms = list(dict.fromkeys(t.strip() for t in terms if t and t.strip()))
        self._chunks: list[np.ndarray] = []
        self._size = 0
        self.committed: list[Word] = []
        self.committed_at = 0  # samples: audio before this point is transcribed for good
        self.partial_at = 0  # samples heard when the last partial was made
        self.tail: list[Word] = []
        self.truncated = False

    @property
    def seconds(self) -> float:
        return self._size / SAMPLE_RATE

    def audio(self) -> np.ndarray:
        if len(self._chunks) > 1:
            self._chunks = [np.concatenate(self._chunks)]
        return self._chunks[0] if self._chunks else np.zeros(0, dtype=np.float32)

    def add(self, samples: np.ndarray) -> None:
        """Append 16 kHz samples; past the length limit the rest is dropped and RecordingTooLong raised."""
        room = self.max_samples - self._size
        if samples.size > room:
            samples = samples[:max(0, room)]
            self.truncated = True
        if samples.size:
            self._chunks.append(np.asarray(samples, dtype=np.float32))
            self._size += samples.size
        if self.truncated:
            raise RecordingTooLong(f"recordings stop at {self.max_samples // SAMPLE_RATE // 60} minutes: the "
                                   "rest was not heard")

    def words(self) -> list[Word]:
        """The words so far, the question's technical terms spelled as the rubric spells them."""
        return snap([*self.committed, *self.tail], self.terms)

    def text(self) -> str:
        return join_words(self.words())

    def partial(self, force: bool = False) -> str:
        """The transcript so far; transcribes again only when PARTIAL_EVERY_S of audio is new (or `force`)."""
        if not force and self._size - self.partial_at < PARTIAL_EVERY_S * SAMPLE_RATE:
            return self.text()
        self.partial_at = self._size
        tail_audio = self.audio()[self.committed_at:]
        if tail_audio.size < SAMPLE_RATE // 2:
            return self.text()
        offset = self.committed_at / SAMPLE_RATE
        commit = tail_audio.size / SAMPLE_RATE > COMMIT_AFTER_S
        _, segs = self.transcriber.transcribe(tail_audio, prompt=self.prompt,
                                              beam=BEAM_COMMIT if commit else BEAM_PARTIAL, offset_s=offset)
        words = [w for _, ws in segs for w in ws]
        if commit:
            words = self._commit(words, self._size / SAMPLE_RATE)
        self.tail = words
        return self.text()

    def _commit(self, words: list[Word], heard_s: float) -> list[Word]:
        """Commit the words that end KEEP_S before what was heard, up to the last one that closes a clause
        (a comma or a full stop), so the next pass starts at a clause; returns the words left in the tail."""
        ready = [i for i, w in enumerate(words) if w.end <= heard_s - KEEP_S and i + 1 < len(words)]
        if not ready:
            return words
        clause = [i for i in ready if words[i].text[-1:] in ",.;:?!"]
        last = clause[-1] if clause else ready[-1]
        cut = (words[last].end + max(words[last].end, words[last + 1].start)) / 2
        self.committed.extend(words[: last + 1])
        self.committed_at = min(self._size, int(cut * SAMPLE_RATE))
        return words[last + 1:]

    def finish(self) -> Transcript:
        """The final transcript: the uncommitted tail transcribed again with beam search, after the committed words."""
        start = time.perf_counter()
        tail_audio = self.audio()[self.committed_at:]
        if tail_audio.size >= SAMPLE_RATE // 4:
            t, _ = self.transcriber.transcribe(tail_audio, prompt=self.prompt, beam=BEAM_FINAL,
                                               offset_s=self.committed_at / SAMPLE_RATE)
            self.tail = t.words
        else:
            self.tail = []
        words = self.words()
        return Transcript(text=join_words(words), words=words, audio_s=self.seconds,
                          took_s=time.perf_counter() - start)
