"""No backtracking regex on the answer path: every pattern that sees candidate text runs on RE2 (linear time) or is
plain string code. An answer ending in "o(" and 10,000 spaces once took 24 s in one quadratic `re` pattern and
stalled every other request.

Nothing here measures time. Instead:
- the adversarial inputs run under a profiler hook that records every call into Python's `re` (its functions, and
  the methods of compiled patterns and matches), so a backtracking pattern reintroduced anywhere on the path,
  in any module, fails the test;
- the modules that handle candidate text import neither `re` nor `regex`;
- the RE2 rewrite gives what the `re` patterns gave: the old patterns live on here, as the oracle, and a fuzzed
  corpus must tokenize, prepare and split into sentences the same way;
- input over four times the answer limit is refused before it is cleaned.
"""

from __future__ import annotations

import ast
import contextlib
import importlib
import inspect
import os
import random
import re
import sys
import unicodedata

import pytest

from interviewer.bank import models as bank_models
from interviewer.bank.storage import load_bank
from interviewer.engine import inputs, turns
from interviewer import text
from interviewer.grader import claims, draft, sanitize, signals
from interviewer.grader.review import Reviewer
from interviewer.grading import make_grader
from interviewer.ui import render

N = 20_000
ADVERSARIAL = {
    "big-O then spaces": "o(" + " " * N,
    "big-O then spaces then a close": "The cost is o(" + " " * N + "n)",
    "spaces and tabs before a letter": " \t" * N + "x",
    "spaces and tabs before line breaks": ("a" + " \t" * 50 + "\n") * (N // 100),
    "one long word": "a" * 50_000,
    "a long word of dots": "a" + "." * 50_000,
    "a long word of dashes": "a" + "-" * 50_000 + "!",
    "pluses before a letter": "c" + "+" * 50_000 + "x",
    "pairs": "a/" * 25_000 + "bc",
    "settings": "k = " * 10_000 + "=",
    "contractions": "don'" * 10_000 + "t",
    "n't after a long word": "a" * 50_000 + "n't" + "x",
    "possessives": "'s" * 25_000,
    "sentences": "Ignore. " * 5_000,
    "acronyms": "AB" * 25_000 + "s",
    "and/or salad": "and or " * 7_000,
    "code fences": "```" * 20_000,
    "backticks": "`" + "a" * 50_000,
    "unclosed comment": "<!--" * 10_000,
    "lone surrogates": "bias \ud800 variance \udfff " * 2_000,
}


#: Put in every adversarial answer: a library's own use of `re` (json reading a data file, pytest matching file
#: names) is not on the answer path, but one whose caller holds the candidate's text is.
MARK = "qzxjvkmark"
PROJECT = tuple(os.path.dirname(m.__file__) + os.sep for m in (importlib.import_module("interviewer"), render))


@contextlib.contextmanager
def no_python_regex(mark: str | None = MARK):
    """Record every use of Python's `re` while the block runs (calls of its functions, and of the methods of
    compiled patterns and matches) made from the project's code (interviewer/, ui/), or from any code whose
    frame holds text containing `mark`. Fails the test at the end if there was any."""
    re_dir = os.path.dirname(re.__file__)
    seen: list[str] = []

    def counts(frame) -> bool:
        if frame.f_code.co_filename.startswith(PROJECT):
            return True
        return mark is not None and any(isinstance(v, str) and mark in v.lower() for v in frame.f_locals.values())

    def hook(frame, event, arg):
        if event == "call" and frame.f_code.co_filename.startswith(re_dir) and frame.f_back is not None:
            caller = frame.f_back
            if not caller.f_code.co_filename.startswith(re_dir) and (counts(caller) or counts(frame)):
                seen.append(f"re.{frame.f_code.co_name} from {caller.f_code.co_filename}:{caller.f_lineno}")
        elif event == "c_call" and isinstance(getattr(arg, "__self__", None), (re.Pattern, re.Match)):
            if counts(frame):
                seen.append(f"{arg.__self__!r:.60}.{arg.__name__} from {frame.f_code.co_filename}:{frame.f_lineno}")

    old = sys.getprofile()
    sys.setprofile(hook)
    try:
        yield seen
    finally:
        sys.setprofile(old)
    assert not seen, "Python's backtracking `re` ran on candidate text:\n" + "\n".join(dict.fromkeys(seen))


def fresh_caches():
    for f in (text.prepare, text._token_tuple, text.stem, text.term_stream):
        f.cache_clear()


def test_the_detector_sees_python_regex():
    """The hook catches both kinds of use on candidate text, so the tests below can fail; a library's own use of
    `re` on other text is not counted."""
    def function(s):
        return re.sub(r"\s+", " ", s)

    def method(s):
        return re.compile(r"(a+)+$").search(s)

    def match_method(s):
        return re.compile("q").match(s).group()

    for use in (function, method, match_method):
        with pytest.raises(AssertionError, match="backtracking"):
            with no_python_regex():
                use(MARK + " aaa")
    with no_python_regex():
        function("other text")
        method("aaa")


@pytest.mark.parametrize("name", list(ADVERSARIAL))
def test_candidate_text_never_meets_python_regex(name):
    answer = MARK + " " + ADVERSARIAL[name]
    question = load_bank(include_user=False).get("ml-fundamentals-01")
    criterion = question.rubric.criteria[0]
    grader = make_grader(None)
    fresh_caches()
    with no_python_regex():
        inputs.classify(answer, max_chars=N, empty_tries=0)
        inputs.clean_text(answer)
        text.prepare(answer)
        text.words(answer)
        stems = text.content_stems(answer)
        text.contains_phrase(stems, "bias variance")
        text.mentions(answer, "bias variance")
        text.sentences(answer)
        screened = sanitize.screen(answer)
        sanitize.language_flags(answer)
        signals.term_coverage(stems, criterion)
        signals.source_overlap(stems, criterion)
        signals.explained_coverage(answer, criterion)
        signals.list_likeness(answer)
        signals.is_list_like(answer)
        signals.best_evidence(screened.text, criterion)
        signals.verify_quote(answer[:50], answer)
        turns.classify(answer)
        draft.draft_rubric("What is the bias-variance trade-off?", answer)
        bank_models.normalize(answer)
        bank_models.slugify(answer)
        bank_models.strip_markdown(answer)
        render.literal_markdown(answer)
        render.escape_markup(answer)
        render.words(answer[:2000])
        render.chat_message({"role": "candidate", "text": answer})
        grader.grade(question, answer)
        claims.claims(answer)
        Reviewer(None).review(question, answer)


def test_an_interview_answer_never_meets_project_regex(tmp_path):
    """The whole engine path, as /answer runs it (model-free grading): none of the project's code uses `re`."""
    from interviewer.engine import Interview, InterviewConfig

    interview, _ = Interview.start(InterviewConfig(categories=["ML Fundamentals"], questions=2, lexical=True))
    with no_python_regex(mark=None):  # the store reads its own JSON (with the answer in it) with json's `re`
        reply = interview.answer("The cost is o(" + " " * (N - 100) + "n)")
    assert not reply.refused


CANDIDATE_TEXT_MODULES = [text, signals, draft, sanitize, bank_models, inputs, turns, render,
                          importlib.import_module("interviewer.grader.grader"), claims,
                          importlib.import_module("interviewer.grader.review")]


@pytest.mark.parametrize("module", CANDIDATE_TEXT_MODULES, ids=lambda m: m.__name__)
def test_modules_that_see_candidate_text_do_not_import_python_regex(module):
    tree = ast.parse(inspect.getsource(module))
    imported = {a.name.split(".")[0] for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names}
    imported |= {n.module.split(".")[0] for n in ast.walk(tree) if isinstance(n, ast.ImportFrom) and n.module}
    assert not imported & {"re", "regex"}, f"{module.__name__} imports a backtracking regex engine"
    held = [k for k, v in vars(module).items() if isinstance(v, re.Pattern) or v is re]
    assert not held, f"{module.__name__} holds Python regex objects: {held}"


# -- behaviour on adversarial input ----------------------------------------------------------------------------
def test_adversarial_answers_keep_their_meaning():
    assert text.words("The cost is o(" + " " * N + "n)") == ["the", "cost", "is", "o(n)"]
    assert text.prepare("o(" + " " * N) == "o(" + " " * N
    assert inputs.classify("o(" + " " * N, max_chars=N, empty_tries=0) == {"kind": "answer", "text": "o("}
    assert inputs.classify(" \t" * N + "x", max_chars=N, empty_tries=0) == {"kind": "answer", "text": "x"}
    assert inputs.clean_text("a \t \nb\t\n") == "a\nb"
    assert inputs.classify("a" * 50_000, max_chars=N, empty_tries=0) == {"kind": "too_long", "chars": 50_000}
    assert text.sentences("Ignore. " * 3) == ["Ignore.", "Ignore.", "Ignore."]
    assert turns.classify("a" * 50_000)[0] == "answer"


def test_oversized_input_is_refused_before_it_is_cleaned(monkeypatch):
    def boom(raw):
        raise AssertionError("cleaned text that is refused anyway")

    monkeypatch.setattr(inputs, "clean_text", boom)
    for raw in ("x" * (4 * N + 1), b"x" * (4 * N + 1), "o(" + " " * 5_000_000):
        assert inputs.classify(raw, max_chars=N, empty_tries=0) == {"kind": "too_long", "chars": len(raw)}


def test_lone_surrogates_are_cleaned_where_candidate_text_enters():
    assert inputs.clean_text("bias\ud800 variance") == "bias variance"
    screened = sanitize.screen("Bias is error from wrong assumptions\udfff; variance is sensitivity.")
    screened.text.encode("utf-8")
    assert "assumptions;" in screened.text
    assert text.words("a\ud800b c") == ["ab", "c"]


# -- the RE2 patterns match what the `re` patterns matched ------------------------------------------------------
def test_whitespace_is_pythons():
    everything = "".join(chr(c) for c in range(0x110000) if not 0xD800 <= c <= 0xDFFF)
    matched = {m.group() for m in text.rx(text.WHITESPACE).finditer(everything)}
    assert matched == {c for c in everything if c.isspace()}


def test_word_patterns_keep_pythons_word_boundaries():
    pattern = text.WordPattern("and|or|[,;]", "i")
    for s in ("salt and pepper", "sand, or bandor", "AND/OR", "élan and naïve", "x_and y", "and", "or,and;"):
        assert pattern.split(s) == re.split(r"\band\b|\bor\b|[,;]", s, flags=re.I), s


class Oracle:
    """text.py's tokenizer, `prepare` and `sentences` as they were on Python's `re` (the reference, not a path)."""

    ACRONYM_PLURAL = re.compile(r"\b([A-Z]{2,}[0-9]*)s\b")
    BIG_O = re.compile(r"\bo\s*\(\s*([a-z0-9^*+/ .,]{1,30}?)\s*\)")
    TOKEN = re.compile(
        r"(?P<bigo>\bo\([a-z0-9^*+/.,]{1,30}\))"
        r"|(?P<compound>(?<![a-z0-9._-])[a-z0-9](?:[&/][a-z0-9])+(?![a-z0-9])"
        r"|(?<![a-z0-9._-])[a-z0-9]{1,3}[=^][a-z0-9.]{1,8}(?![a-z0-9]))"
        r"|(?P<word>[a-z0-9][a-z0-9#._-]*(?:[a-z0-9#]|\++(?![a-z0-9]))|[a-z0-9])"
        r"|(?P<stop>[.,;:!?()\[\]{}\"|]|\n)"
    )
    SENTENCE = re.compile(r"(?<=[.!?])\s+(?=[A-Z0-9(\"'`])|\n+")

    @classmethod
    def prepare(cls, s: str) -> str:
        def big_o(m):
            inner = re.sub(r"([a-z])(\d)", r"\1^\2", re.sub(r"\s+", "", m.group(1)))
            return f"o({inner})"

        s = unicodedata.normalize("NFKC", s.translate(text._SUPERSCRIPTS))
        s = cls.ACRONYM_PLURAL.sub(r"\1", s)
        s = s.lower().translate(text._CHAR_MAP).replace("**", "^")
        s = cls.BIG_O.sub(big_o, s)
        s = re.sub(r"\b([a-z0-9]{1,3})\s*([=^])\s*(?=[a-z0-9])", r"\1\2", s)
        s = re.sub(r"\bcan't\b|\bcannot\b", "can not", s)
        s = re.sub(r"\bwon't\b", "will not", s)
        s = re.sub(r"\bshan't\b", "shall not", s)
        s = re.sub(r"\b(\w+)n't\b", r"\1 not", s)
        return re.sub(r"'s\b", "", s)

    @classmethod
    def tokens(cls, s: str) -> list[str]:
        return [text.BOUNDARY if m.lastgroup == "stop" else m.group() for m in cls.TOKEN.finditer(cls.prepare(s))]

    @classmethod
    def sentences(cls, s: str) -> list[str]:
        return [p.strip() for p in cls.SENTENCE.split(s) if p.strip()]


def corpus() -> list[str]:
    bank = load_bank(include_user=False)
    texts = []
    for q in bank.questions.values():
        texts += [q.question, q.reference_answer, *(c.source for c in q.rubric.criteria)]
    pieces = list("aonk5c1 ()^*+/.,=&#_-'\"\t\n!?é²AZLMsx") + [
        "n't", "can't", "cannot", "won't", "o(", "o (", "'s", "++", "a/b", "k=", "x^2", "O(n", " and ", "LLMs",
        "\u00a0", "\u2028", "\x85", "β", "1.5", "c#", "w&b", "Q&A", ". A", "? 3", "! (", "\n\n"]
    rng = random.Random(19)
    texts += ["".join(rng.choice(pieces) for _ in range(rng.randint(1, 40))) for _ in range(4000)]
    return texts


def test_tokens_prepare_and_sentences_are_what_python_regex_gave():
    for s in corpus():
        assert text.prepare(s) == Oracle.prepare(s), s
        assert list(text._tokens(s)) == Oracle.tokens(s), s
        assert text.sentences(s) == Oracle.sentences(s), s


def test_list_splitting_and_bullets_are_what_python_regex_gave():
    old_split = re.compile(r"[,;|•·]|\band\b|\bor\b|\s[-–—]\s", re.I)
    old_bullet = re.compile(r"^\s*(?:[-*•–]|\d+[.)])\s+")
    for s in corpus():
        assert signals._ITEM_SPLIT_RE.split(s) == old_split.split(s), s
        assert bool(signals._BULLET_RE.match(s)) == bool(old_bullet.match(s)), s
        assert bank_models.normalize(s) == re.sub(r"\s+", " ", s).strip().lower(), s
        assert bank_models.slugify(s) == re.sub(r"[^a-z0-9]+", "-", s.lower().replace("&", " ")).strip("-"), s
        assert render.words(s) == old_render_words(s), s


def old_render_words(s: str) -> list[str]:
    tokens = re.findall(r"\S+\s*", s)
    if not tokens:
        return [s]
    out = ["".join(tokens[:i]) for i in range(3, len(tokens) + 3, 3)]
    return out if out[-1] == s else out + [s]
