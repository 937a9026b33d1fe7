"""Which questions to ask: balanced over the chosen categories, weakest categories first, unseen questions
first, at the level's difficulty (or adaptive). Every choice is a pure function of its inputs and the seed."""

from __future__ import annotations

import random
from collections.abc import Iterable, Sequence

from ..bank.models import Question
from .state import LEVEL_DIFFICULTY

#: Mastery assumed for a category never practised: between weak and strong ones.
UNKNOWN_MASTERY = 0.5
#: Adaptive level: how many of the latest scores make the running score, and the thresholds (0-10).
RUNNING_WINDOW = 3
RAISE_AT = 7.0
LOWER_BELOW = 4.0


def rng_for(seed: int, *parts: object) -> random.Random:
    """A generator for one decision: the same seed and parts give the same draws, in any process."""
    return random.Random(":".join(str(p) for p in (seed, *parts)))


def order_categories(categories: Iterable[str], mastery: dict[str, float], seed: int) -> list[str]:
    """Weakest first; categories never practised sit at UNKNOWN_MASTERY; ties are broken by the seed."""
    rng = rng_for(seed, "categories")
    keyed = [(mastery.get(c, UNKNOWN_MASTERY), rng.random(), c) for c in sorted(set(categories))]
    return [c for _, _, c in sorted(keyed)]


def plan_slots(pool: Sequence[Question], n: int, mastery: dict[str, float], seed: int) -> list[str]:
    """One category per question: round-robin over the categories, weakest first, never more slots in a
    category than it has questions. At most n slots (fewer when the pool is smaller)."""
    capacity: dict[str, int] = {}
    for q in pool:
        capacity[q.category] = capacity.get(q.category, 0) + 1
    order = order_categories(capacity, mastery, seed)
    slots: list[str] = []
    while len(slots) < n and any(capacity.values()):
        for category in order:
            if len(slots) >= n:
                break
            if capacity[category]:
                capacity[category] -= 1
                slots.append(category)
    return slots


def pick_question(pool: Sequence[Question], category: str, difficulty: int, *, asked: Iterable[str],
                  avoid: Iterable[str], seed: int, position: int) -> Question | None:
    """The question for one slot: in the slot's category (any category if it ran out), not asked in this
    session, preferably not seen in an earlier one, nearest to the wanted difficulty; ties by the seed."""
    asked_set, avoid_set = set(asked), set(avoid)
    rng = rng_for(seed, "pick", position)
    candidates = [q for q in sorted(pool, key=lambda q: q.id) if q.id not in asked_set]
    if not candidates:
        return None
    keyed = [
        (q.category != category, q.id in avoid_set, abs(q.difficulty - difficulty), rng.random(), q.id, q)
        for q in candidates
    ]
    return min(keyed, key=lambda k: k[:5])[-1]


def start_difficulty(level: str) -> int:
    return LEVEL_DIFFICULTY.get(level, 2)


def next_difficulty(level: str, current: int, scores: Sequence[float]) -> int:
    """Fixed levels keep their difficulty. Adaptive raises it one step when the running score (mean of the
    latest RUNNING_WINDOW question scores) is at least RAISE_AT, lowers it below LOWER_BELOW."""
    if level != "adaptive":
        return start_difficulty(level)
    if not scores:
        return current
    recent = list(scores)[-RUNNING_WINDOW:]
    running = sum(recent) / len(recent)
    if running >= RAISE_AT:
        return min(3, current + 1)
    if running < LOWER_BELOW:
        return max(1, current - 1)
    return current
