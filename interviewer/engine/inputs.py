"""What the candidate typed, cleaned and classified: an answer, a command, empty, or too long."""

from __future__ import annotations

import unicodedata
from typing import Any

from .state import Input, InputKind

COMMANDS: dict[str, InputKind] = {"/skip": "skip", "/repeat": "repeat", "/quit": "quit", "/hint": "hint"}
#: Sent by the engine itself (never typed): grade the answers whose grading failed earlier.
RETRY = {"command": "retry"}
#: An empty answer is asked for again this many times before it is scored as no answer.
EMPTY_RETRIES = 1
#: Input over this many times the answer limit (in characters, or bytes) is too long before it is even cleaned:
#: cleaning removes little from a real answer, and nothing is spent on text that will be refused anyway.
RAW_SLACK = 4

_KEEP = {"\n", "\t"}


def clean_text(raw: Any) -> str:
    """The answer as text: bytes decoded as UTF-8, newlines normalised, control, format, private-use and
    surrogate characters (NUL, escape sequences, zero-width and bidi marks, a lone "\\ud800") removed, spaces
    before a line break and outer whitespace stripped. No regular expression: linear in the input."""
    if isinstance(raw, (bytes, bytearray)):
        raw = bytes(raw).decode("utf-8", errors="replace")
    text = unicodedata.normalize("NFC", str(raw)).replace("\r\n", "\n").replace("\r", "\n")
    text = text.replace("\ufffd", "")
    text = "".join(
        ch for ch in text if ch in _KEEP or unicodedata.category(ch) not in ("Cc", "Cf", "Cs", "Co", "Cn")
    )
    return "\n".join(line.rstrip(" \t") for line in text.split("\n")).strip()


def is_empty(text: str) -> bool:
    return not any(ch.isalnum() for ch in text)


def classify(raw: Any, *, max_chars: int, empty_tries: int) -> Input:
    """Turn one resume value into an Input the graph routes on."""
    if isinstance(raw, dict) and raw.get("command") == RETRY["command"]:
        return {"kind": "retry"}
    if isinstance(raw, (str, bytes, bytearray)) and len(raw) > RAW_SLACK * max_chars:
        return {"kind": "too_long", "chars": len(raw)}
    text = clean_text(raw if raw is not None else "")
    command = COMMANDS.get(text.lower())
    if command:
        return {"kind": command, "text": text}
    if is_empty(text):
        return {"kind": "empty" if empty_tries < EMPTY_RETRIES else "no_answer", "text": ""}
    if len(text) > max_chars:
        return {"kind": "too_long", "chars": len(text)}
    return {"kind": "answer", "text": text}
