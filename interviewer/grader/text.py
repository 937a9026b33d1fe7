"""Cheap text tools the grader uses without a model: normalising, stemming, sentences, content words."""

from __future__ import annotations

import re
from functools import lru_cache

from ..bank.models import normalize  # noqa: F401  (re-exported: one definition of "the same text")

STOPWORDS = frozenset(
    """a about above after again against all also am an and any are as at be because been before being below
    between both but by can could did do does doing down during each few for from further had has have having he
    her here hers herself him himself his how i if in into is it its itself just let me more most my myself no nor
    not now of off on once only or other our ours ourselves out over own same she should so some such than that the
    their theirs them themselves then there these they this those through to too under until up very was we were
    what when where which while who whom why will with would you your yours yourself yourselves via per use used
    using uses one two also may might must shall like get gets make makes made e.g i.e etc vs""".split()
)

WORD_RE = re.compile(r"[a-z0-9][a-z0-9+#._-]*[a-z0-9+#]|[a-z0-9]")


@lru_cache(maxsize=65536)
def stem(word: str) -> str:
    """A light suffix stripper: enough to match 'overfitting'/'overfit', 'embeddings'/'embedding'."""
    w = word.lower()
    for suffix, min_len in (("ational", 5), ("izations", 5), ("ization", 5), ("ations", 4), ("ation", 4),
                            ("ingly", 4), ("ings", 4), ("ing", 4), ("edly", 4), ("ies", 3), ("ied", 3),
                            ("ness", 4), ("ments", 4), ("ment", 4), ("ers", 4), ("er", 4), ("ed", 4),
                            ("es", 4), ("s", 3)):
        if w.endswith(suffix) and len(w) - len(suffix) >= min_len:
            w = w[: -len(suffix)]
            break
    if len(w) > 3 and w[-1] == w[-2] and w[-1] not in "ls":
        w = w[:-1]  # overfitt -> overfit
    return w


def words(text: str) -> list[str]:
    return WORD_RE.findall(text.lower())


def content_stems(text: str) -> list[str]:
    return [stem(w) for w in words(text) if w not in STOPWORDS and len(w) > 1]


def contains_phrase(text_stems: list[str], phrase: str) -> bool:
    """True if the phrase's stems occur consecutively in the text's stems (stopwords ignored on both sides)."""
    target = content_stems(phrase)
    if not target:
        return normalize(phrase) in " ".join(text_stems)
    n = len(target)
    for i in range(len(text_stems) - n + 1):
        if text_stems[i : i + n] == target:
            return True
    return False


SENTENCE_RE = re.compile(r"(?<=[.!?])\s+(?=[A-Z0-9(\"'`])|\n+")


def sentences(text: str) -> list[str]:
    """Sentences and lines, stripped, in order; each is a verbatim substring of the text."""
    out = []
    for part in SENTENCE_RE.split(text):
        part = part.strip()
        if part:
            out.append(part)
    return out
