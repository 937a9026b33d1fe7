"""Calls at low priority (the review grade's) on a real local model: they wait for live work, never make a
read-ahead give way, never deadlock inside a run of calls, and stop when the process shuts down."""

from __future__ import annotations

import itertools
import threading

import pytest

from interviewer.errors import ModelError
from interviewer.llm.base import SHUTTING_DOWN, low_priority

_fresh = itertools.count()


def ask(model) -> dict[str, float]:
    """A prompt never asked before (a memoized one would not reach the model)."""
    return model.choose([{"role": "user", "content": f"Question {next(_fresh)}: is water wet? Yes or No."}],
                        ["Yes", "No"])


def in_background(work) -> tuple[threading.Thread, list]:
    out: list = []

    def run() -> None:
        with low_priority():
            try:
                out.append(work())
            except Exception as e:  # noqa: BLE001 - the test reads it
                out.append(e)

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    return thread, out


def test_a_low_priority_call_waits_while_a_read_ahead_runs(small_model):
    small_model._warming += 1  # a read-ahead in progress
    try:
        thread, out = in_background(lambda: ask(small_model))
        thread.join(0.5)
        assert thread.is_alive() and out == []
        assert not small_model.contended  # it makes no read-ahead give way
    finally:
        small_model._warming -= 1
    thread.join(60)
    assert not thread.is_alive() and set(out[0]) == {"Yes", "No"}


def test_a_run_of_low_priority_calls_lets_live_calls_in_and_never_deadlocks(small_model):
    def run_of_calls() -> int:
        with small_model.exclusive():  # holds nothing at low priority
            return sum(1 for _ in range(4) if ask(small_model))

    thread, out = in_background(run_of_calls)
    live = [ask(small_model) for _ in range(3)]
    thread.join(120)
    assert not thread.is_alive() and out == [4] and len(live) == 3


def test_shutting_down_refuses_low_priority_calls_only(small_model):
    SHUTTING_DOWN.set()
    try:
        thread, out = in_background(lambda: ask(small_model))
        thread.join(60)
        assert isinstance(out[0], ModelError) and "shutting down" in str(out[0])
        assert set(ask(small_model)) == {"Yes", "No"}  # live work goes on to the end
    finally:
        SHUTTING_DOWN.clear()


@pytest.fixture(autouse=True)
def _quiet(small_model):
    assert small_model._warming == 0 and not SHUTTING_DOWN.is_set()
    yield
