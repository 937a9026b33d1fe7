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


def test_batch_grading_uses_the_review_grade_by_default_and_the_live_grade_with_live(tmp_path):
    src = write_input(tmp_path)
    reviewed, live = tmp_path / "reviewed.jsonl", tmp_path / "live.jsonl"
    first = CliRunner().invoke(cli, ["grade", str(src), "-o", str(reviewed), "--lexical"])
    second = CliRunner().invoke(cli, ["grade", str(src), "-o", str(live), "--lexical", "--live"])
    assert first.exit_code == 0 and second.exit_code == 0, first.output + second.output
    assert "review grade" in first.output and "live grade" in second.output
    for path, stage in [(reviewed, "review"), (live, "live")]:
        rows = [json.loads(l) for l in path.read_text().splitlines()]
        assert [r["id"] for r in rows] == ["a1", "a2", "a3"]
        assert {r["stage"] for r in rows} == {stage} and all(isinstance(r["errors"], list) for r in rows)
        answer = ANSWERS["ml-fundamentals-01"]["wrong"]
        for error in next(r for r in rows if r["id"] == "a2")["errors"]:
            assert error["quote"] in answer  # an error always quotes the candidate


def test_a_csv_written_before_the_review_columns_is_continued_in_its_own_columns(tmp_path):
    src = write_input(tmp_path)
    out = tmp_path / "graded.csv"
    old_header = ["id", "question_id", "score", "abstained", "flags", "confidence", "verdicts", "evidence",
                  "feedback", "model_id", "prompt_version", "rubric_version", "seconds"]
    out.write_text(",".join(old_header) + "\r\na1,ml-fundamentals-01,5.0,False,[],0.9,{},{},,lexical,p,r,0.1\r\n")
    result = CliRunner().invoke(cli, ["grade", str(src), "-o", str(out), "--lexical"])
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(out.open(encoding="utf-8", newline="")))
    assert [r["id"] for r in rows] == ["a1", "a2", "a3"] and all(None not in r for r in rows)
