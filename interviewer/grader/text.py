"""Cheap text tools the grader uses without a model: normalising, stemming, sentences, content words, and the
key-term matcher.

Tokens. Text is NFKC-normalised and lower-cased, and symbols that carry meaning survive as tokens: Greek letters
become their names (β -> beta, θ -> theta), superscripts become exponents (n² -> n^2, so O(n²) == O(n^2) ==
O(n**2)), big-O expressions are one token ("o(n^2)", "o(nlogn)"), single characters joined by & or / are one token
("w&b", "a/b", "q&a"), and so are short settings and powers ("k=5", "r^2"); between longer words those symbols just
separate words ("encoder/decoder", "L1/L2").
Contractions are expanded ("can't" -> "can not"), acronym plurals lose their s (LLMs -> LLM).

Stems come from the Snowball English stemmer (`snowballstemmer`); tokens with digits or symbols are kept as they are,
and hyphenated words are matched part by part ("decoder-only" == "decoder only").

Matching (`contains_phrase`). A key term matches where its words occur consecutively in the text, ignoring "glue"
words (articles, prepositions, auxiliaries: STOPWORDS less MEANINGFUL) on both sides, except inside a hyphenated
word ("opt-in" is not "opt-out"). Words that change a term's meaning ("only", "both", "all", "more", "same", "one",
...) are kept. Matches never cross punctuation.

Negation. A negator (no, not, never, none, nor, neither, without, cannot, n't) negates the next NEGATION_WINDOW
(3) words of its clause; the scope ends early at punctuation, at a contrast word (but, however, instead, and, ...)
or at another negator. "non-" negates just the word it is attached to; "not only / not just / not merely" is no
negation. A negated word only matches a negated word: the term "not generative" matches "BERT is not a generative
model" but not "BERT can generate text", and the term "generative" does not match "BERT is not generative".
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

import snowballstemmer

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

# Stopwords that change what a term means: the matcher keeps them (a term "decoder only" needs "only").
MEANINGFUL = frozenset(
    """above after against all before below between both down during each few fewer further more most off once one
    only other out over own per same too two under until up""".split()
)
# Everything else in STOPWORDS is glue: skipped on both sides when matching a key term.
GLUE = STOPWORDS - MEANINGFUL

NEGATORS = frozenset(
    """no not never none nor neither without cannot dont doesnt didnt isnt arent wasnt werent couldnt shouldnt
    wouldnt hasnt havent""".split()
)
NOT_A_NEGATION = frozenset("only just merely".split())  # "not only X" affirms X
SCOPE_BREAKERS = frozenset(
    "but however instead rather although though whereas while yet except unlike and so because since which".split()
)
NEGATION_WINDOW = 3
NEG = "not:"  # the prefix of a negated stem in the match stream

_GREEK = {
    "α": "alpha", "β": "beta", "γ": "gamma", "δ": "delta", "ε": "epsilon", "ϵ": "epsilon", "ζ": "zeta", "η": "eta",
    "θ": "theta", "ϑ": "theta", "ι": "iota", "κ": "kappa", "λ": "lambda", "μ": "mu", "ν": "nu", "ξ": "xi",
    "π": "pi", "ρ": "rho", "σ": "sigma", "ς": "sigma", "τ": "tau", "υ": "upsilon", "φ": "phi", "ϕ": "phi",
    "χ": "chi", "ψ": "psi", "ω": "omega",
}
_SYMBOLS = {
    "∇": " gradient ", "√": " sqrt ", "∞": " infinity ", "≈": " approx ", "→": " to ", "⇒": " to ", "←": " from ",
    "×": "x", "·": "*", "≤": " <= ", "≥": " >= ", "≠": " != ", "%": " percent ", "’": "'", "‘": "'", "–": "-",
    "—": " - ", "−": "-",
}
_CHAR_MAP = str.maketrans({**_GREEK, **_SYMBOLS})
_SUPERSCRIPTS = str.maketrans({
    "⁰": "^0", "¹": "^1", "²": "^2", "³": "^3", "⁴": "^4", "⁵": "^5", "⁶": "^6", "⁷": "^7", "⁸": "^8", "⁹": "^9",
    "ⁿ": "^n", "⁻": "^-", "⁺": "^+",
})

_ACRONYM_PLURAL_RE = re.compile(r"\b([A-Z]{2,}[0-9]*)s\b")
_BIG_O_RE = re.compile(r"\bo\s*\(\s*([a-z0-9^*+/ .,]{1,30}?)\s*\)")
_TOKEN_RE = re.compile(
    r"(?P<bigo>\bo\([a-z0-9^*+/.,]{1,30}\))"
    r"|(?P<compound>(?<![a-z0-9._-])[a-z0-9](?:[&/][a-z0-9])+(?![a-z0-9])"
    r"|(?<![a-z0-9._-])[a-z0-9]{1,3}[=^][a-z0-9.]{1,8}(?![a-z0-9]))"
    r"|(?P<word>[a-z0-9][a-z0-9#._-]*(?:[a-z0-9#]|\++(?![a-z0-9]))|[a-z0-9])"
    r"|(?P<stop>[.,;:!?()\[\]{}\"|]|\n)"
)
BOUNDARY = "|"

_stemmer = snowballstemmer.stemmer("english")


def _big_o(m: re.Match) -> str:
    inner = re.sub(r"\s+", "", m.group(1))
    inner = re.sub(r"([a-z])(\d)", r"\1^\2", inner)  # n2 -> n^2 (what NFKC does to n²)
    return f"o({inner})"


@lru_cache(maxsize=4096)
def prepare(text: str) -> str:
    """Text as the tokenizer sees it: NFKC, lower case, symbols mapped to words, big-O and contractions tidied."""
    text = unicodedata.normalize("NFKC", text.translate(_SUPERSCRIPTS))
    text = _ACRONYM_PLURAL_RE.sub(r"\1", text)
    text = text.lower().translate(_CHAR_MAP)
    text = text.replace("**", "^")
    text = _BIG_O_RE.sub(_big_o, text)
    text = re.sub(r"\b([a-z0-9]{1,3})\s*([=^])\s*(?=[a-z0-9])", r"\1\2", text)  # "k = 5" -> "k=5"
    text = re.sub(r"\bcan't\b|\bcannot\b", "can not", text)
    text = re.sub(r"\bwon't\b", "will not", text)
    text = re.sub(r"\bshan't\b", "shall not", text)
    text = re.sub(r"\b(\w+)n't\b", r"\1 not", text)
    text = re.sub(r"'s\b", "", text)  # the model's output -> the model output
    return text


def _tokens(text: str) -> list[str]:
    """Words and BOUNDARY marks (punctuation, line breaks), in order."""
    out = []
    for m in _TOKEN_RE.finditer(prepare(text)):
        out.append(BOUNDARY if m.lastgroup == "stop" else m.group())
    return out


@lru_cache(maxsize=65536)
def stem(word: str) -> str:
    """The Snowball (English) stem of a word: 'overfitting'/'overfit', 'embeddings'/'embed'. Tokens with digits
    or symbols are kept as they are; a hyphenated word is stemmed part by part."""
    w = word.lower()
    if "-" in w:
        return "-".join(stem(p) for p in w.split("-") if p)
    if not w.isalpha() or not w.isascii():
        return w
    return _stemmer.stemWord(w)


def _parts(token: str) -> list[str]:
    """A token as the matcher sees it: hyphenated words split into their parts."""
    if "-" in token and not token.startswith("o("):
        return [p for p in token.split("-") if p]
    return [token]


def words(text: str) -> list[str]:
    """The text's word tokens, lower-cased (symbols that carry meaning kept, see the module docstring)."""
    return [t for t in _tokens(text) if t != BOUNDARY]


def match_stream(text: str) -> list[str]:
    """The stems the key-term matcher compares: glue words dropped, negated stems prefixed NEG ("not:"), and
    BOUNDARY marks where punctuation ends a phrase."""
    out: list[str] = []
    scope = 0  # how many more words the current negation covers
    toks, bound = [], set()  # bound: indexes of parts of a hyphenated word, kept even if glue ("opt-in", "in-place")
    for t in _tokens(text):
        parts = _parts(t)
        if len(parts) > 1:
            bound.update(range(len(toks), len(toks) + len(parts)))
        toks.extend(parts)
    for i, tok in enumerate(toks):
        if tok == BOUNDARY:
            scope = 0
            if out and out[-1] != BOUNDARY:
                out.append(BOUNDARY)
            continue
        if is_negator(tok):
            nxt = toks[i + 1] if i + 1 < len(toks) else ""
            if tok in ("not", "no") and nxt in NOT_A_NEGATION:
                scope = 0
                continue
            scope = 1 if tok == "non" else NEGATION_WINDOW
            continue
        if tok in SCOPE_BREAKERS:
            scope = 0
        if tok in GLUE and i not in bound:
            continue
        s = stem(tok)
        if scope > 0:
            out.append(NEG + s)
            scope -= 1
        else:
            out.append(s)
    while out and out[-1] == BOUNDARY:
        out.pop()
    return out


class Stems(list):
    """content_stems' result: a list of stems that also carries `match`, the text's match stream, so that
    `contains_phrase` can match key terms with their function words and negation intact."""

    match: list[str]


def content_stems(text: str) -> Stems:
    """The stems of the text's content words (stopwords, negators and single characters dropped)."""
    out = Stems(
        stem(p) for t in _tokens(text) for p in _parts(t)
        if p != BOUNDARY and p not in STOPWORDS and not is_negator(p) and len(p) > 1
    )
    out.match = match_stream(text)
    return out


@lru_cache(maxsize=16384)
def term_stream(phrase: str) -> tuple[str, ...]:
    """A key term as the matcher looks for it: its match stream (punctuation inside it must be there too)."""
    return tuple(match_stream(phrase))


def _find(stream: list[str], target: tuple[str, ...] | list[str]) -> bool:
    n = len(target)
    if n == 0:
        return False
    first = target[0]
    for i in range(len(stream) - n + 1):
        if stream[i] == first and tuple(stream[i : i + n]) == tuple(target):
            return True
    return False


def contains_phrase(text_stems: list[str], phrase: str) -> bool:
    """True if the phrase occurs in the text: its stems consecutively, glue words ignored on both sides, negation
    honoured (see the module docstring). text_stems is content_stems(text); a plain list of stems is matched
    against the phrase's content stems only (no negation, no function words)."""
    stream = getattr(text_stems, "match", None)
    if stream is None:
        return _find(list(text_stems), list(content_stems(phrase)))
    return _find(stream, term_stream(phrase))


def mentions(text: str, phrase: str) -> bool:
    """True if every word of the phrase occurs in the text, in any order and either polarity: "Why would gradients
    explode?" mentions "exploding gradients", "Can you skip the reward model?" mentions "no reward model". Stricter
    than `contains_phrase`, for checking that a probe does not give a key term away."""
    strip = lambda s: s[len(NEG):] if s.startswith(NEG) else s  # noqa: E731
    target = {strip(s) for s in term_stream(phrase) if s != BOUNDARY}
    return bool(target) and target <= {strip(s) for s in match_stream(text)}


def negated(phrase: str) -> bool:
    """True if the phrase carries a negation the matcher honours ("not generative", "without labels")."""
    return any(s.startswith(NEG) for s in term_stream(phrase))


def is_negator(token: str) -> bool:
    """True for a word that starts a negation: one of NEGATORS, or "non" (from "non-linear")."""
    return token in NEGATORS or token == "non"


SENTENCE_RE = re.compile(r"(?<=[.!?])\s+(?=[A-Z0-9(\"'`])|\n+")


def sentences(text: str) -> list[str]:
    """Sentences and lines, stripped, in order; each is a verbatim substring of the text."""
    out = []
    for part in SENTENCE_RE.split(text):
        part = part.strip()
        if part:
            out.append(part)
    return out
