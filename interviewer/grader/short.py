"""The short-answer map: how a criterion's signals become credit when its rubric was drafted from the reference.

A question without a hand-written rubric (a user's bank, a batch file of question + reference + answer rows, a
research data set such as Mohler's) is graded against a rubric drafted from its reference answer (draft.py). Such
references are often one or two sentences, and the people who grade against them reward answers that say what the
reference says, largely in its words; the shipped map (calibration.json), fitted on interview-length answers
against hand-written rubrics, leaves the words out and reads the model alone. This map keeps both:

- lexical signals against the criterion's point and source, on the answer's explaining text, each 0-1: `recall`
  (the square root of the share of the reference's own content words the answer uses: the question's words earn
  nothing), `precision` (the share of the answer's character 4-grams found in the reference or the question, so a
  misspelled reference word still counts), `length` (log of the answer's content words, capped); recorded beside
  them and tried, not used: `bigrams` (reference content-word pairs used) and `echo` (share of the answer's words
  that only repeat the question);
- with a model, a second view, `scale`: the expected value of the model's 0-5 rating of the answer against the
  point (P("0").."5" from the logits, grade_scale.j2; the same question + answer prefix as the Yes/No prompt, so
  the answer is read once for both). The Yes/No `gain` the grader computes anyway added nothing beside it.

The lexical signals read the answer as the grader does: bare lists count for nothing. The map's
coefficients and how they were fitted are in short.json beside this file (`bench/grading.py --write-short-map`
fits them on the development questions of Mohler's data; bench/README.md reports the held-back questions).
"""

from __future__ import annotations

import json
import math
from functools import lru_cache
from importlib import resources

from ..bank.models import Criterion, Question, Rubric
from ..llm.base import CACHE_BREAK, Model
from . import prompts
from .calibration import Calibration
from .draft import draft_rubric
from .signals import explaining_text, list_likeness
from ..text import content_stems, words

SCALE = ("0", "1", "2", "3", "4", "5")
LENGTH_CAP_WORDS = 50  # `length` is log(1 + content words), reaching 1 at this many
CHAR_GRAM = 4  # `precision` counts character 4-grams


@lru_cache(maxsize=256)
def _draft(question: str, reference: str) -> Rubric:
    return draft_rubric(question, reference)


def is_drafted(question: Question) -> bool:
    """True when the question is graded against the rubric drafted from its reference: it has no rubric, or
    its rubric is exactly that draft (batch grading attaches the draft; `interviewer rubric draft` saves it)."""
    if question.rubric is None:
        return True
    return question.rubric == _draft(question.question, question.reference_answer)


def _parts(criterion: Criterion) -> list[str]:
    """The texts an answer is compared with: the point and its source (a beyond_reference source is a
    justification, not content, so just the point)."""
    return [criterion.point] if criterion.beyond_reference else [criterion.point, criterion.source]


def _target(criterion: Criterion) -> str:
    return " ".join(_parts(criterion))


def _pairs(stems: list[str]) -> set[tuple[str, str]]:
    return set(zip(stems, stems[1:]))


def _grams(text: str, n: int = CHAR_GRAM) -> set[str]:
    """The character n-grams of the text's words, joined by single spaces (misspellings keep most of them)."""
    joined = " ".join(words(text))
    return {joined[i:i + n] for i in range(len(joined) - n + 1)}


def lexical_signals(question: str, prose: str, criterion: Criterion) -> dict[str, float]:
    """The short-answer lexical signals of an answer's explaining text (`prose`: bare lists removed) for one
    criterion, each 0-1."""
    target_text = _target(criterion)
    target = content_stems(target_text)
    asked = set(content_stems(question))
    ref = set(target)
    credit = (ref - asked) or ref  # the reference's own words; all of them when it only repeats the question
    answer_stems = content_stems(prose)
    answer = set(answer_stems)
    ref_pairs = set().union(*(_pairs(list(content_stems(t))) for t in _parts(criterion)))
    grams = _grams(prose)
    return {
        # Square root: the first reference words an answer uses say more than the last (human grades saturate).
        "recall": math.sqrt(len(credit & answer) / len(credit)) if credit else 0.0,
        "bigrams": len(ref_pairs & _pairs(list(answer_stems))) / len(ref_pairs) if ref_pairs else 0.0,
        "precision": len(grams & (_grams(target_text) | _grams(question))) / len(grams) if grams else 0.0,
        "length": min(1.0, math.log1p(len(answer_stems)) / math.log1p(LENGTH_CAP_WORDS)),
        "echo": len(answer & (asked - ref)) / len(answer) if answer else 0.0,
    }


def scale_messages(question: Question, answer: str, criterion: Criterion) -> list[dict[str, str]]:
    """The 0-5 rating prompt for one point: the grader's system prompt, question and answer (the same prefix as
    the Yes/No prompt, so the model's prompt cache evaluates the answer once for both), then the point."""
    user = prompts.render("grade_scale.j2", question=question.question, point=criterion.point, answer=answer,
                          cache_break=CACHE_BREAK)
    return [{"role": "system", "content": prompts.render("grade_system.j2")}, {"role": "user", "content": user}]


def expected_scale(probs: dict[str, float]) -> float:
    """The expected rating over 0-5, scaled to 0-1."""
    return sum(int(k) * p for k, p in probs.items()) / 5


def scale_view(model: Model, question: Question, answer: str, criterion: Criterion) -> float:
    """The model's expected 0-5 rating of the answer on this point, scaled to 0-1."""
    return expected_scale(model.choose(scale_messages(question, answer, criterion), list(SCALE)))


def signals(model: Model | None, anchors: dict[str, float], question: Question, answer: str, criterion: Criterion,
            null_answer: str) -> dict[str, float]:
    """The short-answer signals of one criterion: the lexical ones, and with a model the 0-5 view of the answer
    (`scale`), the view of the content-free answer (`scale_null`, computed once per question and point and kept
    in `anchors`), and `scale_gain`: how far the answer's rating rises over the content-free one, times the share
    of the answer written in sentences. The shipped map reads `scale` as it is: subtracting the anchor, or
    discounting lists (a short-answer question may ask for a list), lowered agreement (bench/README.md)."""
    sig = lexical_signals(question.question, explaining_text(answer), criterion)
    if model is not None:
        key = repr(scale_messages(question, null_answer, criterion))
        if key not in anchors:
            anchors[key] = scale_view(model, question, null_answer, criterion)
        prose = 1.0 - list_likeness(answer)
        sig["scale"] = scale_view(model, question, answer, criterion)
        sig["scale_null"] = anchors[key]
        sig["scale_gain"] = max(0.0, sig["scale"] - sig["scale_null"]) * prose
    return sig


#: With a model, the rating (0-1) from which an answer that uses none of the reference's words still earns credit.
SCALE_EVIDENCE = 0.5


def has_evidence(sig: dict[str, float]) -> bool:
    """No evidence, no credit: the map's intercept carries Mohler's leniency (~5/10 for any answer), so a point
    earns credit only when the answer uses some of the reference's own words, or the model rates it at least
    SCALE_EVIDENCE (a right paraphrase). "I don't know.", "banana" and an off-topic answer score 0."""
    return sig.get("recall", 0.0) > 0 or sig.get("scale", 0.0) >= SCALE_EVIDENCE


def load() -> Calibration:
    """The short-answer map (short.json): `with_model` when a model grades, `lexical` without one."""
    data = json.loads((resources.files("interviewer.grader") / "short.json").read_text("utf-8"))
    return Calibration.from_dict(data)
