"""The interviewer's words, from Jinja templates in prompts/interviewer_*.j2 (StrictUndefined: a missing
variable is an error, never a blank). They render in the one template environment, interviewer.grader.prompts."""

from __future__ import annotations

from ..grader import prompts
from ..grader.prompts import quote

__all__ = ["quote", "render", "transition"]


def render(name: str, **values: object) -> str:
    """Render prompts/interviewer_NAME.j2."""
    return prompts.render(f"interviewer_{name}.j2", **values)


def transition(position: int) -> str:
    """A short line between questions, varied by position."""
    lines = [line for line in render("transitions").splitlines() if line.strip()]
    return lines[position % len(lines)]
