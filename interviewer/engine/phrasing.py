"""The interviewer's words, from Jinja templates in prompts/interviewer_*.j2 (StrictUndefined: a missing
variable is an error, never a blank)."""

from __future__ import annotations

from functools import lru_cache
from importlib import resources

from jinja2 import Environment, FunctionLoader, StrictUndefined


def _load(name: str) -> str:
    return (resources.files("interviewer.prompts") / name).read_text(encoding="utf-8")


def quote(text: str) -> str:
    """A Markdown block quote of the text."""
    return "\n".join("> " + line if line.strip() else ">" for line in str(text).splitlines()) or ">"


@lru_cache(maxsize=1)
def environment() -> Environment:
    env = Environment(loader=FunctionLoader(_load), undefined=StrictUndefined, autoescape=False,
                      trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=False)
    env.filters["quote"] = quote
    return env


def render(name: str, **values: object) -> str:
    """Render prompts/interviewer_NAME.j2."""
    return environment().get_template(f"interviewer_{name}.j2").render(**values).strip()


def transition(position: int) -> str:
    """A short line between questions, varied by position."""
    lines = [line for line in render("transitions").splitlines() if line.strip()]
    return lines[position % len(lines)]
