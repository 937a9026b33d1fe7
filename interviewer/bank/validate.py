"""Whole-bank checks beyond one file's schema: ids, categories, rubric sizes, weights, and whether each rubric
can grade its question: key terms the matcher can find, probes that do not give the point away, sources.

Rubric rules (each an error, named by its kind in Report.kinds):
- key-term-empty: a key term that tokenizes to nothing can never match.
- key-term-trivial: a single letter or only stopwords ("M", "both") matches almost any answer.
- key-term-negation: a term with a negation the matcher drops ("not only ...", a bare "not") would match the
  affirmation.
- key-term-in-question: a term the question text already contains rewards repeating the question.
- probe-yes-no: the first probe (the one that is asked) is a yes/no question, which leads the candidate.
- probe-names-term: the first probe names one of its criterion's key terms, giving the point away.
- source-not-beyond: a criterion marked beyond_reference whose source is a quote of the reference.
- scope-names-term: the question's scope note (what the interviewer says to a clarifying question) names a key term
  of a core criterion, in either polarity, that the question text does not already name, so a clarification would
  give the point away.
(Sources that are neither quotes nor marked beyond_reference are refused when the file loads.)
A multi-word key term that matches as a single word because its other words are glue ("use cases" as "case"), a
second probe that leads, a question with no scope note and a scope note longer than SCOPE_MAX_WORDS are warnings.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from importlib.resources.abc import Traversable
from pathlib import Path

from ..errors import BankError
from ..text import (
    BOUNDARY, NEG, STOPWORDS, Stems, content_stems, contains_phrase, is_negator, mentions, negated, normalize,
    term_stream, words,
)
from .models import Criterion, Question, strip_markdown
from .storage import Bank, _iter_yaml, load_question_file

MIN_CRITERIA, MAX_CRITERIA = 4, 8
SCOPE_MAX_WORDS = 60  # a scope note is one to three short sentences
YES_NO_RE = re.compile(
    r"^\W*(is|are|was|were|does|do|did|can|could|would|should|will|shall|has|have|had|may|might|must)"
    r"(n['’]t|not)?\b",
    re.I,
)


@dataclass
class Report:
    bank: Bank = field(default_factory=Bank)
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    kinds: Counter = field(default_factory=Counter)  # rubric-rule errors by kind (see the module docstring)

    @property
    def ok(self) -> bool:
        return not self.errors

    def rule(self, kind: str, message: str) -> None:
        self.errors.append(f"{message} [{kind}]")
        self.kinds[kind] += 1


def key_term_problem(term: str) -> tuple[str, str] | None:
    """(kind, reason) when the matcher cannot use this key term as it reads; None when it can."""
    stream = term_stream(term)
    if not stream:
        return "key-term-empty", "nothing is left of it after tokenizing, so it can never match"
    parts = [p for w in words(term) for p in w.split("-") if p]
    if all(p in STOPWORDS or len(p) == 1 or is_negator(p) for p in parts):
        return "key-term-trivial", "a single letter or only stopwords matches almost any answer"
    has_negator = any(is_negator(p) for p in parts)
    if has_negator and not negated(term):
        return "key-term-negation", "the matcher drops its negation, so the affirmation would match it"
    if has_negator and all(s.startswith(NEG) and s[len(NEG):] in STOPWORDS for s in stream if s.startswith(NEG)):
        return "key-term-negation", "it negates only stopwords, so the negation cannot be checked"
    return None


def key_term_shrinks(term: str) -> bool:
    """True for a multi-word term that matches as one word, its other words being glue ("use cases" as "case")."""
    parts = [p for w in words(term) for p in w.split("-") if p and not is_negator(p)]
    return len(parts) > 1 and not negated(term) and len([s for s in term_stream(term) if s != BOUNDARY]) == 1


def check_rubric(q: Question, where: str, report: Report) -> None:
    """The rubric rules of the module docstring, for one question."""
    if q.rubric is None:
        return
    question = content_stems(q.question)
    reference = normalize(strip_markdown(q.reference_answer))
    for c in q.rubric.criteria:
        at = f"{where}: criterion {c.id}"
        for group in c.key_terms:
            for term in group:
                problem = key_term_problem(term)
                if problem is not None:
                    report.rule(problem[0], f"{at}: key term {term!r}: {problem[1]}")
                elif contains_phrase(question, term):
                    report.rule("key-term-in-question",
                                f"{at}: key term {term!r} is in the question itself, so repeating the question "
                                "would earn it")
                elif key_term_shrinks(term):
                    report.warnings.append(f"{at}: key term {term!r} matches as the single word "
                                           f"{term_stream(term)[0]!r}: its other words are glue the matcher skips")
        _check_probes(c, at, report)
        if c.beyond_reference and normalize(c.source) in reference:
            report.rule("source-not-beyond",
                        f"{at}: marked beyond_reference but its source is quoted from the reference answer")


def _check_probes(c: Criterion, at: str, report: Report) -> None:
    for n, probe in enumerate(c.probes):
        named = [t for g in c.key_terms for t in g if key_term_problem(t) is None and mentions(probe, t)]
        if n == 0:
            if YES_NO_RE.match(probe):
                report.rule("probe-yes-no", f"{at}: the first probe is a yes/no question: {probe!r}")
            if named:
                report.rule("probe-names-term",
                            f"{at}: the first probe names the key term {named[0]!r} it should draw out: {probe!r}")
        elif YES_NO_RE.match(probe) or named:
            report.warnings.append(f"{at}: probe {n + 1} leads (a yes/no question or a key term): {probe!r}")


def scope_leaks(q: Question) -> list[tuple[str, str]]:
    """(criterion id, key term) for each core criterion's key term that the scope note names and the question text
    does not: what a clarification would give away. A term counts in either polarity ("no need to discuss RNNs"
    still names RNNs). Terms the matcher cannot use (see key_term_problem) are skipped; they are reported as rubric
    errors of their own."""
    if q.scope is None or q.rubric is None:
        return []
    scope, question = content_stems(q.scope), content_stems(q.question)
    affirmed = Stems(scope)
    affirmed.match = [s.removeprefix(NEG) for s in scope.match]
    leaks = []
    for c in q.rubric.criteria:
        if not c.core:
            continue
        for group in c.key_terms:
            for term in group:
                if key_term_problem(term) is not None or contains_phrase(question, term):
                    continue
                if contains_phrase(scope, term) or contains_phrase(affirmed, term):
                    leaks.append((c.id, term))
    return leaks


def check_scope(q: Question, where: str, report: Report) -> None:
    """The scope note: present, short, and naming no core criterion's key term (scope-names-term)."""
    if q.scope is None:
        report.warnings.append(f"{where}: no scope note (what the interviewer may say when the candidate asks what "
                               "the question covers)")
        return
    n = len(words(q.scope))
    if n > SCOPE_MAX_WORDS:
        report.warnings.append(f"{where}: scope note has {n} words, keep it under {SCOPE_MAX_WORDS}")
    for cid, term in scope_leaks(q):
        report.rule("scope-names-term",
                    f"{where}: the scope note names the key term {term!r} of core criterion {cid}, so a "
                    "clarification would give the point away")


def validate_dir(root: Path | Traversable, require_rubrics: bool = False) -> Report:
    """Check every file under root; collect every problem rather than stopping at the first."""
    report = Report()
    if isinstance(root, Path) and not root.is_dir():
        report.errors.append(f"{root}: no such directory")
        return report
    for path in _iter_yaml(root):
        try:
            q = load_question_file(path)
        except BankError as e:
            report.errors.append(str(e))
            continue
        try:
            report.bank.add(q, str(path))
        except BankError as e:
            report.errors.append(str(e))
            continue
        where = f"{path}: question {q.id}"
        if isinstance(path, Path) and path.parent.name != q.category_slug:
            report.warnings.append(f"{where}: file is in folder {path.parent.name!r}, category is {q.category_slug!r}")
        check_scope(q, where, report)
        if q.rubric is None:
            msg = f"{where}: no rubric (the grader will draft one from the reference answer)"
            (report.errors if require_rubrics else report.warnings).append(msg)
            continue
        n = len(q.rubric.criteria)
        if not MIN_CRITERIA <= n <= MAX_CRITERIA:
            report.errors.append(f"{where}: rubric has {n} criteria, expected {MIN_CRITERIA}-{MAX_CRITERIA}")
        if not q.tags:
            report.warnings.append(f"{where}: no tags")
        check_rubric(q, where, report)
    if not report.bank.questions and not report.errors:
        report.errors.append(f"{root}: no questions found")
    for name, qs in report.bank.categories.items():
        if not qs:
            report.errors.append(f"category {name!r} is empty")
        numbers = sorted(q.number for q in qs)
        if len(set(numbers)) != len(numbers):
            report.errors.append(f"category {name!r}: duplicate question numbers {numbers}")
    return report
