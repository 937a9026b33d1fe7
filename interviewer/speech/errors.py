"""The speech package's errors: each is an InterviewerError, so the page and the CLI show its text."""

from __future__ import annotations

from interviewer.errors import InterviewerError


class SpeechError(InterviewerError):
    """Something about a recording or the speech model that the candidate should be told."""


class BadAudio(SpeechError):
    """Audio the server cannot use (an unsupported sample rate, a malformed chunk)."""


class RecordingTooLong(SpeechError):
    """A recording past the length limit (the audio up to the limit is still transcribed)."""


class SpeechModelMissing(SpeechError):
    """The speech model's packages are not installed, or their files are damaged."""
