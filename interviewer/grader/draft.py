"""Draft a rubric from a reference answer, for questions that come without one (user banks, data sets).

Deterministic: the reference is split into checkable points (sentences and list items; code is skipped
except its comments), the most informative points become criteria, their rarest content words become
key terms, and each criterion's source is its own verbatim sentence. A person can then edit the draft.
"""

from __future__ import annotations

import hashlib
from collections import Counter

from ..bank.models import Criterion, Rubric, slugify
from ..text import STOPWORDS, content_stems, sentences, stem, words

MAX_CRITERIA = 8
GENERIC = frozenset("model models data training train answer question example using based system value values".split())


def _units(reference: str) -> list[str]:
    units, in_code = [], False
    for line in reference.splitlines():
        if line.startswith("```"):
            in_code = not in_code
            continue
        if in_code:
            continue
        line = line.removeprefix("- ").strip()
        for sent in sentences(line):
            if len(content_stems(sent)) >= 2:
                units.append(sent)
    return units


def _key_terms(unit: str, doc_freq: Counter, n_units: int, given: set[str], limit: int = 4) -> list[list[str]]:
    """The unit's most telling words: rare across the reference, and not already given by the question."""
    seen, scored = set(), []
    for i, w in enumerate(words(unit)):
        if w in STOPWORDS or w in GENERIC or len(w) < 3 or w in seen or w.isdigit():
            continue
        seen.add(w)
        rarity = n_units / (1 + doc_freq[w])
        if stem(w) in given:
            rarity /= 4  # repeating the question's words shows little
        scored.append((rarity * (1 + len(w) / 10), -i, w))
    scored.sort(reverse=True)
    return [[w] for _, _, w in scored[:limit]]


def draft_rubric(question: str, reference: str) -> Rubric:
    units = _units(reference) or [reference.strip()[:300]]
    given = set(content_stems(question))
    doc_freq: Counter = Counter()
    for u in units:
        doc_freq.update(set(words(u)))
    # Keep the most informative units, in their original order.
    ranked = sorted(range(len(units)), key=lambda i: -len(set(content_stems(units[i]))))[:MAX_CRITERIA]
    chosen = [units[i] for i in sorted(ranked)]
    core_cut = sorted((len(set(content_stems(u))) for u in chosen), reverse=True)[max(0, (len(chosen) - 1) // 2)]
    criteria, used_ids = [], set()
    for n, unit in enumerate(chosen, 1):
        terms = _key_terms(unit, doc_freq, len(units), given) or [[w] for w in words(unit)[:1]]
        base = slugify(" ".join(t[0] for t in terms[:2]))[:40].rstrip("-") or f"point-{n}"
        cid = base if base not in used_ids else f"{base}-{n}"
        used_ids.add(cid)
        richness = len(set(content_stems(unit)))
        criteria.append(Criterion(
            id=cid,
            point=unit if len(unit) <= 300 else unit[:300].rsplit(" ", 1)[0],
            weight=2 if richness >= core_cut else 1,
            core=richness >= core_cut,
            key_terms=terms,
            source=unit,
            probes=[f"Can you say more about {' and '.join(t[0] for t in terms[:2])}?"],
        ))
    return Rubric(criteria=criteria)


def content_hash(question: str, reference: str) -> str:
    return hashlib.sha256(f"{question}\x00{reference}".encode()).hexdigest()[:16]
