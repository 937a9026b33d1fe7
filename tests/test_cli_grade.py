"""`interviewer grade`: a CSV written the way a user writes one, bad rows, resume, and a real model."""

from __future__ import annotations

import csv
import json

import pytest
from click.testing import CliRunner
from sample_answers import ANSWERS

from interviewer.cli import cli

CSV = """id,question_id,question,reference_answer,answer
a1,ml-fundamentals-01,,,"{strong}"
a2,ml-fundamentals-01,,,"{wrong}"
a3,,What does a load balancer do?,"A load balancer spreads requests across servers. It uses health checks to remove unhealthy servers.","It spreads incoming requests over several servers, and health checks take broken servers out."
a4,no-such-question,,,"Some answer"
a5,ml-fundamentals-01,,,""
,ml-fundamentals-01,,,"no id"
a7,,What is a cache?,,"Fast storage"
a1,ml-fundamentals-01,,,"duplicate id"
"""


def write_input(tmp_path):
    path = tmp_path / "answers.csv"
    a = ANSWERS["ml-fundamentals-01"]
    path.write_text(CSV.format(strong=a["strong"], wrong=a["wrong"]), encoding="utf-8")
    return path


def test_grade_csv_lexical_reports_bad_rows_and_resumes(tmp_path):
    src = write_input(tmp_path)
    out = tmp_path / "graded.jsonl"
    result = CliRunner().invoke(cli, ["grade", str(src), "-o", str(out), "--lexical"])
    assert result.exit_code == 0, result.output
    for line, reason in [(5, "unknown question_id 'no-such-question'"), (6, "empty answer"), (7, "missing column 'id'"),
                         (8, "needs 'question_id', or 'question' and 'reference_answer'"), (9, "duplicate id")]:
        assert f"line {line}" in result.output and reason in result.output
    rows = [json.loads(l) for l in out.read_text().splitlines()]
    assert [r["id"] for r in rows] == ["a1", "a2", "a3"]
    by_id = {r["id"]: r for r in rows}
    assert by_id["a1"]["score"] > by_id["a2"]["score"]
    assert by_id["a3"]["score"] > 5 and by_id["a3"]["question_id"].startswith("custom-")
    for r in rows:
        assert set(r) >= {"score", "verdicts", "evidence", "feedback", "flags", "model_id", "rubric_version"}
        answer = {"a1": ANSWERS["ml-fundamentals-01"]["strong"], "a2": ANSWERS["ml-fundamentals-01"]["wrong"]}.get(r["id"])
        for quote in r["evidence"].values():
            assert answer is None or quote in answer
    again = CliRunner().invoke(cli, ["grade", str(src), "-o", str(out), "--lexical"])
    assert "3 rows already graded" in again.output
    assert len(out.read_text().splitlines()) == 3


def test_grade_to_csv_and_resume_after_a_partial_line(tmp_path):
    src = write_input(tmp_path)
    out = tmp_path / "graded.csv"
    assert CliRunner().invoke(cli, ["grade", str(src), "-o", str(out), "--lexical"]).exit_code == 0
    rows = list(csv.DictReader(out.open()))
    assert [r["id"] for r in rows] == ["a1", "a2", "a3"]
    assert json.loads(rows[0]["verdicts"])
    # Simulate a run killed mid-write: the last row is cut off.
    text = out.read_text()
    out.write_text(text[: text.rstrip("\n").rfind("\n") + 1] + "a3,custom-x,4.")
    result = CliRunner().invoke(cli, ["grade", str(src), "-o", str(out), "--lexical"])
    assert result.exit_code == 0
    rows = list(csv.DictReader(out.open()))
    assert sorted(r["id"] for r in rows) == ["a1", "a2", "a3"]


def test_malformed_input_files(tmp_path):
    bad = tmp_path / "x.jsonl"
    bad.write_text('{"id": "1", "question_id": "ml-fundamentals-01", "answer": "Bias is underfitting."}\nnot json\n[1]\n')
    out = tmp_path / "o.jsonl"
    result = CliRunner().invoke(cli, ["grade", str(bad), "-o", str(out), "--lexical"])
    assert result.exit_code == 0
    assert "line 2: not valid JSON" in result.output and "line 3: expected a JSON object" in result.output
    assert len(out.read_text().splitlines()) == 1
    weird = tmp_path / "x.xlsx"
    weird.write_text("nope")
    result = CliRunner().invoke(cli, ["grade", str(weird), "-o", str(out)])
    assert result.exit_code == 1 and "unknown input format" in result.output


@pytest.mark.slow
def test_grade_with_the_real_small_model(tmp_path, small_model):
    src = write_input(tmp_path)
    out = tmp_path / "graded.jsonl"
    result = CliRunner().invoke(cli, ["grade", str(src), "-o", str(out), "--model", "local:smollm2-135m"])
    assert result.exit_code == 0, result.output
    rows = [json.loads(l) for l in out.read_text().splitlines()]
    assert len(rows) == 3 and all(r["model_id"].startswith("local:smollm2-135m@") for r in rows)
    assert "graded now" in result.output
