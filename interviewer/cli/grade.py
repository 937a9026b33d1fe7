"""`interviewer grade INPUT -o OUTPUT`: grade written answers in batch, resumably."""

from __future__ import annotations

import statistics
from collections import Counter
from collections.abc import Callable
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from pathlib import Path

import click
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeElapsedColumn, TimeRemainingColumn
from rich.table import Table

from ..bank.models import Question
from ..bank.storage import load_bank
from ..errors import InterviewerError
from ..grader.batch import ResultWriter, Row, check_paths, done_ids, read_rows, repair_tail, result_record
from ..grader.grader import Grader
from ..grader.models import Grade
from ..grader.review import Reviewer
from ..grading import make_grader, make_reviewer
from ..settings import Settings
from . import cli
from .options import InputFile, model_options


#: One answer to one question -> its grade (the live grader's `grade` or the reviewer's `review`).
GradeOne = Callable[[Question, str], Grade]


@dataclass
class Tally:
    """What a batch run did: scores of the rows graded now, their flags, rows that failed, and whether Ctrl+C
    stopped it."""

    scores: list[float] = field(default_factory=list)
    flags: Counter[str] = field(default_factory=Counter)
    failed: list[tuple[Row, str]] = field(default_factory=list)
    interrupted: bool = False


@cli.command()
@click.argument("input_path", metavar="INPUT", type=InputFile())
@click.option("--output", "-o", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="Results file: .jsonl (default) or .csv. Re-running skips rows already in it.")
@click.option("--jobs", "-j", type=click.IntRange(1, 64), default=None,
              help="Rows graded at once (default: as many as the model's backend serves at once; 1 for a local model).")
@click.option("--lexical", is_flag=True, help="Grade with model-free signals only (fast, less accurate).")
@click.option("--live", is_flag=True, help="The live grade alone (the interview's fast grade) instead of the review "
              "grade, which checks facts against the reference and costs more per answer.")
@model_options
def grade(input_path: Path, output: Path, jobs: int | None, lexical: bool, live: bool, settings: Settings) -> None:
    """Grade the answers in INPUT (CSV or JSONL) with the review grade (or --live).

    Columns: id, answer, and either question_id (from the bank) or question + reference_answer
    (a rubric is drafted from the reference answer and cached). Bad rows are reported with their
    line numbers and skipped; they do not stop the run. Ctrl+C stops after the rows in flight and
    keeps every finished one: run the same command again to continue.
    """
    console = Console(stderr=True)
    check_paths(input_path, output)
    rows, bad = read_rows(input_path, load_bank(), settings.max_answer_chars)
    for b in bad:
        console.print(f"[yellow]line {b.line}[/]{escape(f' (id {b.id})') if b.id else ''}: {escape(b.reason)}")
    repair_tail(output)
    done = done_ids(output)
    todo = [r for r in rows if r.id not in done]
    if done:
        console.print(escape(f"{len(rows) - len(todo)} rows already graded in {output}; grading the other {len(todo)}"))
    model_name = None if lexical else settings.model
    judge: Grader | Reviewer = make_grader(model_name, settings) if live else make_reviewer(model_name, settings)
    workers = min(jobs or 64, judge.model.max_concurrency) if judge.model is not None else 1
    writer = ResultWriter(output)
    grade_one: GradeOne = judge.grade if isinstance(judge, Grader) else judge.review
    try:
        tally = grade_rows(grade_one, todo, workers, writer, console)
    finally:
        writer.close()
    for row, err in tally.failed:
        console.print(f"[red]line {row.line}[/] {escape(f'(id {row.id}): not graded: {err}')}")

    table = Table("graded now", "already done", "bad rows", "failed", "mean score", "median", "flags",
                  title=escape(f"{input_path.name} -> {output.name} ({'live' if live else 'review'} grade, "
                               f"{judge.model_id})"))
    scores = tally.scores
    table.add_row(str(len(scores)), str(len(rows) - len(todo)), str(len(bad)), str(len(tally.failed)),
                  f"{statistics.mean(scores):.2f}" if scores else "-",
                  f"{statistics.median(scores):.2f}" if scores else "-",
                  ", ".join(f"{k} {v}" for k, v in tally.flags.most_common()) or "none")
    Console().print(table)
    if tally.interrupted:
        raise click.ClickException(f"interrupted after {len(scores)} rows; they are saved in {output}. "
                                   "Re-run the same command to grade the rest")
    if tally.failed:
        raise click.ClickException(f"{len(tally.failed)} rows failed to grade; re-run the same command to retry them")


def grade_rows(grade_one: GradeOne, todo: list[Row], workers: int, writer: ResultWriter, console: Console) -> Tally:
    """Grade `todo` with `workers` rows in flight at most, writing each result as it finishes. Ctrl+C
    finishes the rows in flight and stops."""
    tally = Tally()

    def settle(row: Row, fut: Future[Grade]) -> None:
        try:
            g = fut.result()
        except InterviewerError as e:
            tally.failed.append((row, str(e)))
            return
        except Exception as e:  # noqa: BLE001 - one row the grader cannot take never stops the others
            tally.failed.append((row, f"{type(e).__name__}: {e}"))
            return
        writer.write(result_record(row, g))
        tally.scores.append(g.score)
        tally.flags.update(f.value for f in g.flags)

    pool = ThreadPoolExecutor(max_workers=workers)
    running: dict[Future[Grade], Row] = {}
    try:
        with Progress("[progress.description]{task.description}", BarColumn(), MofNCompleteColumn(),
                      "[cyan]{task.fields[rate]}", TimeElapsedColumn(), TimeRemainingColumn(),
                      console=console) as progress:
            task = progress.add_task("grading", total=len(todo), rate="")
            queue = iter(todo)
            try:
                while True:
                    # Only `workers` rows are ever in flight: Ctrl+C has nothing queued to wait for.
                    for row in queue:
                        running[pool.submit(grade_one, row.question, row.answer)] = row
                        if len(running) >= workers:
                            break
                    if not running:
                        break
                    finished, _ = wait(running, return_when=FIRST_COMPLETED)
                    for fut in finished:
                        settle(running.pop(fut), fut)
                        elapsed = progress.tasks[0].elapsed or 0
                        rate = f"{len(tally.scores) / elapsed:.2f} rows/s" if elapsed else ""
                        progress.update(task, advance=1, rate=rate)
            except KeyboardInterrupt:
                tally.interrupted = True
                console.print(f"[yellow]Interrupted: finishing the {len(running)} row(s) in flight...[/]")
                wait(list(running))
                for fut in list(running):
                    settle(running.pop(fut), fut)
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
    return tally
