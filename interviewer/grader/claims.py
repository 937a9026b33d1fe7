"""An answer's claims and the reference statements each one is about: what the review checks, without a model.

- `claims(answer)`: the answer cut into claims, each a verbatim span of it: its sentences (bare lists of terms left
  out: a list states nothing), a long sentence cut further at semicolons.
- `reference_units(question, rubric)`: the statements a claim can be checked against, each quotable as a
  correction: every rubric point's `source` (a span of the reference answer; for a beyond_reference point its
  justification), then the reference answer's other sentences.
- `alignment(claim, unit)`: how much a claim is about a unit (its key terms and content words), 0-1.
- `polarity_flips(claim, unit)`: model-free contradiction cues between an aligned claim and its unit: a word the
  unit states that the claim negates (or the reverse), and an opposite pair (smaller / larger, before / after...).

String code and the project's RE2 tokenizer only (candidate text is untrusted: no backtracking regexes).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from functools import lru_cache

from ..bank.models import Criterion, Question, Rubric, strip_markdown
from ..text import BOUNDARY, NEG, content_stems, contains_phrase, match_stream, sentences, stem, words
from .signals import explaining_part, verify_quote

#: Where a long sentence may be cut into claims (string search, no regex). Only semicolons: a clause after "but" or
#: "while" loses its subject ("..., but it works at batch size 2"), and with it what it is about.
CLAUSE_JOINTS = ("; ",)
MIN_CLAIM_WORDS = 5  # a clause shorter than this stays with its neighbour
MAX_CLAIM_CHARS = 320
#: Opposite pairs (stems) whose swap between a reference statement and a claim about it is a contradiction cue.
OPPOSITES = (
    ("small", "large"), ("small", "big"), ("smaller", "larger"), ("low", "high"), ("lower", "higher"),
    ("less", "more"), ("fewer", "more"), ("decrease", "increase"), ("reduce", "increase"), ("slower", "faster"),
    ("slow", "fast"), ("worse", "better"), ("before", "after"), ("shorter", "longer"), ("short", "long"),
    ("same", "different"), ("positive", "negative"), ("always", "never"), ("dependent", "independent"),
    ("depend", "independent"), ("linear", "quadratic"), ("sparse", "dense"), ("stable", "unstable"),
    ("underfit", "overfit"), ("bias", "variance"), ("cheap", "expensive"), ("cheaper", "costlier"),
    ("inside", "outside"), ("first", "last"), ("minimize", "maximize"), ("add", "remove"), ("add", "subtract"),
    ("encoder", "decoder"), ("precision", "recall"), ("train", "inference"), ("offline", "online"),
    ("static", "dynamic"), ("increases", "decreases"), ("raise", "lower"), ("wider", "narrower"),
    ("deterministic", "random"), ("monotonic", "non-monotonic"), ("upper", "lower"), ("row", "column"),
)


@dataclass(frozen=True)
class Unit:
    """A reference statement a claim can be checked against; `text` is quotable as the correction."""

    text: str
    criterion: Criterion | None = None
    stems: frozenset[str] = field(default=frozenset(), compare=False)
    #: Inverse document frequency of each stem over the question's units: words every statement of the question
    #: uses ("batch" in a BatchNorm question) say little about which statement a claim is about.
    idf: dict[str, float] = field(default_factory=dict, compare=False, hash=False)

    @property
    def label(self) -> str:
        return self.criterion.id if self.criterion is not None else "reference: " + self.text[:60]


def claims(answer: str) -> list[str]:
    """The answer's claims, each a verbatim span of it: sentences that explain (not bare lists), long ones cut at
    clause joints."""
    out = []
    for sent in sentences(answer):
        if not explaining_part(sent) or len(words(sent)) < 3:
            continue
        for piece in _cut(sent):
            piece = piece[:MAX_CLAIM_CHARS].rsplit(" ", 1)[0] if len(piece) > MAX_CLAIM_CHARS else piece
            if verify_quote(piece, answer):
                out.append(piece)
    return out


def _cut(sentence: str) -> list[str]:
    """The sentence's clauses (verbatim), cut at CLAUSE_JOINTS where both sides keep MIN_CLAIM_WORDS words."""
    pieces = [sentence]
    for joint in CLAUSE_JOINTS:
        nxt = []
        for piece in pieces:
            pos = piece.find(joint)
            while pos > 0:
                left, right = piece[:pos].strip(" ,;"), piece[pos:].strip(" ,;")
                if len(words(left)) >= MIN_CLAIM_WORDS and len(words(right)) >= MIN_CLAIM_WORDS:
                    nxt.append(left)
                    piece = right
                    pos = piece.find(joint, 1)
                else:
                    pos = piece.find(joint, pos + 1)
            nxt.append(piece)
        pieces = nxt
    return [p for p in pieces if p]


def _unit(text: str, criterion: Criterion | None) -> Unit:
    target = criterion.point + " " + text if criterion is not None else text
    return Unit(text=text, criterion=criterion, stems=frozenset(content_stems(target)))


@lru_cache(maxsize=256)
def _reference_sentences(reference: str) -> tuple[str, ...]:
    return tuple(s for s in sentences(strip_markdown(reference)) if len(words(s)) >= MIN_CLAIM_WORDS)


def reference_units(question: Question, rubric: Rubric) -> list[Unit]:
    """Each rubric point's source (its correction text; a beyond_reference point's justification), then the
    reference answer's sentences that no point's source already holds."""
    units = [_unit(c.source, c) for c in rubric.criteria]
    covered = [set(content_stems(c.source)) for c in rubric.criteria if not c.beyond_reference]
    for sent in _reference_sentences(question.reference_answer):
        stems = set(content_stems(sent))
        if stems and not any(len(stems & cov) >= 0.6 * len(stems) for cov in covered):
            units.append(_unit(sent, None))
    df: dict[str, int] = {}
    for u in units:
        for s in u.stems:
            df[s] = df.get(s, 0) + 1
    idf = {s: math.log((1 + len(units)) / (1 + n)) + 1.0 for s, n in df.items()}
    return [Unit(u.text, u.criterion, u.stems, idf) for u in units]


def alignment(claim: str, unit: Unit) -> float:
    """How much the claim is about the unit, 0-1: the share of the point's key-term groups the claim names (for a
    rubric point) and the idf-weighted cosine of their content-word sets."""
    stems = content_stems(claim)
    if not stems or not unit.stems:
        return 0.0
    mine = set(stems)
    weight = lambda s: unit.idf.get(s, 1.0) ** 2  # noqa: E731  (a stem no unit uses weighs as a rare one)
    cosine = sum(weight(s) for s in mine & unit.stems) / math.sqrt(
        sum(weight(s) for s in mine) * sum(weight(s) for s in unit.stems))
    if unit.criterion is None:
        return cosine
    groups = unit.criterion.key_terms
    terms = sum(1 for g in groups if any(contains_phrase(stems, t) for t in g)) / len(groups)
    return 0.5 * terms + 0.5 * min(1.0, 2 * cosine)


def _polar(text: str) -> tuple[set[str], set[str]]:
    """(stems stated, stems negated) of a text."""
    stated, negated = set(), set()
    for s in match_stream(text):
        if s == BOUNDARY:
            continue
        if s.startswith(NEG):
            negated.add(s[len(NEG):])
        else:
            stated.add(s)
    return stated, negated


_OPPOSITE_STEMS = tuple((stem(a), stem(b)) for a, b in OPPOSITES)


def polarity_flips(claim: str, unit_text: str) -> int:
    """Contradiction cues between a claim and the reference statement it is about: content stems one states and
    the other negates, and OPPOSITES pairs where one side has a word and the other only its opposite."""
    c_stated, c_neg = _polar(claim)
    u_stated, u_neg = _polar(unit_text)
    shared = set(content_stems(claim)) & set(content_stems(unit_text))
    flips = len((c_neg & u_stated - c_stated) & shared) + len((u_neg & c_stated - u_stated) & shared)
    for a, b in _OPPOSITE_STEMS:
        if (a in u_stated and b in c_stated and a not in c_stated) or (b in u_stated and a in c_stated
                                                                        and b not in c_stated):
            flips += 1
    return flips
