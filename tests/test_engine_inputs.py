"""Candidate input: control characters stripped, commands recognised, empty and oversized answers."""

from __future__ import annotations

from interviewer.engine.inputs import RETRY, classify, clean_text


def test_control_and_binary_characters_are_stripped():
    raw = "Attention\x00 is\x1b[31m all\u200b you\ufeff need\x07.\r\nSecond line\u202e.\t(tab kept)"
    assert clean_text(raw) == "Attention is[31m all you need.\nSecond line.\t(tab kept)"
    assert clean_text(b"bytes \xff\xfe answer") == "bytes  answer"
    assert clean_text("  \n  ") == ""


def test_commands_are_recognised():
    for text, kind in [("/skip", "skip"), (" /SKIP \n", "skip"), ("/repeat", "repeat"), ("/quit", "quit")]:
        assert classify(text, max_chars=100, empty_tries=0)["kind"] == kind
    assert classify("/skipping is not a command", max_chars=100, empty_tries=0)["kind"] == "answer"
    assert classify(RETRY, max_chars=100, empty_tries=0) == {"kind": "retry"}


def test_empty_is_asked_again_once_then_no_answer():
    assert classify("   ", max_chars=100, empty_tries=0)["kind"] == "empty"
    assert classify("\x00\x01", max_chars=100, empty_tries=0)["kind"] == "empty"
    assert classify("...", max_chars=100, empty_tries=1)["kind"] == "no_answer"
    assert classify(None, max_chars=100, empty_tries=1)["kind"] == "no_answer"


def test_too_long_answers_are_refused_with_their_length():
    inp = classify("x" * 101, max_chars=100, empty_tries=0)
    assert inp == {"kind": "too_long", "chars": 101}
    assert classify("x" * 100, max_chars=100, empty_tries=0)["kind"] == "answer"
