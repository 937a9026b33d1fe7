"""Signals that need no model: key-term coverage, overlap with the criterion's source, and evidence.

Coverage alone rewards keyword lists: "dropout, L1, L2, early stopping" names four terms and explains nothing. Two
signals let the lexical grader tell a list from an explanation (wire either into the calibration in place of, or
beside, `coverage`):

- `explained_coverage(answer, criterion)`: like `term_coverage`, but a key term counts only inside a sentence that
  explains: one that is not list-like (`is_list_like`) and keeps at least MIN_CONTEXT_WORDS words besides the
  matched terms.
- `list_likeness(answer)`: the share of the answer's words that sit in list-like sentences (bare comma- or
  and-separated term lists, keyword salads without function words, short bullet fragments). 0 for prose, 1 for a
  bare list.
"""

from __future__ import annotations

import math

from ..bank.models import Criterion
from .text import (
    BOUNDARY, STOPWORDS, WHITESPACE, WordPattern, content_stems, contains_phrase, drop_surrogates, normalize, rx,
    sentences, term_stream, words,
)

MIN_CONTEXT_WORDS = 3  # words a sentence needs besides its matched key terms to count as explaining them
LIST_ITEM_MAX_WORDS = 3  # items of a term list are short: none longer than this
LIST_MIN_ITEMS = 3
LEAD_IN_MAX_WORDS, LEAD_IN_MAX_CONTENT = 6, 3  # the first item may be a short lead-in ("The key ideas are X")
SALAD_MIN_WORDS = 6  # a run of at least this many words ...
SALAD_MAX_FUNCTION_SHARE = 0.1  # ... with (almost) no function words is a keyword salad
# RE2 patterns (linear time, see text.py); "and"/"or" count as whole words only (WordPattern).
_ITEM_SPLIT_RE = WordPattern(rf"[,;|•·]|and|or|{WHITESPACE}[-–—]{WHITESPACE}", "i")
_BULLET_RE = rx(rf"{WHITESPACE}*(?:[-*•–]|\p{{Nd}}+[.)]){WHITESPACE}+")


def term_coverage(answer_stems: list[str], criterion: Criterion) -> float:
    """Share of the criterion's key-term groups that the answer mentions (any synonym counts)."""
    hits = sum(1 for group in criterion.key_terms if any(contains_phrase(answer_stems, t) for t in group))
    return hits / len(criterion.key_terms)


def _target_text(criterion: Criterion) -> str:
    """The point and its source; a beyond_reference source is a justification, not content, so just the point."""
    return criterion.point if criterion.beyond_reference else criterion.point + " " + criterion.source


def source_overlap(answer_stems: list[str], criterion: Criterion) -> float:
    """Share of the distinct content words of the criterion's point and source that the answer uses."""
    target = set(content_stems(_target_text(criterion)))
    if not target:
        return 0.0
    return len(target & set(answer_stems)) / len(target)


def best_evidence(answer: str, criterion: Criterion, max_chars: int = 240) -> str | None:
    """The answer's sentence that best supports the criterion, quoted verbatim; None when nothing does."""
    target = set(content_stems(_target_text(criterion)))
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


def function_word_share(text: str) -> float:
    """Share of the text's words that are function words (STOPWORDS); prose is typically 0.2-0.5, a term list ~0."""
    toks = words(text)
    return sum(1 for t in toks if t in STOPWORDS) / len(toks) if toks else 0.0


def is_list_like(sentence: str) -> bool:
    """True for a sentence or line that names terms without relating them:
    - at least LIST_MIN_ITEMS items split by commas, semicolons, "and"/"or" or dashes, none longer than
      LIST_ITEM_MAX_WORDS words except a short lead-in ("Use BM25, dense retrieval and RRF.", "The key ideas are
      dropout, L1 and L2.");
    - a keyword salad: SALAD_MIN_WORDS or more words with almost no function words;
    - a bullet line of at most LIST_ITEM_MAX_WORDS words without a function word ("- early stopping")."""
    sentence = drop_surrogates(sentence)
    toks = words(sentence)
    if not toks:
        return False
    items = [w for w in (words(part) for part in _ITEM_SPLIT_RE.split(sentence)) if w]
    if len(items) >= LIST_MIN_ITEMS and all(len(w) <= LIST_ITEM_MAX_WORDS for w in items[1:]):
        lead = items[0]  # "Use BM25, ..." or a short lead-in: "The key ideas are dropout, ..."
        content = sum(1 for t in lead if t not in STOPWORDS)
        if len(lead) <= LIST_ITEM_MAX_WORDS or (len(lead) <= LEAD_IN_MAX_WORDS and content <= LEAD_IN_MAX_CONTENT):
            return True
    share = function_word_share(sentence)
    if len(toks) >= SALAD_MIN_WORDS and share <= SALAD_MAX_FUNCTION_SHARE:
        return True
    return bool(_BULLET_RE.match(sentence)) and len(toks) <= LIST_ITEM_MAX_WORDS and share == 0


def list_likeness(answer: str) -> float:
    """Share of the answer's words (0-1) that sit in list-like sentences (`is_list_like`): 0 for an answer written
    in sentences, 1 for a bare list of terms. A lexical grader can discount coverage by it."""
    total = listed = 0
    for sent in sentences(answer):
        n = len(words(sent))
        total += n
        if is_list_like(sent):
            listed += n
    return listed / total if total else 0.0


def _explained_groups(sentence: str, criterion: Criterion) -> set[int]:
    """Indexes of the criterion's key-term groups this sentence mentions while explaining them."""
    if is_list_like(sentence):
        return set()
    stems = content_stems(sentence)
    matched: dict[int, int] = {}  # group -> words its longest matching term covers
    for i, group in enumerate(criterion.key_terms):
        for term in group:
            if contains_phrase(stems, term):
                size = sum(1 for s in term_stream(term) if s != BOUNDARY)
                matched[i] = max(matched.get(i, 0), size)
    if not matched or len(words(sentence)) - sum(matched.values()) < MIN_CONTEXT_WORDS:
        return set()
    return set(matched)


def explained_coverage(answer: str, criterion: Criterion) -> float:
    """Share of the criterion's key-term groups (0-1) that the answer mentions inside a sentence that explains
    them: a sentence that is not list-like and has at least MIN_CONTEXT_WORDS words besides the matched terms.
    About `term_coverage` for an answer in full sentences, 0 for a bare keyword list."""
    hit: set[int] = set()
    for sent in sentences(answer):
        hit |= _explained_groups(sent, criterion)
    return len(hit) / len(criterion.key_terms)


def model_gain(p_yes: float, p_null: float, prose: float) -> float:
    """The model signal: log-odds of P(Yes) for the answer over P(Yes) for a content-free answer (contextual
    calibration: each point's own lean is subtracted), times `prose` (1 - list_likeness of the answer), since a
    bare list of terms makes no point however much the model likes its words. 0 when the answer is no better
    than "I don't know."; about 2-3 for a point a strong answer makes."""
    return (_logit(p_yes) - _logit(p_null)) * prose


def _logit(p: float) -> float:
    p = min(1 - 1e-4, max(1e-4, p))
    return math.log(p / (1 - p))
