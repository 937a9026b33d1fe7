"""`interviewer bank ...` commands, run the way a user runs them."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from interviewer.cli import cli

SEED = Path(__file__).resolve().parents[2] / "shared" / "seed" / "000_a30df1a408c82aad.txt"


def run(*args):
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def test_stats_counts_85_questions():
    result = run("bank", "stats")
    assert result.exit_code == 0
    assert "85 questions in 10 categories" in result.output
    for name, n in [("ML Fundamentals", 12), ("Responsible AI", 5), ("Vector Databases", 6)]:
        line = next(l for l in result.output.splitlines() if name in l)
        assert f" {n} " in line


def test_validate_shipped_bank():
    result = run("bank", "validate")
    assert result.exit_code == 0, result.output
    assert "OK: 85 questions, 10 categories" in result.output


def test_list_and_filter():
    result = run("bank", "list", "--category", "vector-databases")
    assert result.exit_code == 0
    assert result.output.count("vector-databases-0") == 6
    bad = CliRunner().invoke(cli, ["bank", "list", "-c", "astrology"])
    assert bad.exit_code == 1 and "unknown categories: astrology" in bad.output


def test_show_renders_question_answer_and_rubric():
    result = run("bank", "show", "transformers-llms-04")
    assert result.exit_code == 0
    assert "KV cache" in result.output and "Reference answer" in result.output and "Rubric" in result.output
    hidden = run("bank", "show", "transformers-llms-04", "--no-answer")
    assert "Reference answer" not in hidden.output
    missing = CliRunner().invoke(cli, ["bank", "show", "nope-01"])
    assert missing.exit_code == 1 and "unknown question id 'nope-01'" in missing.output


def test_import_a_user_document_then_validate(tmp_path):
    doc = tmp_path / "mine.txt"
    doc.write_text("My Topics\n\n2 questions\n1What is a GPU?\nA parallel processor.\n\n"
                   "2Why batch?\nThroughput: batching amortises weight loads.\n")
    out = tmp_path / "bank"
    result = run("bank", "import", str(doc), "--out", str(out))
    assert result.exit_code == 0, result.output
    assert "2 questions written" in result.output
    assert sorted(p.name for p in (out / "my-topics").iterdir()) == ["my-topics-01.yaml", "my-topics-02.yaml"]
    check = run("bank", "validate", str(out))
    assert check.exit_code == 0 and "no rubric" in check.output
    strict = CliRunner().invoke(cli, ["bank", "validate", str(out), "--require-rubrics"])
    assert strict.exit_code == 1


def test_import_into_user_bank_is_loaded_with_the_shipped_one(tmp_path):
    doc = tmp_path / "mine.txt"
    doc.write_text("Systems\n\n1 questions\n1What is a cache?\nFast storage for hot data.\n")
    assert run("bank", "import", str(doc)).exit_code == 0
    result = run("bank", "stats")
    assert "86 questions in 11 categories" in result.output


def test_bad_bank_file_fails_cleanly(tmp_path):
    bad = tmp_path / "bank" / "x"
    bad.mkdir(parents=True)
    (bad / "x-01.yaml").write_text("id: x-01\ncategory: X\nnumber: 1\nquestion: [unclosed\n")
    (bad / "x-02.yaml").write_bytes("id: x-02\nquestion: caf\xe9\n".encode("latin-1"))
    result = CliRunner().invoke(cli, ["bank", "validate", str(tmp_path / "bank")])
    assert result.exit_code == 1
    assert "x-01.yaml: not valid YAML" in result.output
    assert "x-02.yaml: not UTF-8" in result.output


def test_import_failure_writes_nothing(tmp_path):
    doc = tmp_path / "broken.txt"
    doc.write_text("Cat\n\n3 questions\n1First?\nAnswer.\n")
    out = tmp_path / "bank"
    result = CliRunner().invoke(cli, ["bank", "import", str(doc), "--out", str(out)])
    assert result.exit_code == 1 and "declares 3 questions but 1" in result.output
    assert not out.exists() or not any(out.rglob("*"))
