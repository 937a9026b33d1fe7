"""`interviewer bank ...`: list, show, import, validate and count the question bank."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import click
from rich.console import Console, Group
from rich.markdown import Markdown
from rich.panel import Panel
from rich.table import Table

from ..bank.importer import import_document
from ..bank.storage import load_bank, load_bank_dir, shipped_bank_root, write_bank
from ..bank.validate import validate_dir
from ..errors import BankError
from ..paths import user_bank_dir
from . import cli
from .options import InputFile


@cli.group()
def bank() -> None:
    """Browse, import and validate the question bank."""


@bank.command("list")
@click.option("--category", "-c", multiple=True, help="Only these categories (name or slug); repeatable.")
def list_(category: tuple[str, ...]) -> None:
    """List questions: id, difficulty and the question."""
    b = load_bank()
    table = Table("id", "lvl", "question", box=None, pad_edge=False)
    for q in b.in_categories(category):
        table.add_row(q.id, str(q.difficulty), q.question)
    Console().print(table)


@bank.command()
@click.argument("question_id")
@click.option("--no-answer", is_flag=True, help="Hide the reference answer and the rubric (practice mode).")
def show(question_id: str, no_answer: bool) -> None:
    """Show a question with its reference answer and rubric."""
    q = load_bank().get(question_id)
    console = Console()
    header = f"[bold]{q.id}[/]  {q.category} · difficulty {q.difficulty}" + (
        f" · {', '.join(q.tags)}" if q.tags else ""
    )
    console.print(Panel(q.question, title=header, title_align="left"))
    if no_answer:
        return
    console.print(Panel(Markdown(q.reference_answer), title="Reference answer", title_align="left"))
    if q.rubric is None:
        console.print("[yellow]No rubric: the grader drafts one from the reference answer.[/]")
        return
    table = Table("criterion", "w", "core", "point / key terms / probes", title=f"Rubric {q.rubric.version()}")
    for c in q.rubric.criteria:
        terms = "; ".join(" | ".join(group) for group in c.key_terms)
        probes = "\n".join(f"? {p}" for p in c.probes)
        table.add_row(c.id, str(c.weight), "yes" if c.core else "", Group(c.point, f"[dim]{terms}[/]", f"[cyan]{probes}[/]"))
    console.print(table)


@bank.command("import")
@click.argument("path", type=InputFile())
@click.option(
    "--out", "-o", type=click.Path(file_okay=False, path_type=Path), default=None,
    help="Bank directory to write (default: your user bank, loaded with the shipped one).",
)
@click.option("--dry-run", is_flag=True, help="Parse and check, write nothing.")
def import_(path: Path, out: Path | None, dry_run: bool) -> None:
    """Import a question document (the seed's format) into a bank directory.

    Rubrics already in OUT for the same question are kept.
    """
    out = out or user_bank_dir()
    existing = load_bank_dir(out).questions if out.is_dir() and any(out.rglob("*.yaml")) else {}
    questions = import_document(path, existing)
    if out.resolve() != Path(str(shipped_bank_root())).resolve():
        clash = [q.id for q in questions if q.id in load_bank(include_user=False).questions]
        if clash and out == user_bank_dir():
            raise BankError(
                f"{path}: ids {', '.join(clash[:5])} already exist in the shipped bank; rename the categories or use --out"
            )
    counts = Counter(q.category for q in questions)
    for name, n in counts.items():
        click.echo(f"{n:4d}  {name}")
    if dry_run:
        click.echo(f"{len(questions)} questions parsed (dry run, nothing written)")
        return
    write_bank(out, questions)
    kept = sum(1 for q in questions if q.rubric is not None)
    click.echo(f"{len(questions)} questions written to {out} ({kept} with rubrics kept)")


@bank.command()
@click.argument("path", required=False, type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--require-rubrics", is_flag=True, help="A question without a rubric is an error.")
def validate(path: Path | None, require_rubrics: bool) -> None:
    """Check a bank directory (default: the shipped bank): schema, ids, rubrics, sources, and that every rubric can
    grade its question (key terms the matcher can find and the question does not give away, probes that do not
    lead). Rule errors end with their kind in brackets, e.g. [key-term-in-question]."""
    root = path if path is not None else shipped_bank_root()
    report = validate_dir(root, require_rubrics=require_rubrics or path is None)
    for w in report.warnings:
        click.secho(f"warning: {w}", fg="yellow", err=True)
    for e in report.errors:
        click.secho(f"error: {e}", fg="red", err=True)
    if report.kinds:
        summary = ", ".join(f"{kind} {n}" for kind, n in sorted(report.kinds.items(), key=lambda kv: (-kv[1], kv[0])))
        click.secho(f"rubric rules broken: {summary}", fg="red", err=True)
    if not report.ok:
        raise click.ClickException(f"{len(report.errors)} errors in {root}")
    n_criteria = sum(len(q.rubric.criteria) for q in report.bank.questions.values() if q.rubric)
    warned = f", {len(report.warnings)} warnings" if report.warnings else ""
    click.echo(
        f"OK: {len(report.bank)} questions, {len(report.bank.categories)} categories, {n_criteria} criteria{warned}"
    )


@bank.command()
def stats() -> None:
    """Questions per category, with difficulty and rubric counts."""
    b = load_bank()
    table = Table("category", "questions", "diff 1/2/3", "criteria", "with rubric")
    for name, qs in b.categories.items():
        diffs = Counter(q.difficulty for q in qs)
        table.add_row(
            name, str(len(qs)), "/".join(str(diffs.get(d, 0)) for d in (1, 2, 3)),
            str(sum(len(q.rubric.criteria) for q in qs if q.rubric)), str(sum(1 for q in qs if q.rubric)),
        )
    table.add_section()
    table.add_row("total", str(len(b)), "", "", str(sum(1 for q in b.questions.values() if q.rubric)))
    Console().print(table)
    click.echo(f"{len(b)} questions in {len(b.categories)} categories")
