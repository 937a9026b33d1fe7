"""Audio as the speech model takes it: mono float32 at 16 kHz, from whatever the browser captured.

The page sends little-endian 16-bit PCM at its own sample rate (an AudioContext runs at 44.1 or 48 kHz, a
fake device at anything); `pcm16_to_float` reads it and `resample` brings any rate to 16 kHz by linear
interpolation (enough for speech: Whisper's features stop at 8 kHz; the page low-passes nothing, so a
48 kHz source keeps some aliasing above 8 kHz that the model's mel filters ignore).
"""

from __future__ import annotations

import wave
from pathlib import Path

import numpy as np

from .errors import BadAudio

SAMPLE_RATE = 16_000
#: Rates a browser or a WAV file may plausibly use; anything else is refused rather than guessed.
MIN_RATE, MAX_RATE = 8_000, 192_000


def pcm16_to_float(data: bytes) -> np.ndarray:
    """Little-endian signed 16-bit samples as float32 in [-1, 1); a trailing odd byte is dropped."""
    usable = len(data) - len(data) % 2
    return np.frombuffer(data[:usable], dtype="<i2").astype(np.float32) / 32768.0


def resample(audio: np.ndarray, rate: int, target: int = SAMPLE_RATE) -> np.ndarray:
    """`audio` (mono) from `rate` to `target` samples per second, by linear interpolation."""
    if not MIN_RATE <= int(rate) <= MAX_RATE:
        raise BadAudio(f"unsupported sample rate {rate} Hz (expected {MIN_RATE}-{MAX_RATE} Hz)")
    rate = int(rate)
    audio = np.asarray(audio, dtype=np.float32)
    if rate == target or audio.size == 0:
        return audio
    n_out = int(round(audio.size * target / rate))
    if n_out == 0:
        return np.zeros(0, dtype=np.float32)
    positions = np.arange(n_out, dtype=np.float64) * (rate / target)
    return np.interp(positions, np.arange(audio.size, dtype=np.float64), audio).astype(np.float32)


def rms(audio: np.ndarray) -> float:
    """Root mean square level (0 for no samples)."""
    return float(np.sqrt(np.mean(np.square(audio, dtype=np.float64)))) if audio.size else 0.0


def read_wav(path: Path | str) -> np.ndarray:
    """A 16-bit PCM WAV file (any rate, mono or stereo) as mono float32 at 16 kHz."""
    with wave.open(str(path), "rb") as w:
        if w.getsampwidth() != 2:
            raise BadAudio(f"{path}: only 16-bit PCM WAV files are read")
        channels, rate = w.getnchannels(), w.getframerate()
        samples = pcm16_to_float(w.readframes(w.getnframes()))
    if channels > 1:
        samples = samples[: samples.size - samples.size % channels].reshape(-1, channels).mean(axis=1)
    return resample(samples, rate)


def write_wav(path: Path | str, audio: np.ndarray, rate: int = SAMPLE_RATE) -> None:
    """Mono float32 audio as a 16-bit PCM WAV file."""
    pcm = (np.clip(audio, -1.0, 1.0 - 1 / 32768) * 32768).astype("<i2")
    with wave.open(str(path), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes(pcm.tobytes())
