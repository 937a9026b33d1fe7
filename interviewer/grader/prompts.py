"""Prompt templates, shipped as package data (interviewer.prompts) and rendered with StrictUndefined.

The one Jinja environment over that folder: the grader's grade_*.j2 and the interviewer's words
(interviewer_*.j2, through interviewer.engine.phrasing) both render here. Block tags take their own line
(trim_blocks, lstrip_blocks); the grader's templates put no newline after a block tag, so they render
as they would without those options."""

from __future__ import annotations

import hashlib
from functools import cache
from importlib import resources

import jinja2

PACKAGE = "interviewer.prompts"


def _load(name: str) -> str:
    return (resources.files(PACKAGE) / name).read_text(encoding="utf-8")


def quote(text: str) -> str:
    """A Markdown block quote of the text (the `quote` filter)."""
    return "\n".join("> " + line if line.strip() else ">" for line in str(text).splitlines()) or ">"


@cache
def environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FunctionLoader(_load),
        undefined=jinja2.StrictUndefined,
        autoescape=False,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=False,
    )
    env.filters["quote"] = quote
    return env


def render(name: str, **values: object) -> str:
    """Render the named template, stripped of leading and trailing whitespace."""
    return environment().get_template(name).render(**values).strip()


@cache
def version(*names: str) -> str:
    """A content hash of the named templates: recorded with every grade they produced."""
    h = hashlib.sha256()
    for name in names:
        h.update((resources.files(PACKAGE) / name).read_bytes())
    return h.hexdigest()[:12]
