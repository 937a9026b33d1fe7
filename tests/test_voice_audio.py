"""Audio handling for voice answers (interviewer/speech/audio.py, transcribe.Take's length cap, the prompt)
and the speech model's files joined from their packages (interviewer/speech/model.py)."""

from __future__ import annotations

import numpy as np
import pytest

from interviewer.speech.audio import SAMPLE_RATE, pcm16_to_float, read_wav, resample, rms, write_wav
from interviewer.speech.errors import BadAudio, RecordingTooLong
from interviewer.speech.terms import technical
from interviewer.speech.transcribe import Take, Transcriber, question_prompt


def tone(freq: float, rate: int, seconds: float) -> np.ndarray:
    t = np.arange(int(rate * seconds)) / rate
    return (0.5 * np.sin(2 * np.pi * freq * t)).astype(np.float32)


@pytest.mark.parametrize("rate", [8000, 22050, 44100, 48000, 96000])
def test_resample_keeps_length_and_pitch(rate):
    out = resample(tone(440, rate, 1.0), rate)
    assert abs(out.size - SAMPLE_RATE) <= 1
    spectrum = np.abs(np.fft.rfft(out))
    assert abs(np.argmax(spectrum) * SAMPLE_RATE / out.size - 440) < 2


@pytest.mark.parametrize("rate", [0, 100, 7999, 500_000, -16000])
def test_unsupported_rates_are_refused(rate):
    with pytest.raises(BadAudio, match="sample rate"):
        resample(np.zeros(100, dtype=np.float32), rate)


def test_pcm16_round_trip_and_odd_bytes(tmp_path):
    pcm = np.array([0, 16384, -16384, 32767, -32768], dtype="<i2").tobytes()
    assert pcm16_to_float(pcm + b"\x01").tolist() == pytest.approx([0, 0.5, -0.5, 32767 / 32768, -1.0])
    audio = tone(300, SAMPLE_RATE, 0.5)
    write_wav(tmp_path / "a.wav", audio)
    back = read_wav(tmp_path / "a.wav")
    assert back.size == audio.size and np.max(np.abs(back - audio)) < 1e-3
    assert rms(np.zeros(0, dtype=np.float32)) == 0.0


def test_a_take_is_capped():
    take = Take(Transcriber(), max_s=2.0)  # the model is not loaded: add() never transcribes
    take.add(np.zeros(SAMPLE_RATE, dtype=np.float32))
    with pytest.raises(RecordingTooLong, match="minutes"):
        take.add(np.zeros(5 * SAMPLE_RATE, dtype=np.float32))
    assert take.seconds == pytest.approx(2.0) and take.truncated


def test_prompt_holds_the_question_and_its_technical_terms():
    prompt = question_prompt("What is the KV cache?", ["KV cache", "learning rate", "GQA", "int8", "KV cache"])
    assert prompt == "What is the KV cache? KV cache, GQA, int8."
    assert technical("LoRA") and technical("A100") and technical("int8") and not technical("covariate shift")
    assert len(question_prompt("x " * 1000)) <= 600


class Heard:
    """A stand-in for the speech model: 'hears' one word per second of audio, and records the beam of each pass."""

    def __init__(self, said: list[str]) -> None:
        self.said, self.beams = said, []

    def transcribe(self, audio, *, prompt=None, beam=5, offset_s=0.0):
        from interviewer.speech.delivery import Word
        from interviewer.speech.transcribe import Transcript

        self.beams.append(beam)
        first, n = int(round(offset_s)), int(audio.size // SAMPLE_RATE)
        words = [Word(text=w, start=float(first + i), end=first + i + 0.8)
                 for i, w in enumerate(self.said[first:first + n])]
        return (Transcript(text=" ".join(w.text for w in words), words=words, audio_s=n, took_s=0.0),
                [(float(first + n), words)])


def test_committed_words_come_from_a_beam_search_and_terms_are_spelled_as_the_rubric_does():
    said = ["We", "fine-tune", "with", "Laura,", "a", "low", "rank", "adapter,", "and", "the", "KV", "cash,",
            "stays", "small", "here."]
    heard = Heard(said)
    take = Take(heard, terms=["LoRA", "KV cache", "learning rate"])  # type: ignore[arg-type]
    for _ in said:
        take.add(np.zeros(SAMPLE_RATE, dtype=np.float32))
        take.partial()
    assert take.committed, "a take longer than the commit window commits words"
    # while speaking: a pass whose words were committed searched 5 beams; the partials shown in between were greedy
    assert 5 in heard.beams and 1 in heard.beams
    result = take.finish()
    assert heard.beams[-1] == 5
    assert result.text == "We fine-tune with LoRA, a low rank adapter, and the KV cache, stays small here."
    assert [w.text for w in result.words][3] == "LoRA,"
