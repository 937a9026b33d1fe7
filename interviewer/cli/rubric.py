"""`interviewer rubric draft`: a first rubric from a reference answer, for a person to edit."""

from __future__ import annotations

import stat
from pathlib import Path

import click

from ..bank.models import Question
from ..bank.storage import dump_question, load_question_file
from ..files import atomic_write
from ..grader.draft import draft_rubric
from . import cli
from .options import InputFile, TextOrFile


@cli.group()
def rubric() -> None:
    """Draft rubrics for questions that have only a reference answer."""


@rubric.command()
@click.argument("files", nargs=-1, type=InputFile())
@click.option("--question", "-q", help="Question text (instead of FILES).")
@click.option("--reference", "-r", type=TextOrFile(), help="Reference answer text, or @path to read it from a file.")
@click.option("--write", is_flag=True, help="Write the drafted rubric into each FILE that has none.")
def draft(files: tuple[Path, ...], question: str | None, reference: str | None, write: bool) -> None:
    """Draft a rubric from a reference answer.

    Either give bank question FILES (YAML) or --question and --reference. The draft is printed as a
    bank question in YAML; review and edit it before you rely on it.
    """
    if not files and not (question and reference):
        raise click.UsageError("give question FILES, or both --question and --reference")
    if not files:
        q = Question(id="draft", category="Custom", number=1, question=question, reference_answer=reference)
        q = q.model_copy(update={"rubric": draft_rubric(q.question, q.reference_answer)})
        click.echo(dump_question(q))
        return
    for path in files:
        q = load_question_file(path)
        if q.rubric is not None:
            click.echo(f"{path}: has a rubric already; left as it is", err=True)
            continue
        rubric = draft_rubric(q.question, q.reference_answer)
        q = q.model_copy(update={"rubric": rubric})
        if write:
            atomic_write(path, dump_question(q), mode=stat.S_IMODE(path.stat().st_mode))  # keeps its mode
            click.echo(f"{path}: rubric drafted ({len(rubric.criteria)} criteria); review it", err=True)
        else:
            click.echo(dump_question(q))
