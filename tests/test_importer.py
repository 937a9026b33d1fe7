"""The seed importer: round trip of the seed, a hand-made document with edge cases, and bad documents."""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import pytest

from interviewer.bank.importer import import_document, parse_document, to_markdown
from interviewer.bank.models import strip_markdown
from interviewer.bank.storage import load_bank_dir, write_bank
from interviewer.errors import BankError

SEED = Path(__file__).resolve().parents[2] / "shared" / "seed" / "000_a30df1a408c82aad.txt"
EXPECTED = {
    "ML Fundamentals": 12, "Deep Learning": 10, "Transformers & LLMs": 12, "RAG & Embeddings": 10,
    "Fine-tuning": 8, "Agents & Tool Use": 8, "Vector Databases": 6, "MLOps": 8, "Production AI Systems": 6,
    "Responsible AI": 5,
}

HAND_MADE = """\
Interview prep
Some preamble that is not a question.

Basics

11 questions
1What is a tensor? Explain shapes.

A tensor is an n-dimensional array.

  • Rank 0: a scalar
  • Rank 1: a vector
import torch
x = torch.zeros(2, 3)  # shape (2, 3)

Broadcasting aligns trailing dimensions.
2Second question?
Answer two.
3Third question?
Answer three.
4Fourth question?
Answer four.
5Fifth question?
Answer five mentions 10 items and 11 things.
6Sixth question?
Answer six.
7Seventh question?
Answer seven.
8Eighth question?
Answer eight.
9Ninth question?
Answer nine.
10Tenth question, after nine?
Answer ten.

def f(x):
    return x + 1
11Eleventh question?
Answer eleven.

More

1 questions
1Only question of the second category?
jobs:
  train:
    steps:
      - run: python train.py
The end.
"""


def words_of(text: str) -> list[str]:
    return re.findall(r"\S+", text)


@pytest.fixture(scope="module")
def seed_questions():
    if not SEED.is_file():
        pytest.skip(f"seed document not found at {SEED}")
    return import_document(SEED)


def test_seed_has_85_questions_in_10_categories(seed_questions):
    assert len(seed_questions) == 85
    assert Counter(q.category for q in seed_questions) == EXPECTED
    assert len({q.id for q in seed_questions}) == 85


def test_seed_round_trip_keeps_every_word(seed_questions):
    """Stripping the Markdown the importer adds gives back the seed's answer text word for word."""
    raw = {(r.category, r.number): r for r in parse_document(SEED.read_text("utf-8"))}
    for q in seed_questions:
        body = "\n".join(raw[(q.category, q.number)].body)
        body = re.sub(r"^\s*•\s+", "", body, flags=re.M)
        assert words_of(strip_markdown(q.reference_answer)) == words_of(body), q.id


def test_seed_questions_match_the_shipped_bank(seed_questions):
    """The committed bank is the importer's output (plus rubrics): same questions and reference answers."""
    shipped = load_bank_dir(Path(__file__).resolve().parents[1] / "rubrics" / "bank")
    for q in seed_questions:
        s = shipped.get(q.id)
        assert (s.question, s.reference_answer) == (q.question, q.reference_answer), q.id


def test_hand_made_document_edge_cases():
    raw = parse_document(HAND_MADE)
    assert [(r.category, r.number) for r in raw] == [("Basics", n) for n in range(1, 12)] + [("More", 1)]
    assert raw[9].question == "Tenth question, after nine?"
    assert raw[10].question == "Eleventh question?"
    # "10 items and 11 things" inside an answer is not a question start.
    assert "Answer five mentions 10 items and 11 things." in raw[4].body


def test_markdown_code_and_lists():
    raw = parse_document(HAND_MADE)
    md = to_markdown(raw[0].body)
    assert "- Rank 0: a scalar\n- Rank 1: a vector" in md
    assert "```\nimport torch\nx = torch.zeros(2, 3)  # shape (2, 3)\n```" in md
    assert md.endswith("Broadcasting aligns trailing dimensions.")
    ten = to_markdown(raw[9].body)
    assert "```\ndef f(x):\n    return x + 1\n```" in ten
    yaml_block = to_markdown(raw[11].body)
    assert "```\njobs:\n  train:\n    steps:\n      - run: python train.py\n```" in yaml_block


def test_reimport_keeps_rubrics(tmp_path, seed_questions):
    shipped = load_bank_dir(Path(__file__).resolve().parents[1] / "rubrics" / "bank").questions
    again = import_document(SEED, shipped)
    assert all(q.rubric is not None for q in again)
    write_bank(tmp_path, again)
    assert len(load_bank_dir(tmp_path)) == 85


@pytest.mark.parametrize("doc, message", [
    ("Cat\n\n2 questions\n1First?\nAnswer.\n", "declares 2 questions but 1"),
    ("Cat\n\n1 questions\n1First?\n\n", "has no reference answer"),
    ("no categories here\n", "no questions found"),
    ("Cat\n\n1 questions\nstray text\n1First?\nA.\n", "before its first question"),
])
def test_bad_documents(doc, message, tmp_path):
    path = tmp_path / "doc.txt"
    path.write_text(doc)
    with pytest.raises(BankError, match=message) as e:
        import_document(path)
    assert str(path) in str(e.value)


def test_other_encoding_is_a_clear_error(tmp_path):
    path = tmp_path / "latin1.txt"
    path.write_bytes("Cat\n\n1 questions\n1Qué?\nRéponse.\n".encode("latin-1"))
    with pytest.raises(BankError, match="not UTF-8"):
        import_document(path)
