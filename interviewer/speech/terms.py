"""The question's key terms, spelled back in a transcript where the speech model misheard them.

A small speech model hears "LoRA" as "Laura", "KV cache" as "KV cash", "QLoRA" as "cue Lora", "linear
regression" as "linear aggression": words that sound like the term and are spelled nearly like it. `snap` puts
the term back, only for the key terms of the question being answered (its rubric's), so a sound-alike of a term
the question never asks about is left as heard (snapping a whole category's or the bank's terms raised WER in
bench/speech.py). The speech model's prompt holds the technical ones among them (`speech_terms`).

A run of a few transcript words (the term's own and two more, or an acronym's letters said one by one) is
snapped to a term when, with case, spaces, hyphens and dots ignored, it is spelled like the term ("kv-cache",
"H.N.S.W", "layer norm" for LayerNorm), or when it sounds like the term (the same Metaphone key) *and* is spelled nearly like it (similarity at least
MIN_SIMILARITY), so "bird" is never taken for BERT nor "rack" for RAG. A sound-alike of one word is snapped only
when the speech model wrote it as a name (a capital inside a sentence: "train Laura adapters"), since a
common word that happens to sound like a term ("the shape of the tensor", SHAP) is written in lower case. A run
never spans the end of a clause. String code only, linear in the transcript: no regular expressions run on what
was said.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import jellyfish
from rapidfuzz.distance import Indel

from .delivery import Word

#: The similarity (0-1, rapidfuzz's normalized indel similarity) a sound-alike needs to be snapped (laura/lora
#: 0.89, kvcash/kvcache 0.92, cuelora/qlora 0.67; bird/bert 0.50, rack/rag 0.57).
MIN_SIMILARITY = 0.65
#: Extra transcript words a run may have over the term's own ("cue Lora" for QLoRA); an acronym may also be
#: heard letter by letter ("H N S W"), up to MAX_RUN words.
EXTRA_WORDS = 2
MAX_RUN = 6
CLAUSE_END = ",.;:!?"
_TRAILING = ",.;:!?\"')]}"
_LEADING = "\"'([{"


def technical(term: str) -> bool:
    """A key term a small speech model gets wrong: one of its tokens is acronym-like or alphanumeric (LoRA,
    KV cache, int8, A100); plain words (learning rate) it gets right."""
    for token in term.replace("-", " ").replace("/", " ").split():
        upper = sum(ch.isupper() for ch in token)
        if upper >= 2 or (token[:1].isupper() and upper >= 1 and any(ch.isdigit() for ch in token)):
            return True
        if any(ch.isdigit() for ch in token) and any(ch.isalpha() for ch in token):
            return True
    return False


def speech_terms(key_terms: Iterable[str]) -> list[str]:
    """The technical terms among a question's key terms, once each, in order."""
    return list(dict.fromkeys(t.strip() for t in key_terms if t and t.strip() and technical(t)))


def _key(text: str) -> str:
    """Letters and digits only, lower case: "KV-cache" and "kv cache" share the key "kvcache"."""
    return "".join(ch for ch in text.lower() if ch.isalnum())


def _digits(key: str) -> str:
    return "".join(ch for ch in key if ch.isdigit())


class _Term:
    __slots__ = ("text", "key", "sound", "digits", "longest")

    def __init__(self, text: str) -> None:
        self.text, self.key = text, _key(text)
        self.sound = jellyfish.metaphone(self.key) if self.key.isascii() else ""
        self.digits = _digits(self.key)  # Metaphone ignores digits: "500 question answer pairs" is not a term
        words = len(text.replace("-", " ").split())
        # the most transcript words it may be heard as: its own words and a few more, or its letters spelled
        # out one by one ("H N S W")
        self.longest = min(MAX_RUN, max(words + EXTRA_WORDS, len(self.key) if words == 1 else 0))

    def sounds_like(self, run_key: str, run_sound: str) -> bool:
        """`run_key` (its Metaphone key `run_sound`) is this term misheard."""
        return (len(self.sound) >= 2 and run_sound == self.sound and _digits(run_key) == self.digits
                and Indel.normalized_similarity(run_key, self.key) >= MIN_SIMILARITY)

    def spelled(self, run_key_cased: str) -> str:
        """The term as written in place of a run (`run_key_cased`: the run's letters and digits, as heard).
        A term with capitals is written as the rubric writes it (LoRA, KV cache). A term in lower case says
        nothing about case (rubrics list "bert", "gpus"), so a run spelled like it keeps its own letters and
        takes only the term's spaces and hyphens ("multi -step" -> "multi-step", "BERT" stays); a sound-alike
        takes the term's letters and the capital of a sentence's first word ("Lone approval" -> "Loan
        approval")."""
        if self.text != self.text.lower():
            return self.text
        if run_key_cased.lower() == self.key and len(run_key_cased) == len(self.key):  # (a letter may lower to two)
            letters = iter(run_key_cased)
            return "".join(next(letters) if ch.isalnum() else ch for ch in self.text)
        if run_key_cased[:1].isupper():
            return self.text[:1].upper() + self.text[1:]
        return self.text


def _named(words: Sequence[Word], i: int) -> bool:
    """Word i is written as a name: a capital letter, not at the start of a sentence."""
    text = words[i].text.strip().lstrip(_LEADING)
    return text[:1].isupper() and i > 0 and words[i - 1].text.rstrip()[-1:] not in ".!?"


def _find(words: Sequence[Word], i: int, wanted: list[_Term], longest: int, sounds: bool) -> tuple[int, _Term] | None:
    """The longest run from word i that is a term spelled otherwise (or, `sounds`, misheard): (its length, the
    term)."""
    for n in range(min(longest, len(words) - i), 0, -1):
        run = words[i:i + n]
        if any(w.text.rstrip()[-1:] in CLAUSE_END for w in run[:-1]):
            continue  # a run never spans the end of a clause
        if not _key(run[0].text) or not _key(run[-1].text):
            continue  # nor starts or ends with a bare mark ("—"), which would be dropped
        run_key = _key("".join(w.text for w in run))
        if not run_key:
            continue
        if not sounds:
            term = next((t for t in wanted if n <= t.longest and t.key == run_key), None)
        elif (n > 1 or _named(words, i)) and run_key.isascii():
            run_sound, first = jellyfish.metaphone(run_key), jellyfish.metaphone(_key(run[0].text))[:1]
            # the run's first word starts the term's sound: no stray word is swallowed ("OOT threshold")
            term = next((t for t in wanted if n <= t.longest and t.sound[:1] == first
                         and t.sounds_like(run_key, run_sound)), None)
        else:
            term = None
        if term is not None:
            return n, term
    return None


def snap(words: Sequence[Word], terms: Iterable[str]) -> list[Word]:
    """`words` with every run that is a term misheard or misspelled replaced by the term as one word (its
    timing from the run's first start to its last end; the run's surrounding punctuation kept). A term spelled
    otherwise is found before a term misheard, a longer run before a shorter; a run already spelled exactly as
    the term is left alone."""
    wanted = sorted((_Term(t) for t in dict.fromkeys(terms) if _key(t)), key=lambda t: -len(t.key))
    if not wanted or not words:
        return list(words)
    longest = max(t.longest for t in wanted)
    out: list[Word] = []
    i = 0
    while i < len(words):
        hit = _find(words, i, wanted, longest, sounds=False) or _find(words, i, wanted, longest, sounds=True)
        if hit is None:
            out.append(words[i])
            i += 1
            continue
        n, term = hit
        run = words[i:i + n]
        first, last = run[0].text.strip(), run[-1].text.strip()
        lead = first[: len(first) - len(first.lstrip(_LEADING))]
        trail = last[len(last.rstrip(_TRAILING)):]
        said = " ".join(w.text.strip() for w in run)
        spelled = term.spelled("".join(ch for w in run for ch in w.text if ch.isalnum()))
        if said[len(lead): len(said) - len(trail)] == spelled:
            out.extend(run)
        else:
            out.append(Word(text=f"{lead}{spelled}{trail}", start=run[0].start, end=max(w.end for w in run)))
        i += n
    return out
