"""The `interviewer` command. Each group lives in its own module; library errors become CLI errors here."""

from __future__ import annotations

import sqlite3
from typing import Any

import click
from pydantic import ValidationError

from .. import __version__
from ..errors import InterviewerError
from ..settings import Settings

#: What the library may raise on bad input or a bad environment: each becomes one line, not a traceback.
EXPECTED = (InterviewerError, ValidationError, OSError, sqlite3.Error)


def one_line(e: BaseException) -> str:
    """An expected error as one line: the file an OSError names, the INTERVIEWER_* variable a bad setting
    came from, the field of other bad input."""
    if isinstance(e, ValidationError):
        env = e.title == Settings.__name__  # flags are checked before this: a bad setting is a bad variable
        parts = []
        for err in e.errors():
            loc = ".".join(str(part) for part in err["loc"])
            name = f"INTERVIEWER_{loc.upper()}" if env and loc else loc
            parts.append(f"{name}: {err['msg']}" if name else err["msg"])
        return "; ".join(parts)
    if isinstance(e, OSError) and e.strerror:
        names = [str(n) for n in (e.filename, e.filename2) if n is not None]
        return f"{' -> '.join(names)}: {e.strerror}" if names else e.strerror
    if isinstance(e, sqlite3.Error):
        return f"database error: {e}"
    return str(e) or type(e).__name__


class Group(click.Group):
    """A click group that turns the package's own errors, and the OS's and SQLite's, into clean one-line CLI
    errors. Anything else is a bug and keeps its traceback."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except EXPECTED as e:
            raise click.ClickException(one_line(e)) from None


@click.group(cls=Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="interviewer")
def cli() -> None:
    """A mock interviewer for senior AI/ML engineering interviews.

    Start a live interview in the browser with `interviewer ui`, or in the terminal with
    `interviewer interview`. Grade written answers in batch with `interviewer grade`.
    """


# Command groups register themselves on `cli` when imported.
from . import bank, grade, models, rubric  # noqa: E402,F401
from . import interview, sessions, ui  # noqa: E402,F401
