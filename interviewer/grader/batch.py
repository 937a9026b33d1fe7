"""Batch grading: read CSV/JSONL rows, grade each, append results to an output file that doubles as a resume log."""

from __future__ import annotations

import csv
import io
import json
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from ..bank.models import Question, Rubric
from ..bank.storage import Bank
from ..errors import InputError
from ..files import atomic_write
from ..paths import cache_dir
from .draft import content_hash, draft_rubric
from .models import Grade
from ..text import drop_surrogates

#: The longest CSV field read (Python's default of 128 KiB aborts a whole file on one long answer); an
#: answer over the answer limit is still reported as a bad row, not read.
csv.field_size_limit(64 * 1024 * 1024)
#: First characters that make a spreadsheet run a cell as a formula (and the escape character itself).
FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "'")

OUTPUT_FIELDS = ["id", "question_id", "score", "abstained", "flags", "confidence", "verdicts", "evidence",
                 "feedback", "model_id", "prompt_version", "rubric_version", "seconds", "stage", "errors"]


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


def jsonl_lines(text: str) -> list[str]:
    """JSONL's lines: split on \\n only (str.splitlines also splits on U+2028, U+0085 and others, which JSON
    allows raw inside strings), with a \\r before the \\n dropped."""
    return [line[:-1] if line.endswith("\r") else line for line in text.split("\n")]


def _read_text(path: Path) -> str:
    try:
        return path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError as e:
        raise InputError(f"{path}: not UTF-8 text (bad byte at offset {e.start}); save it as UTF-8 and retry") from None
    except OSError as e:
        raise InputError(f"{path}: cannot read it ({e.strerror})") from None


def _read_records(path: Path) -> Iterator[tuple[int, dict | None, str | None]]:
    """(line number, record or None, error) for each row of a CSV or JSONL file."""
    text = _read_text(path)
    if "\x00" in text:
        raise InputError(f"{path}: contains NUL bytes; is it a binary file? Expected UTF-8 CSV or JSONL")
    suffix = path.suffix.lower()
    if suffix in (".jsonl", ".ndjson", ".json"):
        for n, line in enumerate(jsonl_lines(text), 1):
            if not line.strip():
                continue
            try:
                rec = json.loads(line)
            except json.JSONDecodeError as e:
                yield n, None, f"not valid JSON ({e.msg})"
                continue
            except ValueError:  # Python's limit on digits in an int (4300 by default)
                yield n, None, "not valid JSON here (a number with too many digits)"
                continue
            except RecursionError:
                yield n, None, "not valid JSON (nested too deeply)"
                continue
            if not isinstance(rec, dict):
                yield n, None, "expected a JSON object"
                continue
            yield n, rec, None
    elif suffix in (".csv", ".tsv"):
        reader = csv.DictReader(io.StringIO(text, newline=""), delimiter="\t" if suffix == ".tsv" else ",",
                                strict=True)
        try:
            if not reader.fieldnames:
                raise InputError(f"{path}: empty file, or no header row")
            for rec in reader:
                if None in rec:
                    yield reader.line_num, None, "more fields than the header has"
                    continue
                yield reader.line_num, {k: _unescape(v) if k == "id" else v for k, v in rec.items()}, None
        except csv.Error as e:
            raise InputError(f"{path}: line {reader.line_num}: malformed CSV ({e})") from None
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
    atomic_write(path, rubric.model_dump_json())
    return rubric


def read_rows(path: Path, bank: Bank, max_chars: int) -> tuple[list[Row], list[BadRow]]:
    rows, bad, seen = [], [], set()
    for line, rec, error in _read_records(path):
        if error:
            bad.append(BadRow(line, None, error))
            continue
        assert rec is not None
        rid = str(rec.get("id") or "").strip() if not isinstance(rec.get("id"), (dict, list)) else ""
        answer = rec.get("answer")
        if not rid:
            bad.append(BadRow(line, None, "missing column 'id'"))
            continue
        if drop_surrogates(rid) != rid:  # JSON's "\ud800": no UTF-8 file can hold such an id
            bad.append(BadRow(line, rid.encode("utf-8", "backslashreplace").decode(),
                              "the id holds a lone surrogate (\\ud800-\\udfff), which is not text"))
            continue
        if rid in seen:
            bad.append(BadRow(line, rid, "duplicate id"))
            continue
        if answer is None:
            bad.append(BadRow(line, rid, "missing column 'answer'"))
            continue
        if not isinstance(answer, str):
            bad.append(BadRow(line, rid, f"'answer' should be text, not {type(answer).__name__}"))
            continue
        if not answer.strip():
            bad.append(BadRow(line, rid, "empty answer"))
            continue
        if len(answer) > max_chars:
            bad.append(BadRow(line, rid, f"answer of {len(answer)} characters is over the limit of {max_chars}"))
            continue
        qid = rec.get("question_id") or ""
        qid = qid.strip() if isinstance(qid, str) else str(qid)
        if qid:
            if qid not in bank.questions:
                bad.append(BadRow(line, rid, f"unknown question_id {qid!r}"))
                continue
            question = bank.questions[qid]
        elif str(rec.get("question") or "").strip() and str(rec.get("reference_answer") or "").strip():
            q_text, ref = (drop_surrogates(str(rec[k])).strip() for k in ("question", "reference_answer"))
            try:
                question = Question(id=f"custom-{content_hash(q_text, ref)}", category="Custom", number=1,
                                    question=q_text, reference_answer=ref, rubric=_cached_rubric(q_text, ref))
            except ValueError as e:
                reason = str(e).strip().splitlines()[0] if str(e).strip() else type(e).__name__
                bad.append(BadRow(line, rid, f"no rubric can be drafted from its question and reference ({reason})"))
                continue
        else:
            bad.append(BadRow(line, rid, "needs 'question_id', or 'question' and 'reference_answer'"))
            continue
        seen.add(rid)
        rows.append(Row(line, rid, answer, question))
    return rows, bad


def check_paths(input_path: Path, output: Path) -> None:
    """Refuse an output that would overwrite the input, or that cannot be a file."""
    try:
        same = output.exists() and os.path.samefile(input_path, output)
    except OSError:
        same = False
    if same or input_path.resolve() == output.resolve():
        raise InputError(f"{output}: the output is the input file; write the results to another file")
    if output.exists() and not output.is_file():
        raise InputError(f"{output}: exists and is not a file")
    for parent in output.resolve().parents:
        if parent.exists():
            if not parent.is_dir():
                raise InputError(f"{output}: cannot create it, {parent} is a file, not a folder")
            break


def done_ids(output: Path) -> set[str]:
    """Ids already graded in OUTPUT. Only complete records count: call it after `repair_tail`."""
    if not output.is_file():
        return set()
    ids = set()
    text = output.read_text("utf-8", errors="replace")
    if output.suffix.lower() == ".csv":
        try:
            for rec in csv.DictReader(io.StringIO(text, newline="")):
                if rec.get("id") and rec.get("score") not in (None, ""):
                    ids.add(_unescape(rec["id"]))
        except csv.Error as e:
            raise InputError(f"{output}: the results file is not valid CSV ({e}); move it away to start afresh") from None
    else:
        for line in jsonl_lines(text):
            try:
                ids.add(str(json.loads(line)["id"]))
            except (ValueError, KeyError, TypeError):
                continue
    return ids


def repair_tail(output: Path) -> None:
    """Cut a last record that a killed run left unfinished (JSONL: an unterminated line; CSV: a record that
    is not whole: cut anywhere, even just after a line break inside a quoted field, where the file ends in a
    line break but an open quote would swallow the next record appended). A CSV file that is broken before
    its last record is refused (InputError): cutting it would throw away graded rows."""
    if not output.is_file():
        return
    data = output.read_bytes()
    if output.suffix.lower() != ".csv":
        if data and not data.endswith(b"\n"):
            output.write_bytes(data[: data.rfind(b"\n") + 1])
        return
    text = data.decode("utf-8", errors="surrogateescape")  # encodes back to the very same bytes
    whole = _whole_records(text)
    if whole == len(text):
        return
    try:
        tail_records = sum(1 for _ in csv.reader(io.StringIO(text[whole:], newline="")))
    except csv.Error:
        tail_records = 2
    if tail_records > 1:
        raise InputError(f"{output}: line {text.count(chr(10), 0, whole) + 1}: the results file is not valid CSV "
                         "from there on; fix it, or move it away to start afresh")
    output.write_bytes(data[: len(text[:whole].encode("utf-8", errors="surrogateescape"))])


def _whole_records(text: str) -> int:
    """How many characters at the start of a CSV text are whole records: each ends in a line break and has as
    many fields as the first (the header); blank lines count as whole."""
    ends: list[int] = []

    def lines() -> Iterator[str]:
        end = 0
        for line in io.StringIO(text, newline=""):
            end += len(line)
            ends.append(end)
            yield line

    whole, width = 0, None
    try:
        for row in csv.reader(lines(), strict=True):
            if row:
                width = len(row) if width is None else width
                if len(row) != width or not text.endswith("\n", 0, ends[-1]):
                    break
            whole = ends[-1]
    except csv.Error:
        pass
    return whole


def result_record(row: Row, grade: Grade) -> dict:
    return {
        "id": row.id, "question_id": row.question.id, "score": grade.score, "abstained": grade.abstained,
        "flags": [f.value for f in grade.flags], "confidence": grade.confidence,
        "verdicts": {c.criterion_id: c.verdict.value for c in grade.criteria},
        "evidence": {c.criterion_id: c.evidence for c in grade.criteria if c.evidence},
        "errors": [{"quote": e.quote, "correction": e.correction} for e in grade.errors],
        "feedback": grade.feedback.as_text(), "stage": grade.stage.value, "model_id": grade.model_id,
        "prompt_version": grade.prompt_version, "rubric_version": grade.rubric_version, "seconds": grade.seconds,
    }


class ResultWriter:
    """Appends one record per graded row and flushes it, so a killed run loses at most the row in flight."""

    def __init__(self, output: Path) -> None:
        self.output = output
        self.csv = output.suffix.lower() == ".csv"
        try:
            output.parent.mkdir(parents=True, exist_ok=True)
            repair_tail(output)
            new = not output.is_file() or output.stat().st_size == 0
            self.file = output.open("a", encoding="utf-8", newline="")
        except OSError as e:
            raise InputError(f"{output}: cannot write results there ({e.strerror or e})") from None
        if self.csv:
            # Rows appended to an existing file follow its header (one written before a column was added lacks it).
            fields = OUTPUT_FIELDS if new else _header(output) or OUTPUT_FIELDS
            self.writer = csv.DictWriter(self.file, fieldnames=fields, extrasaction="ignore")
            if new:
                self.writer.writeheader()

    def write(self, record: dict) -> None:
        if self.csv:
            self.writer.writerow({k: _escape(json.dumps(v, ensure_ascii=False) if isinstance(v, (dict, list)) else v)
                                  for k, v in record.items()})
        else:
            self.file.write(json.dumps(record, ensure_ascii=False) + "\n")
        self.file.flush()

    def close(self) -> None:
        self.file.close()


def _header(path: Path) -> list[str]:
    """The column names of an existing CSV results file (its first line)."""
    with path.open(encoding="utf-8", newline="") as f:
        return next(csv.reader(f), [])


def _escape(value):
    """A CSV cell a spreadsheet will not run as a formula: text starting with = + - @ (or a tab, a carriage
    return, or the escape ' itself) gets a leading '. `_unescape` reverses it when the file is read back."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def _unescape(value):
    if isinstance(value, str) and value.startswith("'") and value[1:].startswith(FORMULA_START):
        return value[1:]
    return value
