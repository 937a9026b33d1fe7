"""Cheap text tools the bank and the grader share, with no model and no import of either (the bank's checks
and the grader's signals match terms the same way): normalising, stemming, sentences, content words, and the
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

import unicodedata
from collections.abc import Callable, Iterator
from functools import lru_cache

import re2
import snowballstemmer


def normalize(text: str) -> str:
    """Case- and whitespace-insensitive form used to check that a quote appears in a text."""
    return " ".join(text.split()).lower()


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

# Every pattern here runs on RE2 (google-re2), whose matching time is linear in the input: these functions see
# candidate answers, and no answer may make them slow. RE2 has no lookaround and its \b, \w and \s know ASCII only,
# so what Python's `re` did with those is done in code: `WordPattern` checks Python's word boundaries (Unicode word
# characters: str.isalnum() or "_") and WHITESPACE is Python's whitespace (str.isspace()).

#: The characters str.isspace() (and Python's `\s`) counts as whitespace, as an RE2 class.
WHITESPACE = r"[\t\n\x0b\x0c\r\x1c-\x1f \x{85}\x{a0}\x{1680}\x{2000}-\x{200a}\x{2028}\x{2029}\x{202f}\x{205f}\x{3000}]"


def rx(pattern: str | bytes, flags: str = "") -> re2._Regexp:
    """One compiled RE2 pattern; flags as RE2's inline letters (i: ignore case, m: multi-line, s: dot-all)."""
    if flags:
        pattern = f"(?{flags})" + pattern if isinstance(pattern, str) else f"(?{flags})".encode() + pattern
    return re2.compile(pattern)


def drop_surrogates(text: str) -> str:
    """The text without lone surrogates (U+D800-U+DFFF: not text, and no UTF-8 encoder, RE2's included, accepts
    them; a JSON string's "\\ud800" escape makes one)."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return text.encode("utf-8", "ignore").decode("utf-8")
    return text


def is_word_char(ch: str) -> bool:
    """A word character as Python's `\\w` and `\\b` see one: a Unicode letter or digit, or "_"."""
    return ch.isalnum() or ch == "_"


class WordPattern:
    """An RE2 pattern whose matches sit on word boundaries as Python's `\\b` sees them (RE2's `\\b` knows ASCII
    only): a match that begins with a word character follows a non-word one (or the start of the text), and one
    that ends with a word character is followed by a non-word one (or the end); `WordPattern("and|or")` is
    Python's `\\band\\b|\\bor\\b`. Texts must hold no lone surrogates (see `drop_surrogates`)."""

    def __init__(self, pattern: str, flags: str = "") -> None:
        self.rx = rx(pattern, flags)

    def finditer(self, text: str) -> Iterator:
        for m in self.rx.finditer(text):
            start, end = m.span()
            if start < end and is_word_char(text[start]) and start > 0 and is_word_char(text[start - 1]):
                continue
            if start < end and is_word_char(text[end - 1]) and end < len(text) and is_word_char(text[end]):
                continue
            yield m

    def split(self, text: str) -> list[str]:
        parts, done = [], 0
        for m in self.finditer(text):
            parts.append(text[done:m.start()])
            done = m.end()
        return parts + [text[done:]]

    def sub(self, repl: Callable, text: str) -> str:
        """The text with each match replaced by repl(match)."""
        out, done = [], 0
        for m in self.finditer(text):
            out += [text[done:m.start()], repl(m)]
            done = m.end()
        return "".join(out) + text[done:] if out else text


_ACRONYM_PLURAL_RE = WordPattern(r"([A-Z]{2,}[0-9]*)s")
_BIG_O_RE = rx(rf"o{WHITESPACE}*\({WHITESPACE}*([a-z0-9^*+/ .,]{{1,30}}?){WHITESPACE}*\)")
_SETTING_RE = rx(rf"([a-z0-9]{{1,3}}){WHITESPACE}*([=^]){WHITESPACE}*")  # "k = 5" -> "k=5"
_CONTRACTIONS = {"can't": "can not", "cannot": "can not", "won't": "will not", "shan't": "shall not"}
_CONTRACTION_RE = WordPattern("|".join(_CONTRACTIONS))
_ALNUM = frozenset("abcdefghijklmnopqrstuvwxyz0123456789")

# The tokenizer, on the prepared text's UTF-8 bytes (RE2 then works at given offsets without re-encoding the
# text). Alternatives in order of preference: a big-O expression, a compound ("w&b", "k=5"), a word, a stop.
# Python's lookarounds (a big-O after a word boundary, a compound not after [a-z0-9._-] nor before [a-z0-9], a
# run of "+" not before [a-z0-9]) are checked in `_token_at`.
_TOKEN_RE = rx(
    rb"(?P<bigo>o\([a-z0-9^*+/.,]{1,30}\))"
    rb"|(?P<pairs>[a-z0-9](?:[&/][a-z0-9])+)"
    rb"|(?P<setting>[a-z0-9]{1,3}[=^][a-z0-9.]{1,8})"
    rb"|(?P<word>[a-z0-9][a-z0-9#._-]*(?:[a-z0-9#]|\++)|[a-z0-9])"
    rb"|(?P<stop>[.,;:!?()\[\]{}\"|\n])"
)
_BIGO, _PAIRS, _SETTING, _WORD, _STOP = 1, 2, 3, 4, 5
_PAIRS_RE = rx(rb"[a-z0-9](?:[&/][a-z0-9])+")
_SETTING_AT_RE = rx(rb"[a-z0-9]{1,3}[=^]([a-z0-9.]{1,8})")
_WORD_RE = rx(rb"[a-z0-9][a-z0-9#._-]*(?:[a-z0-9#]|\++)|[a-z0-9]")
_WORD_NO_PLUS_RE = rx(rb"[a-z0-9][a-z0-9#._-]*[a-z0-9#]|[a-z0-9]")
_ALNUM_BYTES = frozenset(b"abcdefghijklmnopqrstuvwxyz0123456789")
_NO_COMPOUND_AFTER = _ALNUM_BYTES | frozenset(b"._-")
_STOP_BYTES = frozenset(b'.,;:!?()[]{}"|\n')
BOUNDARY = "|"

_stemmer = snowballstemmer.stemmer("english")


def _big_o(m: re2._Match) -> str:
    inner = m.group(1).replace(" ", "")
    # n2 -> n^2 (what NFKC does to n²)
    inner = "".join(c + "^" if c.isascii() and c.isalpha() and n.isascii() and n.isdigit() else c
                    for c, n in zip(inner, inner[1:] + " "))
    return f"o({inner})"


def _after_word(m: re2._Match) -> bool:
    """Whether a match follows a word character (Python's `\\b` before it fails)."""
    return m.start() > 0 and is_word_char(m.string[m.start() - 1])


def _expand_nt(text: str) -> str:
    """ "isn't" -> "is not": a word ending in "n't" (and longer than "n't") loses its "n't" to " not"."""
    out, done, i = [], 0, text.find("n't")
    while i != -1:
        start, end = i, i + 3
        while start > done and is_word_char(text[start - 1]):
            start -= 1
        if start < i and (start == 0 or not is_word_char(text[start - 1])) and (
                end == len(text) or not is_word_char(text[end])):
            out += [text[done:start], text[start:i], " not"]
            done = end
        i = text.find("n't", end)
    return "".join(out) + text[done:]


def _drop_possessive(text: str) -> str:
    """ "the model's output" -> "the model output": "'s" goes where no word character follows it."""
    parts = text.split("'s")
    return parts[0] + "".join(("'s" if p[:1] and is_word_char(p[0]) else "") + p for p in parts[1:])


@lru_cache(maxsize=4096)
def prepare(text: str) -> str:
    """Text as the tokenizer sees it: NFKC, lower case, symbols mapped to words, big-O and contractions tidied."""
    text = unicodedata.normalize("NFKC", drop_surrogates(text).translate(_SUPERSCRIPTS))
    text = _ACRONYM_PLURAL_RE.sub(lambda m: m.group(1), text)
    text = text.lower().translate(_CHAR_MAP)
    text = text.replace("**", "^")
    text = _BIG_O_RE.sub(lambda m: m.group() if _after_word(m) else _big_o(m), text)
    text = _SETTING_RE.sub(
        lambda m: m.group(1) + m.group(2) if not _after_word(m) and m.string[m.end():m.end() + 1] in _ALNUM
        else m.group(), text)
    text = _CONTRACTION_RE.sub(lambda m: _CONTRACTIONS[m.group()], text)
    text = _expand_nt(text)
    return _drop_possessive(text)


def _word_before(b: bytes, p: int) -> bool:
    """Whether the character before byte offset p of UTF-8 text is a word character."""
    if p == 0:
        return False
    start = p - 1
    while start > 0 and p - start < 4 and 0x80 <= b[start] < 0xC0:
        start -= 1
    return is_word_char(b[start:p].decode("utf-8", "replace")[-1:] or " ")


def _word_at(b: bytes, p: int) -> int:
    """The end of the word token at p: a run of "+" closes a word only where no [a-z0-9] follows the last."""
    end = _WORD_RE.match(b, p).end()
    if b[end - 1] == 0x2B and end < len(b) and b[end] in _ALNUM_BYTES:  # "+" before a letter or digit
        if b[end - 2] == 0x2B and end - p >= 3:
            return end - 1
        return _WORD_NO_PLUS_RE.match(b, p).end()
    return end


def _token_at(b: bytes, p: int, first: int, end: int) -> int:
    """The end of the token at p, where `_TOKEN_RE` matched alternative `first` up to `end`: the alternatives
    from `first` on (the earlier ones cannot match there), now with the lookarounds `_TOKEN_RE` leaves out."""
    if first == _BIGO and not _word_before(b, p):
        return end
    if first <= _SETTING and (p == 0 or b[p - 1] not in _NO_COMPOUND_AFTER):
        m = _PAIRS_RE.match(b, p) if first <= _PAIRS else None
        if m:
            end = m.end()
            if end == len(b) or b[end] not in _ALNUM_BYTES:
                return end
            if end - p >= 5:  # give back the last pair: a [&/] then follows
                return end - 2
        m = _SETTING_AT_RE.match(b, p)
        if m:
            end, value = m.end(), m.start(1)
            if end == len(b) or b[end] not in _ALNUM_BYTES:
                return end
            dot = b.rfind(b".", value + 1, end)  # the value may stop before a "." that a letter or digit follows
            if dot != -1:
                return dot
    return _word_at(b, p)


@lru_cache(maxsize=4096)
def _token_tuple(text: str) -> tuple[str, ...]:
    b = prepare(text).encode("utf-8")
    out: list[str] = []
    pos, n = 0, len(b)
    while pos < n:
        for m in _TOKEN_RE.finditer(b, pos):
            start, end = m.span()
            if b[start] in _STOP_BYTES:
                out.append(BOUNDARY)
                continue
            if b[start:end].isalnum():  # a plain word (the common case: no lookaround to check)
                fixed = end
            elif m.start(_WORD) >= 0:
                fixed = end if b[end - 1] != 0x2B else _word_at(b, start)
            else:
                first = next(k for k in (_BIGO, _PAIRS, _SETTING) if m.start(k) >= 0)
                fixed = _token_at(b, start, first, end)
            out.append(b[start:fixed].decode("ascii"))
            if fixed != end:
                pos = fixed  # a shorter token than RE2's: go on from its end
                break
        else:
            break
    return tuple(out)


def _tokens(text: str) -> tuple[str, ...]:
    """Words and BOUNDARY marks (punctuation, line breaks), in order."""
    return _token_tuple(text)


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
    toks: list[str] = []
    bound: set[int] = set()  # bound: indexes of parts of a hyphenated word, kept even if glue ("opt-in", "in-place")
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


#: Where a sentence may end: whitespace after [.!?], or whitespace holding a line break (each a whole run).
_SENTENCE_GAP_RE = rx(rf"[.!?]({WHITESPACE}+)|({WHITESPACE}*\n{WHITESPACE}*)")
_SENTENCE_START = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789(\"'`")


def sentences(text: str) -> list[str]:
    """Sentences and lines, stripped, in order; each is a verbatim substring of the text (less any lone
    surrogates). A sentence ends at a line break, or at whitespace between [.!?] and a capital, a digit, an
    opening bracket or a quote."""
    text = drop_surrogates(text)
    out, done = [], 0
    for m in _SENTENCE_GAP_RE.finditer(text):
        gap = 1 if m.start(1) >= 0 else 2
        start, end = m.span(gap)
        if gap == 2 or "\n" in m.group(gap) or text[end:end + 1] in _SENTENCE_START:
            out.append(text[done:start].strip())
            done = end
    out.append(text[done:].strip())
    return [part for part in out if part]
