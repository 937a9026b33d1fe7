"""`interviewer sessions ...`: list past interviews, show one, export one as Markdown or JSON."""

from __future__ import annotations

import json
from pathlib import Path

import click
from rich.console import Console
from rich.markdown import Markdown
from rich.table import Table

from ..engine import Interview
from ..engine.report import to_markdown
from ..errors import SessionNotFound
from ..store import Transcripts
from ..store.transcripts import MAX_LIST
from ..vocabulary import SessionStatus, Verdict, format_score
from . import cli


def load_session(session_id: str) -> dict:
    """The session's export: {session, report (final, or a partial one while it runs), messages, transcript}.
    A finished session whose checkpoints are gone still exports from the transcript database alone."""
    try:
        with Interview.open(session_id) as it:
            return it.export()
    except SessionNotFound:
        store = Transcripts.open()
        try:
            data = store.export_session(session_id)  # an unknown id raises SessionNotFound here
        finally:
            store.close()
        if data["report"] is None:
            raise
        return data


@cli.group()
def sessions() -> None:
    """Past interview sessions: list, show and export them."""


@sessions.command("list")
@click.option("--limit", "-n", type=click.IntRange(1, MAX_LIST), default=20, show_default=True,
              help="Newest sessions to show.")
def list_(limit: int) -> None:
    """List interview sessions, newest first."""
    store = Transcripts.open()
    try:
        rows = store.sessions(limit=limit)
    finally:
        store.close()
    if not rows:
        click.echo("No sessions yet. Start one with `interviewer interview`.")
        return
    table = Table(box=None, pad_edge=False)
    table.add_column("id", no_wrap=True, min_width=max(len(r["id"]) for r in rows))
    for name in ("started", "status", "level", "answered", "score", "model"):
        table.add_column(name)
    for r in rows:
        table.add_row(r["id"], (r["started_at"] or "")[:16].replace("T", " "), r["status"], r["level"] or "",
                      f"{r['answered'] or 0}/{r['n_questions'] or '?'}", format_score(r["score"]),
                      r["model"] or "lexical")
    Console().print(table)


@sessions.command()
@click.argument("session_id")
@click.option("--full", is_flag=True, help="Print the whole report: answers, criteria and reference answers.")
def show(session_id: str, full: bool) -> None:
    """Show one session's scores (ID may be a unique prefix)."""
    data = load_session(session_id)
    row, report = data["session"], data["report"]
    console = Console()
    if full:
        console.print(Markdown(to_markdown(report)))
        return
    console.print(f"[bold]{row['id']}[/]  {row['status']} · {row['level']} · {row['categories']} · "
                  f"model {row['model'] or 'lexical'} · started {(row['started_at'] or '')[:16].replace('T', ' ')}")
    console.print(f"Overall: [bold]{format_score(report['overall'])}[/]/10 · {report['answered']} of "
                  f"{report['total']} answered" + (" · ended early" if report["ended_early"] else ""))
    table = Table("#", "question", "category", "status", "score", "follow-ups", "missed core")
    for q in report["questions"]:
        missed = [c["id"] for c in q["criteria"] if c["core"] and Verdict(c["verdict"]).missed]
        table.add_row(str(q["position"]), q["question_id"], q["category"], q["status"], format_score(q["score"]),
                      str(q["followups"]), ", ".join(missed))
    console.print(table)
    if report["study"]:
        console.print("[bold]Study first:[/]")
        for i, s in enumerate(report["study"], 1):
            console.print(f"  {i}. {s['category']}: {s['topic']}")
    if row["status"] == SessionStatus.ACTIVE:
        console.print(f"[dim]In progress: continue with `interviewer interview --resume {row['id']}`[/]")


@sessions.command()
@click.argument("session_id")
@click.option("--format", "fmt", type=click.Choice(["md", "json"]), default="md", show_default=True,
              help="Markdown report, or JSON with the session, report, messages and full transcript.")
@click.option("--output", "-o", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Write to this file instead of stdout.")
def export(session_id: str, fmt: str, output: Path | None) -> None:
    """Export one session's report and transcript."""
    data = load_session(session_id)
    if fmt == "md":
        text = to_markdown(data["report"]) + "\n"
    else:
        text = json.dumps(data, indent=2, ensure_ascii=False) + "\n"
    if output is None:
        click.echo(text, nl=False)
    else:
        try:
            output.write_text(text, encoding="utf-8")
        except OSError as e:  # no such folder, no permission, a full disk (/dev/full fails on the last write)
            raise click.ClickException(f"{output}: cannot write the export there ({e.strerror or e})") from None
        click.echo(f"wrote {output}", err=True)
