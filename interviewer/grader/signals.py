"""Signals that need no model: key-term coverage, overlap with the criterion's source, and evidence.

Coverage alone rewards keyword lists: "dropout, L1, L2, early stopping" names four terms and explains nothing. Two
signals let the lexical grader tell a list from an explanation (wire either into the calibration in place of, or
beside, `coverage`):

- `explained_coverage(answer, criterion)`: like `term_coverage`, but a key term counts only inside the explaining
  part of a sentence (`explaining_part`) that keeps at least MIN_CONTEXT_WORDS words besides the matched terms.
- `list_likeness(answer)`: the share of the answer's words that sit in bare lists: list-like sentences (bare comma-
  or and-separated term lists, keyword salads without function words, short bullet fragments) and bare lists
  inside a sentence. 0 for prose, 1 for a bare list.

A list is judged by its items, not by the sentence it was put in: "...the batch dimension. Also: across the batch,
per channel, running statistics, ..." appended to an answer (keyword stuffing) is a bare list although it is not
a sentence of its own, while "Common choices are Adam, SGD with momentum, and RMSProp, each of which adapts the
step size per parameter." explains its few items. The lexical grader also counts its overlap with the criterion's
source on the explaining text only (`explaining_text`), so a bare list earns from neither signal
(bench/stuffing.py measures the attack; bench/README.md, Keyword stuffing).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from functools import lru_cache

from ..bank.models import Criterion
from ..text import (
    BOUNDARY, STOPWORDS, WHITESPACE, WordPattern, content_stems, contains_phrase, drop_surrogates, normalize, rx,
    sentences, term_stream, words,
)

MIN_CONTEXT_WORDS = 3  # words a sentence needs besides its matched key terms to count as explaining them
LIST_ITEM_MAX_WORDS = 3  # items of a term list are short: none longer than this
LIST_MIN_ITEMS = 3
LEAD_IN_MAX_WORDS, LEAD_IN_MAX_CONTENT = 6, 3  # the first item may be a short lead-in ("The key ideas are X")
SALAD_MIN_WORDS = 6  # a run of at least this many words ...
SALAD_MAX_FUNCTION_SHARE = 0.1  # ... with (almost) no function words is a keyword salad
SALAD_SPAN_WORDS = 20  # inside a sentence a salad must be longer (and have no two function words in a row)
# Inside a sentence, a run of LIST_MIN_ITEMS or more list items (at most LIST_ITEM_MAX_WORDS words, or up to
# LIST_BRIDGE_MAX_WORDS between two such; no CLAUSE_WORDS; at most LIST_MAX_FUNCTION_SHARE function words in all) is
# a bare list unless the rest of the sentence has at least EXPLAIN_WORDS_PER_ITEM words per item and the sentence
# lists at most LIST_MAX_EXPLAINED_ITEMS items: a sentence can explain a short enumeration, not a catalogue.
LIST_BRIDGE_MAX_WORDS = 6
LIST_MAX_EXPLAINED_ITEMS = 12
LIST_MAX_FUNCTION_SHARE = 0.25
EXPLAIN_WORDS_PER_ITEM = 2
# Words that make a clause rather than a noun phrase: a piece holding one is not a list item.
CLAUSE_WORDS = frozenset(
    """am is are was were be been being do does did doing have has had having can could will would shall should may
    might must i me my we our us you your he him his she her it its they them their this that these those which who
    whom whose what when where why how if then than so because since while although though whereas unless until
    whether there here""".split()
)
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


def _items(sentence: str) -> list[tuple[int, int]]:
    """Character spans of the pieces between the sentence's list separators (those of `is_list_like`; not "/",
    which joins the parts of one term: CI/CD, encoder/decoder)."""
    spans, pos = [], 0
    for m in _ITEM_SPLIT_RE.finditer(sentence):
        spans.append((pos, m.start()))
        pos = m.end()
    return spans + [(pos, len(sentence))]


def _list_runs(sentence: str) -> list[tuple[int, int, int, int]]:
    """(start, end, items, words) of each run of LIST_MIN_ITEMS or more consecutive list items in the sentence: pieces
    without CLAUSE_WORDS of at most LIST_ITEM_MAX_WORDS words, or of at most LIST_BRIDGE_MAX_WORDS between two such
    (a long term inside a list), with at most LIST_MAX_FUNCTION_SHARE function words in all. An empty piece
    (", and") neither counts nor breaks a run."""
    runs: list[tuple[int, int, int, int]] = []
    run: list[tuple[int, int, list[str]]] = []
    bridge: list[tuple[int, int, list[str]]] = []  # longer pieces that join the run if an item follows them

    def close() -> None:
        toks = [t for _, _, ws in run for t in ws]
        if len(run) >= LIST_MIN_ITEMS and sum(t in STOPWORDS for t in toks) <= LIST_MAX_FUNCTION_SHARE * len(toks):
            runs.append((run[0][0], run[-1][1], len(run), len(toks)))

    for start, end in _items(sentence):
        toks = words(sentence[start:end])
        if not toks:
            continue
        nominal = not any(t in CLAUSE_WORDS for t in toks)
        if nominal and len(toks) <= LIST_ITEM_MAX_WORDS:
            run += bridge + [(start, end, toks)]
            bridge = []
        elif nominal and len(toks) <= LIST_BRIDGE_MAX_WORDS and run:
            bridge.append((start, end, toks))
        else:
            close()
            run, bridge = [], []
    close()
    return runs


def _salad_spans(text: str) -> list[tuple[int, int]]:
    """Character spans of keyword salads inside a text: SALAD_SPAN_WORDS or more words, no two function words in a
    row and at most SALAD_MAX_FUNCTION_SHARE of them function words ("... rnn synchronization cnn transformer large
    batch group norm instance norm rmsnorm")."""
    toks, pos = [], 0  # (start, end, words, function words) of each whitespace-separated token with words
    for tok in text.split():
        start = text.index(tok, pos)
        pos = start + len(tok)
        ws = words(tok)
        if ws:
            toks.append((start, pos, len(ws), sum(w in STOPWORDS for w in ws) == len(ws)))
    spans, i = [], 0
    while i < len(toks):
        if toks[i][3]:
            i += 1
            continue
        j = last = i  # extend over content tokens and single function tokens between them
        while j < len(toks) and (not toks[j][3] or (j + 1 < len(toks) and not toks[j + 1][3])):
            if not toks[j][3]:
                last = j
            j += 1
        n = sum(t[2] for t in toks[i:last + 1])
        function = sum(t[2] for t in toks[i:last + 1] if t[3])
        if n >= SALAD_SPAN_WORDS and function <= SALAD_MAX_FUNCTION_SHARE * n:
            spans.append((toks[i][0], toks[last][1]))
        i = last + 1
    return spans


def _cut(text: str, spans: list[tuple[int, int]]) -> str:
    """The text without the spans, each cut marked by " | " (a boundary no key term matches across)."""
    if not spans:
        return text
    parts, pos = [], 0
    for start, end in spans:
        parts.append(text[pos:start].strip())
        pos = end
    parts.append(text[pos:].strip())
    return " | ".join(p for p in parts if p)


@lru_cache(maxsize=1024)
def explaining_part(sentence: str) -> str:
    """The part of a sentence that may explain key terms: "" for a list-like sentence (`is_list_like`), else the
    sentence without its bare lists: its runs of list items (`_list_runs`) when the rest of the sentence is too
    short to explain them (fewer than EXPLAIN_WORDS_PER_ITEM words per item) or they are too many
    (LIST_MAX_EXPLAINED_ITEMS), and keyword salads (`_salad_spans`). Prose comes back unchanged."""
    if is_list_like(sentence):
        return ""
    runs = _list_runs(sentence)
    rest = len(words(sentence)) - sum(r[3] for r in runs)
    items = sum(r[2] for r in runs)
    explained = items <= LIST_MAX_EXPLAINED_ITEMS and rest >= EXPLAIN_WORDS_PER_ITEM * items
    prose = sentence if explained else _cut(sentence, [(start, end) for start, end, _, _ in runs])
    return _cut(prose, _salad_spans(prose))


def explaining_text(answer: str) -> str:
    """The answer without its bare lists: the explaining part of each sentence, one per line."""
    return "\n".join(p for p in map(explaining_part, sentences(answer)) if p)


def list_likeness(answer: str) -> float:
    """Share of the answer's words (0-1) that sit in bare lists (whatever `explaining_part` cuts from a sentence):
    0 for an answer written in sentences, 1 for a bare list of terms. A lexical grader can discount coverage by it."""
    total = listed = 0
    for sent in sentences(answer):
        n = len(words(sent))
        total += n
        listed += n - len(words(explaining_part(sent)))
    return listed / total if total else 0.0


def _explained_groups(sentence: str, criterion: Criterion) -> set[int]:
    """Indexes of the criterion's key-term groups this sentence mentions while explaining them."""
    sentence = explaining_part(sentence)
    if not sentence:
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
    """Share of the criterion's key-term groups (0-1) that the answer mentions where it explains them: in the
    explaining part of a sentence (`explaining_part`: bare lists cut out) with at least MIN_CONTEXT_WORDS words
    besides the matched terms.
    About `term_coverage` for an answer in full sentences, 0 for a bare keyword list."""
    hit: set[int] = set()
    for sent in sentences(answer):
        hit |= _explained_groups(sent, criterion)
    return len(hit) / len(criterion.key_terms)


def listed_term_groups(answer_stems: list[str], prose_stems: list[str], criteria: Sequence[Criterion]) -> int:
    """How many of the criteria's key-term groups the answer names only in bare lists: mentioned in the answer
    (answer_stems) but nowhere in its explaining text (prose_stems, the stems of `explaining_text`)."""
    return sum(1 for c in criteria for group in c.key_terms
               if any(contains_phrase(answer_stems, t) for t in group)
               and not any(contains_phrase(prose_stems, t) for t in group))


def model_gain(p_yes: float, p_null: float, prose: float) -> float:
    """The model signal: log-odds of P(Yes) for the answer over P(Yes) for a content-free answer (contextual
    calibration: each point's own lean is subtracted), times `prose` (1 - list_likeness of the answer), since a
    bare list of terms makes no point however much the model likes its words. 0 when the answer is no better
    than "I don't know."; about 2-3 for a point a strong answer makes."""
    return (_logit(p_yes) - _logit(p_null)) * prose


def _logit(p: float) -> float:
    p = min(1 - 1e-4, max(1e-4, p))
    return math.log(p / (1 - p))
