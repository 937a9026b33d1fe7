"""`interviewer sessions list|show|export`, on sessions run through the engine (model-free grading)."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from interviewer.bank.models import strip_markdown
from interviewer.cli import cli
from interviewer.engine import Interview, InterviewConfig


def invoke(*args):
    return CliRunner().invoke(cli, list(args))


@pytest.fixture
def finished():
    """A finished two-question session: a good answer, then a skip."""
    interview, _ = Interview.start(InterviewConfig(questions=2, lexical=True, max_followups=0, seed=6,
                                                   categories=["vector-databases"]))
    question = interview.bank.get(interview.status().question_id)
    interview.answer(strip_markdown(question.reference_answer))
    interview.answer("/skip")
    assert interview.status().done
    interview.close()
    return interview.session_id


@pytest.fixture
def running():
    interview, _ = Interview.start(InterviewConfig(questions=3, lexical=True, max_followups=0, seed=2))
    interview.answer("An answer in progress about the topic.")
    interview.close()
    return interview.session_id


def test_help():
    for args in (["sessions"], ["sessions", "list"], ["sessions", "show"], ["sessions", "export"]):
        result = invoke(*args, "--help")
        assert result.exit_code == 0 and "Usage:" in result.output


def test_list(finished, running):
    result = invoke("sessions", "list")
    assert result.exit_code == 0
    assert finished in result.output and running in result.output
    assert "finished" in result.output and "active" in result.output and "1/3" in result.output


def test_list_when_empty():
    result = invoke("sessions", "list")
    assert result.exit_code == 0 and "No sessions yet" in result.output


def test_show(finished, running):
    result = invoke("sessions", "show", finished)
    assert result.exit_code == 0, result.output
    assert "Overall" in result.output and "skipped" in result.output and "Study first" in result.output
    result = invoke("sessions", "show", running[:-2])  # a unique prefix is enough
    assert result.exit_code == 0 and "1 of 3 answered" in result.output and "--resume" in result.output
    full = invoke("sessions", "show", "--full", finished)
    assert "Reference answer" in full.output


def test_export_md_and_json(finished, tmp_path):
    md = invoke("sessions", "export", finished, "--format", "md")
    assert md.exit_code == 0 and md.output.startswith("# Interview report") and "Reference answer" in md.output

    out = tmp_path / "s.json"
    result = invoke("sessions", "export", finished, "--format", "json", "-o", str(out))
    assert result.exit_code == 0
    data = json.loads(out.read_text())
    assert data["session"]["id"] == finished and data["report"]["answered"] == 2
    assert [q["status"] for q in data["report"]["questions"]] == ["graded", "skipped"]
    first = data["transcript"][0]
    assert first["answers"][0]["grade"]["criteria"] and first["answers"][0]["status"] == "graded"
    assert len(data["report"]["study"]) == 3


def test_unknown_session_is_a_clean_error():
    result = invoke("sessions", "show", "nope")
    assert result.exit_code == 1 and "no interview session 'nope'" in result.output
    assert invoke("sessions", "export", "nope").exit_code == 1
