"""Signals that need no model: key-term coverage, overlap with the criterion's source, and evidence."""

from __future__ import annotations

from ..bank.models import Criterion
from .text import content_stems, contains_phrase, normalize, sentences


def term_coverage(answer_stems: list[str], criterion: Criterion) -> float:
    """Share of the criterion's key-term groups that the answer mentions (any synonym counts)."""
    hits = sum(1 for group in criterion.key_terms if any(contains_phrase(answer_stems, t) for t in group))
    return hits / len(criterion.key_terms)


def source_overlap(answer_stems: list[str], criterion: Criterion) -> float:
    """Share of the distinct content words of the criterion's point and source that the answer uses."""
    target = set(content_stems(criterion.point + " " + criterion.source))
    if not target:
        return 0.0
    return len(target & set(answer_stems)) / len(target)


def best_evidence(answer: str, criterion: Criterion, max_chars: int = 240) -> str | None:
    """The answer's sentence that best supports the criterion, quoted verbatim; None when nothing does."""
    target = set(content_stems(criterion.point + " " + criterion.source))
    best, best_score = None, 0.0
    for sent in sentences(answer):
        stems = content_stems(sent)
        if not stems:
            continue
        terms = sum(1 for group in criterion.key_terms if any(contains_phrase(stems, t) for t in group))
        score = terms + len(target & set(stems)) / max(len(target), 1)
        if score > best_score:
            best, best_score = sent, score
    if best is None or best_score < 0.5:
        return None
    if len(best) > max_chars:
        cut = best[:max_chars].rsplit(" ", 1)[0]
        best = cut if cut else best[:max_chars]
    return best if verify_quote(best, answer) else None


def verify_quote(quote: str, answer: str) -> bool:
    return bool(quote) and normalize(quote) in normalize(answer)
