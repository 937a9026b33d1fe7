"""The shipped bank and its schema: counts, rubric rules, traceability of every source."""

from __future__ import annotations

import pytest
import yaml

from interviewer.bank.models import Question, strip_markdown
from interviewer.text import normalize
from interviewer.bank.storage import dump_question, load_bank, parse_question, shipped_bank_root
from interviewer.bank.validate import validate_dir
from interviewer.errors import BankError


@pytest.fixture(scope="module")
def bank():
    return load_bank(include_user=False)


def test_shipped_bank_validates(bank):
    report = validate_dir(shipped_bank_root(), require_rubrics=True)
    assert report.ok, report.errors
    assert len(report.bank) == 85
    assert len(report.bank.categories) == 10


def test_every_rubric_follows_the_rules(bank):
    for q in bank.questions.values():
        assert q.rubric is not None, q.id
        assert 4 <= len(q.rubric.criteria) <= 8, q.id
        assert any(c.core for c in q.rubric.criteria) and not all(c.core for c in q.rubric.criteria), q.id
        assert 1 <= q.difficulty <= 3 and q.tags, q.id
        for c in q.rubric.criteria:
            assert 1 <= len(c.probes) <= 2 and c.key_terms, (q.id, c.id)


def test_every_source_is_verbatim_in_its_reference_answer(bank):
    for q in bank.questions.values():
        text = normalize(strip_markdown(q.reference_answer))
        for c in q.rubric.criteria:
            if c.beyond_reference:  # the reference is silent here: the source justifies the criterion instead
                assert normalize(c.source) not in text and len(c.source.split()) >= 5, (q.id, c.id)
                continue
            assert normalize(c.source) in text, (q.id, c.id)


def test_probes_do_not_give_away_the_source(bank):
    for q in bank.questions.values():
        for c in q.rubric.criteria:
            for p in c.probes:
                assert normalize(c.source) not in normalize(p), (q.id, c.id)


def test_dump_and_parse_round_trip(bank):
    for q in list(bank.questions.values())[:10] + [bank.get("fine-tuning-07")]:
        assert parse_question(dump_question(q), "x") == q
    assert "beyond_reference: true" in dump_question(bank.get("fine-tuning-07"))
    assert "beyond_reference" not in dump_question(bank.get("ml-fundamentals-01"))


def test_a_justified_criterion_may_go_beyond_the_reference():
    q = base()
    q["rubric"]["criteria"][0].update(
        beyond_reference=True, source="The reference never mentions this, yet every senior answer should.")
    parsed = parse_question(yaml.safe_dump(q, allow_unicode=True), "bank/x.yaml")
    assert parsed.rubric.criteria[0].beyond_reference


def base(**over):
    q = yaml.safe_load(dump_question(load_bank(include_user=False).get("ml-fundamentals-01")))
    q.update(over)
    return q


@pytest.mark.parametrize("mutate, message", [
    (lambda q: q.update(extra_field=1), "extra_field"),
    (lambda q: q["rubric"]["criteria"][0].update(source="words that are not in the reference"), "source is not in"),
    (lambda q: q["rubric"]["criteria"][0].update(weight=0), "weight"),
    (lambda q: q["rubric"]["criteria"][1].update(id=q["rubric"]["criteria"][0]["id"]), "duplicate criterion id"),
    (lambda q: q.pop("reference_answer"), "reference_answer"),
    (lambda q: q["rubric"]["criteria"][0].update(probes=[]), "probes"),
    (lambda q: q["rubric"]["criteria"][0].update(beyond_reference=True, source="Obvious."), "must justify"),
    (lambda q: q["rubric"]["criteria"][0].update(beyond_reference="sometimes"), "beyond_reference"),
])
def test_schema_errors_name_file_and_question(mutate, message):
    q = base()
    mutate(q)
    with pytest.raises(BankError, match=message) as e:
        parse_question(yaml.safe_dump(q, allow_unicode=True), "bank/x.yaml")
    assert "bank/x.yaml" in str(e.value) and "ml-fundamentals-01" in str(e.value)


def test_duplicate_yaml_keys_are_refused():
    text = dump_question(load_bank(include_user=False).get("ml-fundamentals-01")) + "difficulty: 3\n"
    with pytest.raises(BankError, match="duplicate key"):
        parse_question(text, "dup.yaml")


def test_rubric_version_changes_with_content(bank):
    q = bank.get("ml-fundamentals-01")
    changed = q.rubric.model_copy(update={"criteria": q.rubric.criteria[:-1]})
    assert q.rubric.version() != changed.version()
    assert q.rubric.version() == Question.model_validate(q.model_dump()).rubric.version()
