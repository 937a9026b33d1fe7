"""Prompt templates, shipped as package data (interviewer.prompts) and rendered with StrictUndefined."""

from __future__ import annotations

import hashlib
from functools import cache
from importlib import resources

import jinja2

_ENV = jinja2.Environment(
    loader=jinja2.FunctionLoader(lambda name: (resources.files("interviewer.prompts") / name).read_text("utf-8")),
    undefined=jinja2.StrictUndefined,
    keep_trailing_newline=False,
    autoescape=False,
)


def render(name: str, **values: object) -> str:
    return _ENV.get_template(name).render(**values).strip()


@cache
def version(*names: str) -> str:
    """A content hash of the named templates: recorded with every grade they produced."""
    h = hashlib.sha256()
    for name in names:
        h.update((resources.files("interviewer.prompts") / name).read_bytes())
    return h.hexdigest()[:12]
