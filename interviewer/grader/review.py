"""The review grade: the number a candidate keeps, computed off the live path.

The live grade (grader.py) has ~2 s to choose the next move. The review has up to ~60 s of 2-core compute per
answer, in the background once a question is settled (engine/reviews.py) and in batch grading: it checks each
rubric point against the reference (stated / stated wrongly / not addressed), reports claims that contradict
the reference with the candidate's quote and the reference's correction, and credits ideas in the candidate's
own words. Its result is a `Grade` with stage=review: the same contract as the live grade, plus `errors`.

How (bench/README.md, "Review grade", has the numbers):
1. The live grade's signals for every point (the model's anchored `gain`, key-term coverage, source overlap).
2. The answer is cut into claims (claims.py) and each claim is aligned to the reference statement it is about: a
   rubric point's source, or another sentence of the reference answer. For each point's best-aligned claim (and
   up to EXTRA_CHECKS more) the model makes a forced choice: does the claim agree with the reference statement or
   with a plausible false version of it (written once per statement by the model, review_contrast.j2, and never
   shown)? It is asked in both orders so that the model's lean to a position cancels (review_choose.j2), and read
   from the logits. (Asked outright whether a claim is wrong, the 1.5B model says yes to nearly everything; a
   choice between two concrete statements is the narrower task tried instead.) Model-free cues (a negated or
   opposite word, claims.polarity_flips) are read beside it.
3. A small map fitted on development human verdicts (review_calibration.json, bench/review.py) turns the signals
   into each point's credit and each check's probability of a contradiction. A point whose claim contradicts
   the reference is WRONG and costs WRONG_CREDIT (less than silence); a contradiction above the error threshold
   is reported as a FactError quoting the claim (verified to be in the answer) and the reference statement.

State (bench/README.md, "Review grade"): with the default 1.5B model neither the forced choice nor the model-free
cues find the planted errors of the development answers better than chance, so both shipped contradiction maps
have thresholds above 1: the review reports no errors and calls no point WRONG until a map (or a larger judge,
settings.review_model) clears MIN_AUC on development answers in bench/review.py.

The model never writes the score or the correction: the score is computed in code and every correction is a span
of the reference answer (or a beyond_reference point's justification).

A review gives way to live work: before each model call it waits while a live grade (or a draft's read-ahead)
waits for the model (`Model.contended`), so it never delays the conversation.
"""

from __future__ import annotations

import json
import math
import time
from collections.abc import Sequence
from dataclasses import dataclass
from importlib import resources

from ..bank.models import Question
from ..llm.base import CACHE_BREAK, Model
from . import prompts, short
from .calibration import Calibration, LinearMap
from .claims import Unit, alignment, claims, polarity_flips, reference_units
from .feedback import review_feedback
from .grader import FOLLOWUP_CREDIT, LOW_CONFIDENCE, Grader, rubric_for, verdict_for
from .models import ABSTAIN_FLAGS, CriterionGrade, FactError, Flag, Grade, GradeStage, Verdict
from .sanitize import screen
from .signals import verify_quote
from ..text import normalize

#: How long a review waits for live work to finish before each model call, at most (seconds).
YIELD_LIMIT = 30.0
#: Credit of a point stated wrongly: below silence (0), so a confident error costs more than saying nothing.
WRONG_CREDIT = -0.5
MIN_ALIGNMENT = 0.2  # a claim less aligned than this to every reference statement is not checked
EXTRA_CHECKS = 1  # claims checked against reference sentences beyond the points' sources (each one model call)
CHOICE_OPTIONS = ["A", "B"]  # which statement the claim agrees with (review_choose.j2)
CONTRAST_TOKENS = 80
CHOICE_SIGNALS = ("agree", "contra")  # the check signals that come from the model's forced choice
_EPS = 1e-4


class ReviewMapError(ValueError):
    """review_calibration.json is missing a map or a field."""


@dataclass(frozen=True)
class ContradictionMap:
    """P(a checked claim contradicts its reference statement) = sigmoid(intercept + sum(coef[f] * signal[f]));
    `error` the probability from which it is reported, `wrong` from which its point is WRONG."""

    intercept: float
    coef: dict[str, float]
    error: float
    wrong: float

    def __call__(self, signals: dict[str, float]) -> float:
        z = self.intercept + sum(c * signals.get(f, 0.0) for f, c in self.coef.items())
        return 1 / (1 + math.exp(-max(-30.0, min(30.0, z))))


@dataclass(frozen=True)
class ReviewMap:
    """One backend's maps: signals -> a point's credit, and a check's signals -> P(contradiction)."""

    credit: LinearMap
    contradiction: ContradictionMap

    @classmethod
    def from_dict(cls, data: dict) -> "ReviewMap":
        try:
            c, k = data["credit"], data["contradiction"]
            return cls(LinearMap(float(c["intercept"]), dict(c["coef"])),
                       ContradictionMap(float(k["intercept"]), dict(k["coef"]), float(k["error"]), float(k["wrong"])))
        except (KeyError, TypeError, ValueError) as e:
            raise ReviewMapError(f"review map: {e}") from None


@dataclass(frozen=True)
class ReviewCalibration:
    with_model: ReviewMap
    lexical: ReviewMap
    source: str

    def for_signals(self, has_model: bool) -> ReviewMap:
        return self.with_model if has_model else self.lexical

    @classmethod
    def load(cls) -> "ReviewCalibration":
        text = (resources.files("interviewer.grader") / "review_calibration.json").read_text("utf-8")
        return cls.from_dict(json.loads(text))

    @classmethod
    def from_dict(cls, data: dict) -> "ReviewCalibration":
        try:
            return cls(ReviewMap.from_dict(data["with_model"]), ReviewMap.from_dict(data["lexical"]),
                       str(data.get("source", "")))
        except KeyError as e:
            raise ReviewMapError(f"review calibration: missing {e}") from None


@dataclass
class Check:
    """One claim compared with one reference statement, and what that comparison gave."""

    claim: str
    unit: Unit
    signals: dict[str, float]
    contradiction: float = 0.0


def _logit(p: float) -> float:
    p = min(1 - _EPS, max(_EPS, p))
    return math.log(p / (1 - p))


def choice_signals(p_first: float, p_second: float) -> dict[str, float]:
    """The forced choice read both ways round (reference first, then contrast first), so the model's lean to a
    position cancels: `agree`: P(the claim agrees with the reference rather than with its contrast), 0-1, 0.5 when
    the model cannot tell; `contra`: its log-odds the other way (> 0: the claim sides with the false contrast)."""
    p = (p_first + p_second) / 2
    return {"agree": p, "contra": -_logit(p)}


def _prob(raw: dict[str, float], key: str) -> float:
    """One option's probability from a backend's answer; junk (missing, NaN, out of range) reads as 0.5."""
    try:
        values = [float(raw[k]) for k in ("A", "B")]
    except (KeyError, TypeError, ValueError):
        return 0.5
    if not all(math.isfinite(v) and v >= 0 for v in values) or sum(values) <= 0:
        return 0.5
    return float(raw[key]) / sum(values)


class Reviewer:
    """Reviews one answer to one question. `model` None: model-free (lexical) review."""

    def __init__(self, model: Model | None = None, calibration: Calibration | None = None,
                 review_calibration: ReviewCalibration | None = None) -> None:
        self.model = model
        self.grader = Grader(model, calibration)
        self.calibration = review_calibration or ReviewCalibration.load()
        self._contrasts: dict[str, str | None] = {}

    @property
    def model_id(self) -> str:
        return self.grader.model_id

    @property
    def prompt_version(self) -> str:
        return prompts.version("grade_system.j2", "grade_point.j2", "review_system.j2", "review_contrast.j2",
                               "review_choose.j2")

    def give_way(self) -> None:
        """Wait (up to YIELD_LIMIT) while live work waits for the model."""
        if self.model is None:
            return
        deadline = time.monotonic() + YIELD_LIMIT
        while self.model.contended and time.monotonic() < deadline:
            time.sleep(0.02)

    # -- the model's comparison ----------------------------------------------------------------------------------
    def contrast(self, question: Question, unit: Unit) -> str | None:
        """A plausible but false version of the reference statement, written by the model once per statement and
        question (never shown: the correction a candidate sees is always the reference's own words). None when
        the model returns nothing usable (empty, a copy of the statement, or too long)."""
        assert self.model is not None, "contrast needs a model"
        key = question.question + "\x00" + unit.text
        if key not in self._contrasts:
            self.give_way()
            user = prompts.render("review_contrast.j2", question=question.question, reference=unit.text)
            text = self.model.chat([{"role": "user", "content": user}], max_tokens=CONTRAST_TOKENS)
            line = next((ln.strip().strip('"\u201c\u201d').strip() for ln in text.splitlines() if ln.strip()), "")
            usable = line and normalize(line) != normalize(unit.text) and len(line) <= 3 * len(unit.text) + 80
            self._contrasts[key] = line if usable else None
        return self._contrasts[key]

    def prepare(self, question: Question) -> int:
        """Work a review of this question would otherwise pay for, done ahead (say while the candidate types): the
        contrast of every rubric point's source, while no live work waits for the model. Only when the shipped map
        reads the forced choice. Changes no grade; returns how many contrasts are ready."""
        if self.model is None or not self._model_checks_used():
            return 0
        ready = 0
        for unit in reference_units(question, rubric_for(question)):
            if unit.criterion is None:
                continue
            if self.model.contended:
                break
            self.contrast(question, unit)
            ready += 1
        return ready

    def messages(self, question: Question, claim: str, first: str, second: str) -> list[dict[str, str]]:
        """The forced choice: the question, then the claim (shared by both orders), then the two statements."""
        user = prompts.render("review_choose.j2", question=question.question, claim=claim, first=first,
                              second=second, cache_break=CACHE_BREAK)
        return [{"role": "system", "content": prompts.render("review_system.j2")}, {"role": "user", "content": user}]

    def choose_side(self, question: Question, claim: str, unit: Unit) -> dict[str, float]:
        """Which the claim agrees with, the reference statement or its contrast, asked in both orders."""
        assert self.model is not None, "choose_side needs a model"
        false = self.contrast(question, unit)
        if false is None:
            return {}
        self.give_way()
        first = _prob(self.model.choose(self.messages(question, claim, unit.text, false), CHOICE_OPTIONS), "A")
        self.give_way()
        second = _prob(self.model.choose(self.messages(question, claim, false, unit.text), CHOICE_OPTIONS), "B")
        return choice_signals(first, second)

    # -- the review ----------------------------------------------------------------------------------------------
    def checks(self, question: Question, answer: str) -> list[Check]:
        """What to check (lexical): for each rubric point, the claim most about its source; then, up to
        EXTRA_CHECKS, claims not yet checked against the reference sentence they are most about. With a model,
        each claim is compared with its statement."""
        units = reference_units(question, rubric_for(question))
        found = claims(answer)
        chosen: list[Check] = []
        for unit in (u for u in units if u.criterion is not None):
            align, claim = max(((alignment(c, unit), c) for c in found), default=(0.0, ""))
            if align >= MIN_ALIGNMENT:
                chosen.append(Check(claim, unit, {"align": align, "flips": float(polarity_flips(claim, unit.text))}))
        checked = {c.claim for c in chosen}
        others = [u for u in units if u.criterion is None]
        extra = []
        for claim in found:
            if claim in checked or not others:
                continue
            align, i = max((alignment(claim, u), i) for i, u in enumerate(others))
            if align >= MIN_ALIGNMENT:
                flips = float(polarity_flips(claim, others[i].text))
                extra.append(Check(claim, others[i], {"align": align, "flips": flips}))
        chosen += sorted(extra, key=lambda c: -c.signals["align"])[:EXTRA_CHECKS]
        if self.model is not None and self._model_checks_used():
            for check in chosen:
                check.signals.update(self.choose_side(question, check.claim, check.unit))
        return chosen

    def _model_checks_used(self) -> bool:
        """Whether the shipped map reads the model's forced choice at all (its credit or its contradictions):
        a map that reads neither needs none of those model calls."""
        maps = self.calibration.with_model
        for_credit = any(maps.credit.coef.get(f) for f in CHOICE_SIGNALS)
        for_errors = maps.contradiction.error <= 1 and any(maps.contradiction.coef.get(f) for f in CHOICE_SIGNALS)
        return for_credit or for_errors

    def review(self, question: Question, answer: str, *, hinted: Sequence[str] = ()) -> Grade:
        """The review grade of `answer` (all of the candidate's answers to the question, joined). `hinted`: the
        points a hint led to, whose credit counts less, as in the live grade."""
        return self.assess(question, answer, hinted=hinted)[0]

    def assess(self, question: Question, answer: str, *, hinted: Sequence[str] = ()) -> tuple[Grade, list[Check]]:
        """The review grade and the checks it was computed from (for benchmarks and fitting)."""
        start = time.perf_counter()
        self.give_way()
        live = self.grader.grade(question, answer)
        rubric = rubric_for(question)
        if any(f in (Flag.EMPTY, Flag.GARBLED, Flag.NON_ENGLISH) for f in live.flags):
            return self._finish(question, live, live.criteria, [], [], start), []
        maps = self.calibration.for_signals(self.model is not None)
        text = screen(answer).text
        checks = self.checks(question, text)
        for check in checks:
            check.contradiction = maps.contradiction(check.signals)
        hinted_ids = set(hinted)
        grades: list[CriterionGrade] = []
        credits: list[float] = []
        for g, criterion in zip(live.criteria, rubric.criteria):
            mine = [c for c in checks if c.unit.criterion is not None and c.unit.criterion.id == criterion.id]
            sig = dict(g.signals)
            sig["align"] = max((c.signals["align"] for c in mine), default=0.0)
            sig["agree"] = max((c.signals["align"] * c.signals.get("agree", 0.0) for c in mine), default=0.0)
            sig["contradiction"] = max((c.contradiction for c in mine), default=0.0)
            # A rubric drafted from a short reference keeps the short-answer map's credit (short.py).
            credit = g.score if short.is_drafted(question) else maps.credit(sig)
            if criterion.id in hinted_ids:
                credit *= FOLLOWUP_CREDIT
                sig["hinted"] = 1.0
            if sig["contradiction"] >= maps.contradiction.wrong:
                verdict, kept = Verdict.WRONG, WRONG_CREDIT
                wrong_claim = max(mine, key=lambda c: c.contradiction).claim
                evidence: str | None = wrong_claim if verify_quote(wrong_claim, answer) else None
                credit = 0.0
            else:
                verdict, kept = verdict_for(credit), credit
                evidence = g.evidence if verdict != Verdict.MISSED else None
            confidence = 0.5 + 0.5 * abs(2 * min(1.0, max(0.0, credit)) - 1)
            grades.append(g.model_copy(update={
                "verdict": verdict, "score": round(credit, 4), "confidence": round(confidence, 4),
                "evidence": evidence, "signals": {k: round(v, 4) for k, v in sig.items()}}))
            credits.append(kept)
        errors = self.errors(checks, answer, question, maps.contradiction.error)
        return self._finish(question, live, grades, credits, errors, start), checks

    @staticmethod
    def errors(checks: list[Check], answer: str, question: Question, threshold: float) -> list[FactError]:
        """The checked claims that contradict their statement (P >= threshold), most certain first: the claim
        quoted from the answer (verified), the statement quoted as the correction (a span of the reference
        answer or a point's source)."""
        out: list[FactError] = []
        seen: set[str] = set()
        for check in sorted(checks, key=lambda c: -c.contradiction):
            if check.contradiction < threshold or check.claim in seen or not verify_quote(check.claim, answer):
                continue
            crit = check.unit.criterion
            if crit is None and check.unit.text not in question.reference_answer:
                continue
            seen.add(check.claim)
            out.append(FactError(quote=check.claim, correction=check.unit.text,
                                 criterion_id=crit.id if crit is not None else None,
                                 confidence=round(check.contradiction, 4)))
        return out

    def _finish(self, question: Question, live: Grade, grades: list[CriterionGrade], credits: list[float],
                errors: list[FactError], start: float) -> Grade:
        """The review Grade: score = 10 x the weighted mean credit, a WRONG point counting WRONG_CREDIT, >= 0."""
        weights = [g.weight for g in grades]
        total = sum(weights) or 1
        if not credits:
            credits = [g.score for g in grades]
        score = max(0.0, 10 * sum(w * c for w, c in zip(weights, credits)) / total)
        confidence = sum(w * g.confidence for w, g in zip(weights, grades)) / total
        flags: list[Flag] = [f for f in live.flags if f != Flag.LOW_CONFIDENCE]
        if confidence < LOW_CONFIDENCE and not any(f in ABSTAIN_FLAGS for f in flags):
            flags.append(Flag.LOW_CONFIDENCE)
        rubric = rubric_for(question)
        return live.model_copy(update={
            "stage": GradeStage.REVIEW, "score": round(min(10.0, score), 2), "confidence": round(confidence, 4),
            "criteria": grades, "flags": flags, "errors": errors,
            "feedback": review_feedback(question, rubric, grades, errors),
            "prompt_version": self.prompt_version, "seconds": round(time.perf_counter() - start, 3),
        })
