"""Spoken answers (issue 18): speech to text on the CPU, offline, and the delivery figures of an answer.

- model.py: the packaged Whisper base model, joined once from its two PyPI parts into the models folder.
- audio.py: browser PCM to 16 kHz mono float32 (any sample rate resampled), WAV in and out.
- transcribe.py: `Transcriber` (faster-whisper) and `Take`, one recording transcribed while it grows.
- delivery.py: pace, filler words and long pauses from timed words (pure).
- store.py: delivery figures per take in voice.db; per answer and for the report.
"""
