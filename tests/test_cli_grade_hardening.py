"""`interviewer grade` on hostile and broken inputs: clear errors or per-row reports, never a traceback, and
no graded row lost or duplicated."""

from __future__ import annotations

import csv
import io
import json

import pytest
from click.testing import CliRunner

from interviewer.cli import cli
from interviewer.grader import batch

GOOD = "Bias is error from wrong assumptions; variance is sensitivity to the training sample."


def run(*args):
    result = CliRunner().invoke(cli, ["grade", *map(str, args), "--lexical"])
    assert not isinstance(result.exception, Exception) or isinstance(result.exception, SystemExit), result.output
    return result


def jsonl(path, records, final_newline=True):
    text = "\n".join(json.dumps(r, ensure_ascii=False) for r in records)
    path.write_text(text + ("\n" if final_newline else ""), encoding="utf-8")
    return path


def test_output_equal_to_input_is_refused(tmp_path):
    src = jsonl(tmp_path / "t.jsonl", [{"id": "a", "question_id": "ml-fundamentals-01", "answer": GOOD}],
                final_newline=False)
    before = src.read_bytes()
    result = run(src, "-o", src)
    assert result.exit_code != 0 and "output is the input" in result.output
    assert src.read_bytes() == before
    link = tmp_path / "link.jsonl"
    link.symlink_to(src)
    assert "output is the input" in run(src, "-o", link).output


def test_ids_with_unicode_line_separators_are_one_row_and_not_regraded(tmp_path):
    rid = "row\u2028two\x85three"
    src = jsonl(tmp_path / "in.jsonl", [{"id": rid, "question_id": "ml-fundamentals-01", "answer": GOOD}])
    out = tmp_path / "out.jsonl"
    assert run(src, "-o", out).exit_code == 0
    assert run(src, "-o", out).exit_code == 0
    rows = [json.loads(line) for line in out.read_text(encoding="utf-8").split("\n") if line]
    assert [r["id"] for r in rows] == [rid]


def test_a_torn_csv_tail_is_regraded_not_lost(tmp_path):
    src = jsonl(tmp_path / "in.jsonl", [{"id": f"r{i}", "question_id": "ml-fundamentals-01", "answer": GOOD}
                                        for i in range(3)])
    out = tmp_path / "out.csv"
    assert run(src, "-o", out).exit_code == 0
    text = out.read_text(encoding="utf-8")
    last = text.rstrip("\r\n").rsplit("\n", 1)[1]
    out.write_text(text.rstrip("\r\n")[: -len(last) // 2], encoding="utf-8")  # a kill half-way through r2
    assert run(src, "-o", out).exit_code == 0
    ids = [r["id"] for r in csv.DictReader(io.StringIO(out.read_text(encoding="utf-8"), newline=""))]
    assert sorted(ids) == ["r0", "r1", "r2"]


def test_huge_csv_fields_and_markup_ids_are_reported_per_row(tmp_path):
    src = tmp_path / "in.csv"
    with src.open("w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["id", "question_id", "answer"])
        w.writerow(["big", "ml-fundamentals-01", "x " * 100_000])
        w.writerow(["[/]bad[bold]", "ml-fundamentals-01", GOOD])
        w.writerow(["=cmd|' /C calc'!A0", "ml-fundamentals-01", GOOD])
    out = tmp_path / "out.csv"
    result = run(src, "-o", out)
    assert result.exit_code == 0, result.output
    assert "over the limit" in result.output
    raw = out.read_text(encoding="utf-8")
    assert "\n=cmd" not in raw and "'=cmd" in raw, "formula cells are escaped"
    assert run(src, "-o", out).exit_code == 0  # escaped ids are recognised as done
    rows = list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8"), newline="")))
    assert sorted(batch._unescape(r["id"]) for r in rows) == sorted(["[/]bad[bold]", "=cmd|' /C calc'!A0"])


@pytest.mark.parametrize("content", [b"", b"\x00\x01\x02binary", b"\xff\xfe\xfa not utf-8", b"id,answer\n\"unclosed"])
def test_broken_files_give_a_clear_error(tmp_path, content):
    src = tmp_path / "in.csv"
    src.write_bytes(content)
    result = run(src, "-o", tmp_path / "out.jsonl")
    assert result.exit_code != 0 and "Error:" in result.output and "Traceback" not in result.output


def test_wrong_types_are_bad_rows(tmp_path):
    src = jsonl(tmp_path / "in.jsonl", [
        {"id": "n", "question_id": "ml-fundamentals-01", "answer": 42},
        {"id": {"x": 1}, "question_id": "ml-fundamentals-01", "answer": GOOD},
        {"id": "ok", "question_id": "ml-fundamentals-01", "answer": GOOD}])
    result = run(src, "-o", tmp_path / "out.jsonl")
    assert result.exit_code == 0 and "should be text" in result.output and "missing column 'id'" in result.output


def test_an_output_under_a_file_is_a_clear_error(tmp_path):
    src = jsonl(tmp_path / "in.jsonl", [{"id": "a", "question_id": "ml-fundamentals-01", "answer": GOOD}])
    blocker = tmp_path / "file"
    blocker.write_text("x")
    result = run(src, "-o", blocker / "out.jsonl")
    assert result.exit_code != 0 and "is a file, not a folder" in result.output


def test_ctrl_c_keeps_finished_rows_and_stops(tmp_path, monkeypatch):
    from interviewer.grader.grader import Grader

    calls = {"n": 0}
    real = Grader.grade

    def grade(self, question, answer):
        calls["n"] += 1
        if calls["n"] == 3:
            raise KeyboardInterrupt
        return real(self, question, answer)

    monkeypatch.setattr(Grader, "grade", grade)
    src = jsonl(tmp_path / "in.jsonl", [{"id": f"r{i}", "question_id": "ml-fundamentals-01", "answer": GOOD}
                                        for i in range(20)])
    out = tmp_path / "out.jsonl"
    result = run(src, "-o", out)
    assert result.exit_code != 0 and "interrupted after 2 rows" in result.output
    assert calls["n"] == 3, "nothing more is graded after Ctrl+C"
    assert [json.loads(x)["id"] for x in out.read_text().splitlines()] == ["r0", "r1"]


def test_deeply_nested_json_is_a_bad_row(tmp_path):
    src = tmp_path / "in.jsonl"
    src.write_text("[" * 100_000 + "\n" + json.dumps({"id": "ok", "question_id": "ml-fundamentals-01",
                                                       "answer": GOOD}) + "\n", encoding="utf-8")
    result = run(src, "-o", tmp_path / "out.jsonl")
    assert result.exit_code == 0 and "nested too deeply" in result.output


def test_poison_rows_are_reported_and_the_rest_graded(tmp_path):
    """A lone surrogate (JSON's "\\ud800") in an answer is cleaned away and the answer graded; a 5,000-digit id
    (past Python's int-str limit), a lone surrogate in an id, and a custom question that cannot make a rubric are
    bad rows with their line numbers. Nothing stops the run, and a re-run grades nothing twice."""
    lines = [
        json.dumps({"id": "surrogate-answer", "question_id": "ml-fundamentals-01", "answer": GOOD + "\ud800"}),
        '{"id": ' + "9" * 5000 + ', "question_id": "ml-fundamentals-01", "answer": "x"}',
        json.dumps({"id": "bad\udc80id", "question_id": "ml-fundamentals-01", "answer": GOOD}),
        json.dumps({"id": "custom", "question": "Why \ud800?", "reference_answer": "Because \udfff " + GOOD,
                    "answer": GOOD}),
        json.dumps({"id": "ok", "question_id": "ml-fundamentals-01", "answer": GOOD}),
    ]
    src = tmp_path / "in.jsonl"
    src.write_text("\n".join(lines) + "\n", encoding="utf-8")  # json.dumps escapes: the file is valid UTF-8
    out = tmp_path / "out.jsonl"
    result = run(src, "-o", out)
    assert result.exit_code == 0, result.output
    assert "line 2" in result.output and "line 3" in result.output and "Traceback" not in result.output
    assert "4300" not in result.output, "the reason is ours, not Python's advice on sys.set_int_max_str_digits"
    graded = [json.loads(x)["id"] for x in out.read_text(encoding="utf-8").splitlines()]
    assert sorted(graded) == ["custom", "ok", "surrogate-answer"]
    assert run(src, "-o", out).exit_code == 0
    assert len(out.read_text(encoding="utf-8").splitlines()) == 3, "a re-run grades nothing twice"


def test_a_results_csv_ending_inside_a_quoted_field_is_repaired(tmp_path):
    """A kill can leave the last record cut just after a line break inside a quoted field (feedback holds line
    breaks): the file then ends with a newline but an open quote, which would swallow the next appended row (and
    that row would be graded again on every run)."""
    src = jsonl(tmp_path / "in.jsonl", [{"id": f"r{i}", "question_id": "ml-fundamentals-01", "answer": GOOD}
                                        for i in range(3)])
    out = tmp_path / "out.csv"
    assert run(src, "-o", out).exit_code == 0
    text = out.read_text(encoding="utf-8")
    last = text.rindex("\nr2,") + 1
    inside = text.index("\n", text.index('"', last)) + 1  # just after a line break inside r2's first quoted field
    assert inside < len(text) - 2
    out.write_text(text[:inside], encoding="utf-8", newline="")
    assert run(src, "-o", out).exit_code == 0
    rows = list(csv.reader(io.StringIO(out.read_text(encoding="utf-8"), newline=""), strict=True))
    assert sorted(r[0] for r in rows[1:]) == ["r0", "r1", "r2"]
    assert len({len(r) for r in rows}) == 1
    assert run(src, "-o", out).exit_code == 0
    again = list(csv.reader(io.StringIO(out.read_text(encoding="utf-8"), newline=""), strict=True))
    assert again == rows, "nothing duplicated on the next run"


def test_a_results_csv_broken_before_its_last_record_is_refused_not_cut(tmp_path):
    """Only a torn last record is cut: a results file broken earlier (an edit gone wrong) is refused with a clear
    error rather than truncated, which would throw away graded rows."""
    src = jsonl(tmp_path / "in.jsonl", [{"id": f"r{i}", "question_id": "ml-fundamentals-01", "answer": GOOD}
                                        for i in range(3)])
    out = tmp_path / "out.csv"
    assert run(src, "-o", out).exit_code == 0
    text = out.read_text(encoding="utf-8")
    broken = text.replace("\nr1,", '\nr1,"', 1)
    out.write_text(broken, encoding="utf-8", newline="")
    result = run(src, "-o", out)
    assert result.exit_code != 0 and "Error:" in result.output and "Traceback" not in result.output
    assert out.read_text(encoding="utf-8") == broken, "nothing is cut"


def test_a_row_the_grader_chokes_on_is_reported_and_the_rest_graded(tmp_path, monkeypatch):
    """Whatever a row makes the grader raise, that row is reported by its line and every other row is graded."""
    from interviewer.grader.grader import Grader

    real = Grader.grade

    def choke(self, question, answer, criteria=None):
        if "POISON" in answer:
            raise ValueError("something no one foresaw")
        return real(self, question, answer, criteria)

    monkeypatch.setattr(Grader, "grade", choke)
    src = jsonl(tmp_path / "in.jsonl", [{"id": i, "question_id": "ml-fundamentals-01", "answer": a}
                                        for i, a in (("a", GOOD), ("b", "POISON " + GOOD), ("c", GOOD))])
    out = tmp_path / "out.jsonl"
    result = run(src, "-o", out)
    assert result.exit_code == 1 and "1 rows failed" in result.output
    assert "ValueError: something no one foresaw" in result.output
    assert sorted(json.loads(x)["id"] for x in out.read_text().splitlines()) == ["a", "c"]
