"""Question selection: balanced, weakest categories first, unseen first, level difficulty, adaptive, seeded."""

from __future__ import annotations

from collections import Counter

import pytest

from interviewer.bank.storage import load_bank
from interviewer.engine.selection import next_difficulty, order_categories, pick_question, plan_slots


@pytest.fixture(scope="module")
def bank():
    return load_bank(include_user=False)


def pick_all(pool, slots, difficulty, avoid=(), seed=0):
    asked = []
    for i, cat in enumerate(slots, start=1):
        asked.append(pick_question(pool, cat, difficulty, asked=asked, avoid=avoid, seed=seed, position=i).id)
    return asked


def test_slots_are_balanced_and_capped(bank):
    pool = bank.in_categories(None)
    slots = plan_slots(pool, 20, {}, seed=1)
    counts = Counter(slots)
    assert len(slots) == 20 and set(counts.values()) == {2}  # 10 categories, two each
    assert all(a != b for a, b in zip(slots, slots[1:]))  # consecutive questions change topic
    small = bank.in_categories(["responsible-ai"])
    assert plan_slots(small, 50, {}, seed=1) == ["Responsible AI"] * len(small)


def test_weak_categories_come_first(bank):
    pool = bank.in_categories(None)
    mastery = {"MLOps": 0.1, "Fine-tuning": 0.2, "RAG & Embeddings": 0.95}
    slots = plan_slots(pool, 3, mastery, seed=5)
    assert slots[:2] == ["MLOps", "Fine-tuning"] and "RAG & Embeddings" not in slots
    order = order_categories([q.category for q in pool], mastery, seed=5)
    assert order[:2] == ["MLOps", "Fine-tuning"] and order[-1] == "RAG & Embeddings"


def test_selection_is_deterministic_given_a_seed(bank):
    pool = bank.in_categories(None)
    runs = {tuple(pick_all(pool, plan_slots(pool, 6, {}, seed=42), 2, seed=42)) for _ in range(3)}
    assert len(runs) == 1
    assert tuple(pick_all(pool, plan_slots(pool, 6, {}, seed=43), 2, seed=43)) not in runs


def test_level_sets_the_preferred_difficulty(bank):
    pool = bank.in_categories(["transformers-llms"])  # difficulties 1, 2 and 3 all present
    for difficulty in (1, 2, 3):
        picked = [pick_question(pool, "Transformers & LLMs", difficulty, asked=[], avoid=[], seed=s, position=1)
                  for s in range(5)]
        assert {q.difficulty for q in picked} == {difficulty}


def test_questions_seen_before_are_avoided(bank):
    pool = bank.in_categories(["mlops"])
    first = pick_all(pool, ["MLOps"] * 4, 2, seed=9)
    second = pick_all(pool, ["MLOps"] * 4, 2, avoid=first, seed=9)
    assert not set(first) & set(second)
    again = pick_all(pool, ["MLOps"] * len(pool), 2, avoid=first, seed=9)
    assert sorted(again) == sorted(q.id for q in pool)  # when all were seen, seen ones are still asked


def test_a_category_that_ran_out_lends_its_slot(bank):
    pool = bank.in_categories(["vector-databases", "responsible-ai"])
    asked = [q.id for q in pool if q.category == "Vector Databases"]
    q = pick_question(pool, "Vector Databases", 2, asked=asked, avoid=[], seed=0, position=7)
    assert q.category == "Responsible AI"


def test_adaptive_difficulty_follows_the_running_score():
    assert next_difficulty("senior", 2, [10, 10]) == 2
    assert next_difficulty("staff", 3, [0]) == 3
    assert next_difficulty("adaptive", 2, [9.0]) == 3
    assert next_difficulty("adaptive", 3, [9.0, 8.0]) == 3
    assert next_difficulty("adaptive", 2, [2.0]) == 1
    assert next_difficulty("adaptive", 1, [0, 0]) == 1
    assert next_difficulty("adaptive", 2, [5.0]) == 2
    assert next_difficulty("adaptive", 2, [0, 0, 0, 9, 9, 9]) == 3  # only the latest scores count
