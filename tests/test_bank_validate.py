"""`bank validate`'s rubric rules: each rejection class on a tiny bad rubric, and the shipped bank passing them."""

from __future__ import annotations

import copy
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from interviewer.bank.storage import load_bank, shipped_bank_root
from interviewer.bank.validate import key_term_problem, validate_dir
from interviewer.cli import cli

QUESTION = {
    "id": "tiny-01",
    "category": "Tiny",
    "number": 1,
    "question": "What is gradient clipping and when do you use it?",
    "difficulty": 2,
    "tags": ["clipping"],
    "scope": "Explain the mechanism and when you would turn it on in a training run; intuition is enough, no code.",
    "reference_answer": (
        "Gradient clipping rescales the gradient when its norm exceeds a threshold. "
        "It guards against exploding gradients in RNNs and transformers. "
        "Set the max norm around 1.0 and log how often it triggers."
    ),
    "rubric": {"criteria": [
        {"id": "rescale", "point": "Clipping rescales an oversized gradient to a maximum norm.", "weight": 3,
         "core": True, "key_terms": [["rescale", "scale down"], ["max norm", "norm threshold"]],
         "source": "Gradient clipping rescales the gradient when its norm exceeds a threshold.",
         "probes": ["What happens to an update whose size is far above normal?"]},
        {"id": "exploding", "point": "It guards against exploding gradients.", "weight": 2, "core": True,
         "key_terms": [["exploding gradients", "gradient explosion"], ["RNN", "recurrent"]],
         "source": "It guards against exploding gradients in RNNs and transformers.",
         "probes": ["Which failure in training does it prevent, and in which architectures?"]},
        {"id": "setting", "point": "A max norm near 1.0 is a common setting.", "weight": 1, "core": False,
         "key_terms": [["1.0", "unit norm"], ["log", "monitor"]],
         "source": "Set the max norm around 1.0",
         "probes": ["Where would you set the threshold, and how would you know it fires too often?"]},
        {"id": "monitoring", "point": "Log how often clipping triggers.", "weight": 1, "core": False,
         "key_terms": [["clipping rate", "frequency"], ["triggers", "fires"]],
         "source": "log how often it triggers",
         "probes": ["How would you notice that the threshold is badly chosen?"]},
    ]},
}


def bank_with(tmp_path: Path, mutate=None) -> Path:
    q = copy.deepcopy(QUESTION)
    if mutate is not None:
        mutate(q)
    root = tmp_path / "bank"
    (root / "tiny").mkdir(parents=True)
    (root / "tiny" / "tiny-01.yaml").write_text(yaml.safe_dump(q, allow_unicode=True, sort_keys=False), "utf-8")
    return root


def criterion(q: dict, cid: str) -> dict:
    return next(c for c in q["rubric"]["criteria"] if c["id"] == cid)


def set_terms(cid: str, *groups):
    return lambda q: criterion(q, cid).update(key_terms=[list(g) for g in groups])


def set_probe(cid: str, *probes):
    return lambda q: criterion(q, cid).update(probes=list(probes))


def test_the_tiny_rubric_passes(tmp_path):
    report = validate_dir(bank_with(tmp_path), require_rubrics=True)
    assert report.ok, report.errors
    assert not report.warnings, report.warnings


@pytest.mark.parametrize("mutate, kind, named", [
    (set_terms("rescale", ["rescale"], ["when to use"]), "key-term-empty", "when to use"),
    (set_terms("rescale", ["rescale"], ["##", "max norm"]), "key-term-empty", "##"),
    (set_terms("rescale", ["rescale"], ["M", "max norm"]), "key-term-trivial", "M"),
    (set_terms("rescale", ["rescale"], ["both", "max norm"]), "key-term-trivial", "both"),
    (set_terms("rescale", ["rescale"], ["not only large", "max norm"]), "key-term-negation", "not only large"),
    (set_terms("rescale", ["rescale"], ["not all", "max norm"]), "key-term-trivial", "not all"),
    (set_terms("rescale", ["rescale"], ["max norm", "gradient clipping"]), "key-term-in-question", "gradient clipping"),
    (set_terms("rescale", ["rescale"], ["max norm", "clipping"]), "key-term-in-question", "clipping"),
    (set_probe("rescale", "Is the gradient ever rescaled?"), "probe-yes-no", "Is the gradient"),
    (set_probe("rescale", "Doesn't it change the update?"), "probe-yes-no", "Doesn't it"),
    (set_probe("rescale", "Isn’t the update changed?"), "probe-yes-no", "Isn’t the"),
    (set_probe("rescale", "Why would you scale the update down?"), "probe-names-term", "scale down"),
    (set_probe("exploding", "What happens when gradients explode?"), "probe-names-term", "exploding gradients"),
    (set_probe("exploding", "Why are recurrent nets prone to this?"), "probe-names-term", "recurrent"),
    (lambda q: criterion(q, "setting").update(beyond_reference=True), "source-not-beyond", "setting"),
])
def test_each_rule_rejects_its_case(tmp_path, mutate, kind, named):
    report = validate_dir(bank_with(tmp_path, mutate), require_rubrics=True)
    assert not report.ok
    assert report.kinds[kind] >= 1, report.errors
    assert any(named in e and e.endswith(f"[{kind}]") for e in report.errors), report.errors
    assert all("tiny-01.yaml" in e and "question tiny-01" in e for e in report.errors)


def test_the_negation_of_a_term_is_honoured_not_rejected(tmp_path):
    mutate = set_terms("exploding", ["exploding gradients"], ["no recurrence", "without recurrence"])
    report = validate_dir(bank_with(tmp_path, mutate), require_rubrics=True)
    assert report.ok, report.errors


@pytest.mark.parametrize("term, kind", [
    ("", "key-term-empty"), ("...", "key-term-empty"), ("one-to", "key-term-trivial"), ("k", "key-term-trivial"),
    ("no", "key-term-empty"), ("not just speed", "key-term-negation"),
])
def test_key_term_problem(term, kind):
    assert key_term_problem(term)[0] == kind


@pytest.mark.parametrize("term", ["β", "O(n²)", "k=5", "W&B", "a/b", "not generative", "non-linear", "top-k"])
def test_terms_with_symbols_or_negation_are_fine(term):
    assert key_term_problem(term) is None


def test_a_second_probe_that_leads_is_a_warning(tmp_path):
    mutate = set_probe("rescale", "What happens to an update whose size is far above normal?", "Is it rescaled?")
    report = validate_dir(bank_with(tmp_path, mutate), require_rubrics=True)
    assert report.ok
    assert any("probe 2 leads" in w for w in report.warnings)


def test_a_term_that_shrinks_to_one_word_is_a_warning(tmp_path):
    report = validate_dir(bank_with(tmp_path, set_terms("rescale", ["rescale"], ["max norm", "use cases"])),
                          require_rubrics=True)
    assert report.ok
    assert any("'use cases' matches as the single word 'case'" in w for w in report.warnings)


# --- sources: quotes of the reference, or beyond_reference with a justification -------------------------------

def test_a_source_that_is_not_a_quote_needs_beyond_reference(tmp_path):
    mutate = lambda q: criterion(q, "setting").update(source="Adaptive clipping tracks a percentile of past norms.")
    report = validate_dir(bank_with(tmp_path, mutate), require_rubrics=True)
    assert not report.ok and any("source is not in the reference answer" in e for e in report.errors)


def test_beyond_reference_with_a_justification_passes(tmp_path):
    mutate = lambda q: criterion(q, "setting").update(
        beyond_reference=True, source="The reference gives no threshold rule; adaptive clipping is standard practice.")
    report = validate_dir(bank_with(tmp_path, mutate), require_rubrics=True)
    assert report.ok, report.errors
    c = report.bank.get("tiny-01").rubric.criterion("setting")
    assert c.beyond_reference


@pytest.mark.parametrize("source", ["Needed.", "Standard practice here"])
def test_beyond_reference_needs_a_real_justification(tmp_path, source):
    mutate = lambda q: criterion(q, "setting").update(beyond_reference=True, source=source)
    report = validate_dir(bank_with(tmp_path, mutate), require_rubrics=True)
    assert not report.ok and any("must justify" in e for e in report.errors), report.errors


def test_beyond_reference_is_written_only_when_set():
    q = load_bank(include_user=False).get("ml-fundamentals-01")
    assert all("beyond_reference" not in c for c in q.model_dump()["rubric"]["criteria"])


# --- the command line and the shipped bank -------------------------------------------------------------------

def test_cli_names_each_error_and_sums_up_the_kinds(tmp_path):
    root = bank_with(tmp_path, lambda q: (set_terms("rescale", ["rescale"], ["M", "gradient clipping"])(q),
                                          set_probe("exploding", "Is it about exploding gradients?")(q)))
    result = CliRunner().invoke(cli, ["bank", "validate", str(root)])
    assert result.exit_code == 1
    assert "[key-term-trivial]" in result.output and "[probe-yes-no]" in result.output
    assert "rubric rules broken:" in result.output and "probe-names-term 1" in result.output
    assert "4 errors in" in result.output


def test_the_shipped_bank_passes_every_rule():
    report = validate_dir(shipped_bank_root(), require_rubrics=True)
    assert report.ok, "\n".join(report.errors)
    assert not report.kinds and not report.warnings, report.warnings


def test_the_reworked_rubrics_cover_their_questions():
    bank = load_bank(include_user=False)
    beyond = {q.id: [c.id for c in q.rubric.criteria if c.beyond_reference] for q in bank.questions.values()}
    assert {"ccpa-consumer-rights", "ccpa-vs-gdpr"} <= set(beyond["responsible-ai-05"])
    assert {"provider-rate-limits", "token-bucket", "retry-backoff-fallback"} <= set(beyond["production-ai-systems-04"])
    assert "dpo-objective" in beyond["fine-tuning-07"]
    for qid, ids in beyond.items():
        for cid in ids:
            assert bank.get(qid).rubric.criterion(cid).core or cid == "ccpa-vs-gdpr"
