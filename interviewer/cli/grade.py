"""`interviewer grade INPUT -o OUTPUT`: grade written answers in batch, resumably."""

from __future__ import annotations

import statistics
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import click
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeElapsedColumn, TimeRemainingColumn
from rich.table import Table

from ..bank.storage import load_bank
from ..errors import InterviewerError
from ..grader.batch import ResultWriter, done_ids, read_rows, result_record
from ..grader.grader import Grader
from ..llm.registry import get_model
from ..settings import Settings
from . import cli
from .options import model_options


@cli.command()
@click.argument("input_path", metavar="INPUT", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--output", "-o", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="Results file: .jsonl (default) or .csv. Re-running skips rows already in it.")
@click.option("--jobs", "-j", type=int, default=4, show_default=True,
              help="Rows graded at once with an API model (local models grade one at a time).")
@click.option("--lexical", is_flag=True, help="Grade with model-free signals only (fast, less accurate).")
@model_options
def grade(input_path: Path, output: Path, jobs: int, lexical: bool, settings: Settings) -> None:
    """Grade the answers in INPUT (CSV or JSONL).

    Columns: id, answer, and either question_id (from the bank) or question + reference_answer
    (a rubric is drafted from the reference answer and cached). Bad rows are reported with their
    line numbers and skipped; they do not stop the run.
    """
    console = Console(stderr=True)
    rows, bad = read_rows(input_path, load_bank(), settings.max_answer_chars)
    for b in bad:
        console.print(f"[yellow]line {b.line}[/]{f' (id {b.id})' if b.id else ''}: {b.reason}")
    done = done_ids(output)
    todo = [r for r in rows if r.id not in done]
    if done:
        console.print(f"{len(rows) - len(todo)} rows already graded in {output}; grading the other {len(todo)}")
    model = None if lexical else get_model(settings.model, settings)
    grader = Grader(model)
    workers = max(1, jobs) if model is not None and model.name.startswith("openai:") else 1
    writer = ResultWriter(output)
    scores, flags, failed = [], Counter(), []

    def work(row):
        return row, grader.grade(row.question, row.answer)

    try:
        with Progress("[progress.description]{task.description}", BarColumn(), MofNCompleteColumn(),
                      "[cyan]{task.fields[rate]}", TimeElapsedColumn(), TimeRemainingColumn(),
                      console=console) as progress:
            task = progress.add_task("grading", total=len(todo), rate="")
            with ThreadPoolExecutor(max_workers=workers) as pool:
                futures = [pool.submit(work, r) for r in todo]
                for row, fut in zip(todo, futures):
                    try:
                        _, g = fut.result()
                    except InterviewerError as e:
                        failed.append((row, str(e)))
                        progress.advance(task)
                        continue
                    writer.write(result_record(row, g))
                    scores.append(g.score)
                    flags.update(f.value for f in g.flags)
                    elapsed = progress.tasks[0].elapsed or 0
                    progress.update(task, advance=1, rate=f"{len(scores) / elapsed:.2f} rows/s" if elapsed else "")
    finally:
        writer.close()
    for row, err in failed:
        console.print(f"[red]line {row.line} (id {row.id}): not graded: {err}[/]")

    table = Table("graded now", "already done", "bad rows", "failed", "mean score", "median", "flags",
                  title=f"{input_path.name} -> {output.name} ({grader.model_id})")
    table.add_row(str(len(scores)), str(len(rows) - len(todo)), str(len(bad)), str(len(failed)),
                  f"{statistics.mean(scores):.2f}" if scores else "-",
                  f"{statistics.median(scores):.2f}" if scores else "-",
                  ", ".join(f"{k} {v}" for k, v in flags.most_common()) or "none")
    Console().print(table)
    if failed:
        raise click.ClickException(f"{len(failed)} rows failed to grade; re-run the same command to retry them")
