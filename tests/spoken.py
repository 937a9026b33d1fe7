"""Spoken answers for the voice tests: espeak-ng's WAV of a known text (22,050 Hz; the server resamples it)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest


def espeak_wav(path: Path, text: str, wpm: int) -> Path:
    espeak = shutil.which("espeak-ng")
    if not espeak:
        pytest.fail("espeak-ng is missing: `apt-get install espeak-ng` (scripts/system-deps test installs it)")
    subprocess.run([espeak, "-v", "en-us", "-s", str(wpm), "-w", str(path), text], check=True, capture_output=True)
    return path
