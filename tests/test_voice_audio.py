"""Audio handling for voice answers (interviewer/speech/audio.py, transcribe.Take's length cap, the prompt)
and the speech model's files joined from their packages (interviewer/speech/model.py)."""

from __future__ import annotations

import numpy as np
import pytest

from interviewer.speech.audio import SAMPLE_RATE, pcm16_to_float, read_wav, resample, rms, write_wav
from interviewer.speech.errors import BadAudio, RecordingTooLong
from interviewer.speech.transcribe import Take, Transcriber, question_prompt, technical


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
