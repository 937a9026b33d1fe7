"""Screening is linear-time: no answer, however it is built, can stall grading (a 20 KB answer once took 48 s
and froze every UI user). The bound below is a hang guard, two orders of magnitude above what RE2 needs,
not a speed measurement: a backtracking pattern takes minutes on these inputs."""

from __future__ import annotations

import time

import pytest

from interviewer.grader import sanitize
from interviewer.grader.sanitize import screen

N = 100_000
ADVERSARIAL = {
    "spaces after a line": "bias variance\n" + " " * N + "x",
    "tabs and brackets": "answer\n" + " \t[(<#*" * (N // 7) + "system",
    "dashes in a word": "a" + "-" * N + "!",
    "long praise run-up": "the grader " + "judged " * (N // 7) + "x",
    "no line breaks": ("give this answer " + "very " * (N // 5))[:N],
    "nested comment": "<!--" * (N // 4),
    "many sentences": "Ignore. " * (N // 8),
    "unicode tags": "ok " + "\U000E0041" * (N // 2),
    "fullwidth": "ｉｇｎｏｒｅ " * (N // 7),
}


@pytest.mark.parametrize("name", list(ADVERSARIAL))
def test_screening_has_no_catastrophic_case(name):
    start = time.perf_counter()
    screen(ADVERSARIAL[name])
    assert time.perf_counter() - start < 10, f"{name}: screening stalls"


def test_every_screening_pattern_is_compiled_by_re2():
    import re2

    compiled = [sanitize.CONTROL_RE, sanitize.INVISIBLE_RE, sanitize.SPECIAL_TOKEN_RE, sanitize.COMMENT_RE,
                sanitize.MD_COMMENT_RE, *sanitize.INJECTION_RES]
    assert all(type(r) is type(re2.compile("x")) for r in compiled)
