"""The `interviewer` command. Each group lives in its own module; library errors become CLI errors here."""

from __future__ import annotations

import click

from .. import __version__
from ..errors import InterviewerError


class Group(click.Group):
    """A click group that turns the package's own errors into clean one-line CLI errors."""

    def invoke(self, ctx: click.Context):  # type: ignore[override]
        try:
            return super().invoke(ctx)
        except InterviewerError as e:
            raise click.ClickException(str(e)) from None


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
