"""Batch grading: read CSV/JSONL rows, grade each, append results to an output file that doubles as a resume log."""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from ..bank.models import Question, Rubric
from ..bank.storage import Bank
from ..errors import InputError
from ..paths import cache_dir
from .draft import content_hash, draft_rubric
from .models import Grade

OUTPUT_FIELDS = ["id", "question_id", "score", "abstained", "flags", "confidence", "verdicts", "evidence",
                 "feedback", "model_id", "prompt_version", "rubric_version", "seconds"]


@dataclass
class Row:
    line: int
    id: str
    answer: str
    question: Question


@dataclass
class BadRow:
    line: int
    id: str | None
    reason: str


def _read_records(path: Path) -> Iterator[tuple[int, dict | None, str | None]]:
    """(line number, record or None, error) for each row of a CSV or JSONL file."""
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError:
        raise InputError(f"{path}: not UTF-8 text; save it as UTF-8 and retry") from None
    suffix = path.suffix.lower()
    if suffix in (".jsonl", ".ndjson", ".json"):
        for n, line in enumerate(text.splitlines(), 1):
            if not line.strip():
                continue
            try:
                rec = json.loads(line)
            except json.JSONDecodeError as e:
                yield n, None, f"not valid JSON ({e.msg})"
                continue
            if not isinstance(rec, dict):
                yield n, None, "expected a JSON object"
                continue
            yield n, rec, None
    elif suffix in (".csv", ".tsv"):
        reader = csv.DictReader(text.splitlines(keepends=True), delimiter="\t" if suffix == ".tsv" else ",")
        if not reader.fieldnames:
            raise InputError(f"{path}: empty file, or no header row")
        for rec in reader:
            if None in rec:
                yield reader.line_num, None, "more fields than the header has"
                continue
            yield reader.line_num, rec, None
    else:
        raise InputError(f"{path}: unknown input format {suffix!r}; use .csv, .tsv or .jsonl")


def _cached_rubric(question: str, reference: str) -> Rubric:
    path = cache_dir() / "rubrics" / f"{content_hash(question, reference)}.json"
    if path.is_file():
        try:
            return Rubric.model_validate_json(path.read_text("utf-8"))
        except ValueError:
            pass  # a corrupt cache entry is redrafted
    rubric = draft_rubric(question, reference)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(rubric.model_dump_json(), "utf-8")
    tmp.replace(path)
    return rubric


def read_rows(path: Path, bank: Bank, max_chars: int) -> tuple[list[Row], list[BadRow]]:
    rows, bad, seen = [], [], set()
    for line, rec, error in _read_records(path):
        if error:
            bad.append(BadRow(line, None, error))
            continue
        assert rec is not None
        rid = str(rec.get("id") or "").strip()
        answer = rec.get("answer")
        if not rid:
            bad.append(BadRow(line, None, "missing column 'id'"))
            continue
        if rid in seen:
            bad.append(BadRow(line, rid, "duplicate id"))
            continue
        if answer is None:
            bad.append(BadRow(line, rid, "missing column 'answer'"))
            continue
        answer = str(answer)
        if not answer.strip():
            bad.append(BadRow(line, rid, "empty answer"))
            continue
        if len(answer) > max_chars:
            bad.append(BadRow(line, rid, f"answer of {len(answer)} characters is over the limit of {max_chars}"))
            continue
        qid = str(rec.get("question_id") or "").strip()
        if qid:
            if qid not in bank.questions:
                bad.append(BadRow(line, rid, f"unknown question_id {qid!r}"))
                continue
            question = bank.questions[qid]
        elif str(rec.get("question") or "").strip() and str(rec.get("reference_answer") or "").strip():
            q_text, ref = str(rec["question"]).strip(), str(rec["reference_answer"]).strip()
            question = Question(id=f"custom-{content_hash(q_text, ref)}", category="Custom", number=1,
                                question=q_text, reference_answer=ref, rubric=_cached_rubric(q_text, ref))
        else:
            bad.append(BadRow(line, rid, "needs 'question_id', or 'question' and 'reference_answer'"))
            continue
        seen.add(rid)
        rows.append(Row(line, rid, answer, question))
    return rows, bad


def done_ids(output: Path) -> set[str]:
    """Ids already graded in OUTPUT (a partial last line from an interrupted run is ignored)."""
    if not output.is_file():
        return set()
    ids = set()
    text = output.read_text("utf-8", errors="replace")
    if output.suffix.lower() == ".csv":
        for rec in csv.DictReader(text.splitlines(keepends=True)):
            if rec.get("id") and rec.get("score") not in (None, ""):
                ids.add(rec["id"])
    else:
        for line in text.splitlines():
            try:
                ids.add(str(json.loads(line)["id"]))
            except (ValueError, KeyError, TypeError):
                continue
    return ids


def result_record(row: Row, grade: Grade) -> dict:
    return {
        "id": row.id, "question_id": row.question.id, "score": grade.score, "abstained": grade.abstained,
        "flags": [f.value for f in grade.flags], "confidence": grade.confidence,
        "verdicts": {c.criterion_id: c.verdict.value for c in grade.criteria},
        "evidence": {c.criterion_id: c.evidence for c in grade.criteria if c.evidence},
        "feedback": grade.feedback.as_text(), "model_id": grade.model_id, "prompt_version": grade.prompt_version,
        "rubric_version": grade.rubric_version, "seconds": grade.seconds,
    }


class ResultWriter:
    """Appends one record per graded row and flushes it, so a killed run loses at most the row in flight."""

    def __init__(self, output: Path) -> None:
        self.output = output
        self.csv = output.suffix.lower() == ".csv"
        output.parent.mkdir(parents=True, exist_ok=True)
        self._repair_tail()
        new = not output.is_file() or output.stat().st_size == 0
        self.file = output.open("a", encoding="utf-8", newline="")
        if self.csv:
            self.writer = csv.DictWriter(self.file, fieldnames=OUTPUT_FIELDS)
            if new:
                self.writer.writeheader()

    def _repair_tail(self) -> None:
        """Cut an unterminated last line left by a killed run."""
        if not self.output.is_file():
            return
        data = self.output.read_bytes()
        if data and not data.endswith(b"\n"):
            self.output.write_bytes(data[: data.rfind(b"\n") + 1])

    def write(self, record: dict) -> None:
        if self.csv:
            self.writer.writerow({k: json.dumps(v) if isinstance(v, (dict, list)) else v for k, v in record.items()})
        else:
            self.file.write(json.dumps(record, ensure_ascii=False) + "\n")
        self.file.flush()

    def close(self) -> None:
        self.file.close()
