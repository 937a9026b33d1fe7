"""Speech to text with the real packaged model (interviewer/speech): a spoken answer made by espeak-ng is
transcribed while it grows (partials, committed segments, the final pass) with timed words; silence and
noise give no words; the model is joined from its PyPI parts into the models folder and loaded offline."""

from __future__ import annotations


import numpy as np
import pytest
from spoken import espeak_wav

from interviewer.speech.audio import SAMPLE_RATE, read_wav
from interviewer.speech.delivery import delivery
from interviewer.speech.model import WHISPER_BASE
from interviewer.speech.transcribe import Take, Transcriber, question_prompt

pytestmark = pytest.mark.slow

SPOKEN = ("Retrieval augmented generation first embeds the question, then searches a vector index for the closest "
          "chunks, and finally puts those chunks into the prompt so the model answers from them. The index is "
          "usually approximate, for example a graph index, because exact search over millions of vectors is too "
          "slow.")


@pytest.fixture(scope="module")
def transcriber():
    return Transcriber(threads=2)


@pytest.fixture(scope="module")
def answer(tmp_path_factory):
    path = espeak_wav(tmp_path_factory.mktemp("speech") / "answer.wav", SPOKEN, 160)
    return read_wav(path)  # espeak-ng's 22,050 Hz, resampled


def test_model_is_joined_and_verified(interviewer_home):
    folder = WHISPER_BASE.folder()
    assert folder.parent == interviewer_home / "models"
    assert (folder / "model.bin").stat().st_size == WHISPER_BASE.size
    assert (folder / "model.bin.sha256").read_text().strip() == WHISPER_BASE.sha256
    assert WHISPER_BASE.folder() == folder  # the second call finds it joined


def test_a_take_transcribed_while_it_grows(transcriber, answer, monkeypatch):
    import socket

    def refuse(*a, **k):
        raise AssertionError("the speech path tried to open a network connection")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    take = Take(transcriber, prompt=question_prompt("How does retrieval augmented generation work?", ["RAG", "HNSW"]))
    partials = []
    for i in range(0, answer.size, SAMPLE_RATE):
        take.add(answer[i:i + SAMPLE_RATE])
        partials.append(take.partial())
    assert take.committed, "a take longer than the commit window commits its first words"
    assert sum(1 for a, b in zip(partials, partials[1:]) if a != b) >= answer.size / SAMPLE_RATE / 2 - 3
    result = take.finish()
    words = result.text.lower()
    for w in ("vector", "chunks", "prompt", "index", "approximate"):  # plain words; terms: bench/speech.py
        assert w in words, (w, result.text)
    times = [(w.start, w.end) for w in result.words]
    assert all(s <= e for s, e in times) and all(a[0] <= b[0] + 0.05 for a, b in zip(times, times[1:]))
    assert result.words[-1].end <= result.audio_s + 0.5
    d = delivery(result.words)
    assert d.wpm is not None and 100 < d.wpm < 230


def test_silence_and_noise_give_no_words(transcriber):
    silence = np.zeros(4 * SAMPLE_RATE, dtype=np.float32)
    noise = (np.random.default_rng(0).standard_normal(4 * SAMPLE_RATE) * 0.1).astype(np.float32)
    for audio in (silence, noise):
        t, _ = transcriber.transcribe(audio)
        assert t.words == [] and t.text == ""
