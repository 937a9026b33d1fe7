"""Scope notes: what the interviewer may say when the candidate asks what a question covers. `bank validate` rejects
a note that names a core criterion's key term (scope-names-term) and warns when a question has none."""

from __future__ import annotations

import pytest
import yaml
from click.testing import CliRunner

from interviewer.bank.importer import import_document
from interviewer.bank.models import Question
from interviewer.bank.storage import dump_question, load_bank, parse_question, shipped_bank_root
from interviewer.bank.validate import SCOPE_MAX_WORDS, scope_leaks, validate_dir
from interviewer.cli import cli
from interviewer.text import words

from test_bank_validate import QUESTION, bank_with, set_terms


def set_scope(text):
    return lambda q: q.update(scope=text) if text is not None else q.pop("scope", None)


@pytest.fixture(scope="module")
def bank():
    return load_bank(include_user=False)


# --- the shipped bank ----------------------------------------------------------------------------------------------

def test_every_shipped_question_has_a_short_scope_note(bank):
    for q in bank.questions.values():
        assert q.scope, q.id
        assert len(words(q.scope)) <= SCOPE_MAX_WORDS, q.id
        assert q.scope.count(". ") + q.scope.count("; ") <= 4, q.id  # one to three short sentences


def test_no_shipped_scope_names_a_core_key_term(bank):
    assert {q.id: scope_leaks(q) for q in bank.questions.values() if scope_leaks(q)} == {}


def test_the_shipped_bank_validates_with_no_scope_problem():
    report = validate_dir(shipped_bank_root(), require_rubrics=True)
    assert report.ok, report.errors
    assert not report.kinds["scope-names-term"]
    assert not [w for w in report.warnings if "scope" in w], report.warnings


# --- the rule ------------------------------------------------------------------------------------------------------

def test_the_tiny_question_with_a_neutral_scope_passes(tmp_path):
    report = validate_dir(bank_with(tmp_path), require_rubrics=True)
    assert report.ok and not report.warnings, (report.errors, report.warnings)


@pytest.mark.parametrize("scope, criterion, term", [
    ("Explain how the update is rescaled and when you would use it.", "rescale", "rescale"),
    ("Rescaling is the heart of it; say when you would use it.", "rescale", "rescale"),  # inflected, capitalised
    ("Cover the max norm you would pick.", "rescale", "max norm"),
    ("Think of training an RNN on long text.", "exploding", "RNN"),
    ("Focus on exploding gradients in deep nets.", "exploding", "exploding gradients"),
])
def test_a_scope_naming_a_core_key_term_is_rejected(tmp_path, scope, criterion, term):
    report = validate_dir(bank_with(tmp_path, set_scope(scope)), require_rubrics=True)
    assert not report.ok
    assert report.kinds["scope-names-term"] >= 1, report.errors
    assert any(f"key term {term!r} of core criterion {criterion}" in e and e.endswith("[scope-names-term]")
               for e in report.errors), report.errors


def test_the_cli_fails_on_a_leaking_scope(tmp_path):
    root = bank_with(tmp_path, set_scope("Say how far the gradient is scaled down and why."))
    result = CliRunner().invoke(cli, ["bank", "validate", str(root)])
    assert result.exit_code == 1
    assert "[scope-names-term]" in result.output and "scope-names-term 1" in result.output


def test_a_depth_criterion_term_in_the_scope_is_allowed(tmp_path):
    # "monitor" and "fires" belong to non-core criteria: a scope may set the scene with them
    report = validate_dir(bank_with(tmp_path, set_scope("Assume you monitor a run where it fires now and then.")),
                          require_rubrics=True)
    assert report.ok, report.errors


def test_a_term_the_question_already_names_is_not_a_leak():
    data = yaml.safe_load(yaml.safe_dump(dict(QUESTION, scope="Explain gradient clipping in your own words.")))
    set_terms("rescale", ["rescale"], ["clipping"])(data)  # a key-term-in-question error of its own
    assert scope_leaks(Question.model_validate(data)) == []


def test_a_negated_mention_still_names_the_term():
    q = Question.model_validate(dict(QUESTION, scope="No need to discuss RNN specifics; any network will do."))
    assert scope_leaks(q) == [("exploding", "RNN")]


def test_a_missing_scope_is_a_warning_not_an_error(tmp_path):
    report = validate_dir(bank_with(tmp_path, set_scope(None)), require_rubrics=True)
    assert report.ok, report.errors
    assert any("no scope note" in w for w in report.warnings), report.warnings


def test_a_long_scope_is_a_warning(tmp_path):
    long = "Explain the idea and when you would use it in practice. " * 8
    report = validate_dir(bank_with(tmp_path, set_scope(long)), require_rubrics=True)
    assert report.ok, report.errors
    assert any("scope note has" in w for w in report.warnings), report.warnings


# --- the field -----------------------------------------------------------------------------------------------------

def test_scope_is_optional_and_never_empty():
    assert Question.model_validate({k: v for k, v in QUESTION.items() if k != "scope"}).scope is None
    with pytest.raises(Exception, match="scope"):
        Question.model_validate(dict(QUESTION, scope="   "))


def test_scope_round_trips_after_tags_and_leaves_the_rubric_version_alone(bank):
    q = bank.get("ml-fundamentals-01")
    text = dump_question(q)
    assert parse_question(text, "x") == q
    keys = [line.split(":")[0] for line in text.splitlines() if line and not line[0].isspace() and ":" in line]
    assert keys[keys.index("tags") + 1] == "scope"
    assert q.model_copy(update={"scope": None}).rubric.version() == q.rubric.version()
    assert "scope" not in dump_question(q.model_copy(update={"scope": None}))


def test_reimport_keeps_the_scope(tmp_path):
    doc = tmp_path / "mine.txt"
    doc.write_text("My Topics\n\n1 questions\n1What is a GPU?\nA parallel processor.\n")
    first = import_document(doc)[0]
    assert first.scope is None
    kept = {first.id: first.model_copy(update={"scope": "Hardware level; one paragraph is enough."})}
    assert import_document(doc, existing=kept)[0].scope == "Hardware level; one paragraph is enough."
