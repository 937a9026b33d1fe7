"""The grader: one answer to one question, against the question's rubric, one criterion at a time.

For each criterion it computes signals, maps them to credit with a linear map fitted on human verdicts
(calibration.json: with a model the shipped map uses the model signal alone; without one, the model-free
signals), and computes the 0-10 score in code from credit and weights. The model never writes the score. The model signal is `gain`: how much likelier the model finds
"Yes, the answer says this point" for this answer than for "I don't know." (its log-odds over that anchor,
so a model that leans Yes on every point is corrected per point), scaled by the share of the answer written
in sentences rather than as a bare list of terms. The model-free signals (the lexical grader's, and
recorded beside the model's) are key-term coverage counted only in explaining sentences, and overlap with the criterion's source, both outside bare lists of terms (a list
appended to an answer included: see signals.py).

The same code path serves the live interview and batch grading.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Sequence

from ..bank.models import Criterion, Question, Rubric
from ..llm.base import CACHE_BREAK, Model
from . import prompts, short
from .calibration import Calibration
from .draft import draft_rubric
from .feedback import template_feedback
from .models import ABSTAIN_FLAGS, CriterionGrade, Flag, Grade, Verdict
from .sanitize import Screened, screen
from .signals import (best_evidence, explained_coverage, explaining_text, list_likeness, listed_term_groups, model_gain,
                      source_overlap, verify_quote)
from ..text import content_stems

MET, PARTIAL = 0.65, 0.35  # credit thresholds for the verdicts
FOLLOWUP_CREDIT = 0.8  # a point drawn out by a follow-up is worth a little less than one volunteered
LOW_CONFIDENCE = 0.6
NULL_ANSWER = "I don't know."  # the content-free answer whose P(Yes) anchors each point (see Grader.p_null)
OFF_TOPIC_GAIN = 0.5  # log-odds over the content-free answer below which the model sees no point made
KEYWORD_LIST_GROUPS = 4  # key-term groups named only in bare lists that flag the answer as a keyword list


def verdict_for(credit: float) -> Verdict:
    if credit >= MET:
        return Verdict.MET
    if credit >= PARTIAL:
        return Verdict.PARTIAL
    return Verdict.MISSED


def totals(grades: list[CriterionGrade]) -> tuple[float, float]:
    """(score 0-10, confidence) of a grade: weighted means of the criteria's credit and confidence."""
    total_weight = sum(g.weight for g in grades) or 1
    score = 10 * sum(g.weight * g.score for g in grades) / total_weight
    return score, sum(g.weight * g.confidence for g in grades) / total_weight


def rubric_for(question: Question) -> Rubric:
    return question.rubric if question.rubric is not None else draft_rubric(question.question, question.reference_answer)


class Grader:
    def __init__(self, model: Model | None = None, calibration: Calibration | None = None) -> None:
        self.model = model
        self.calibration = calibration or Calibration.load()
        self.short_map = short.load()  # for rubrics drafted from a short reference (short.py)
        self._anchors: dict[str, float] = {}  # a point's anchor prompt -> P(Yes) (or short.py's rating) for NULL_ANSWER

    @property
    def prompt_version(self) -> str:
        return prompts.version("grade_system.j2", "grade_point.j2")

    @property
    def model_id(self) -> str:
        return self.model.model_id if self.model is not None else "lexical"

    def messages(self, question: Question, answer: str, criterion: Criterion) -> list[dict[str, str]]:
        """The Yes/No prompt for one key point: the question, the answer, then the point. The question and the
        answer come first so that they are evaluated once for all points (the answer while it is typed, see
        `warm`); each point is a short suffix after the answer, next to the question asked about it, which a
        small model judges far better than a list of points read before the answer (bench/README.md)."""
        user = prompts.render("grade_point.j2", question=question.question, answer=answer, point=criterion.point,
                              cache_break=CACHE_BREAK)
        return [{"role": "system", "content": prompts.render("grade_system.j2")}, {"role": "user", "content": user}]

    def p_yes(self, question: Question, answer: str, criterion: Criterion) -> float:
        """The model's P(Yes) that the answer makes the point."""
        assert self.model is not None, "p_yes needs a model"
        return self.model.choose(self.messages(question, answer, criterion), ["Yes", "No"])["Yes"]

    def p_null(self, question: Question, criterion: Criterion) -> float:
        """P(Yes) for a content-free answer: the model's own lean on this point, which `gain` subtracts
        (contextual calibration). Computed once per question and point, for any backend."""
        key = repr(self.messages(question, NULL_ANSWER, criterion))  # the question may be a drafted one, without an id
        if key not in self._anchors:
            self._anchors[key] = self.p_yes(question, NULL_ANSWER, criterion)
        return self._anchors[key]

    def prepare(self, question: Question) -> int:
        """Work the first answer to a question would otherwise pay for, done when the question is asked: the
        model's first evaluation (its weights paged in, its buffers set up) and the content-free anchors of
        every point, which also leaves the question's prompt in the model's cache. The work reaches the
        answer's grade through the model's memo, so only a model that memoizes (a local one) is prepared; an
        API model is not called ahead. Gives way to any grade that waits for the model; changes no grade.
        Returns how many points' anchors are ready."""
        if self.model is None or not self.model.memoizes:
            return 0
        return self._anchors_for(question, rubric_for(question))

    def _anchors_for(self, question: Question, rubric: Rubric) -> int:
        """Each point's content-free anchor, in order, until a grade waits for the model; how many are ready."""
        assert self.model is not None
        ready = 0
        for c in rubric.criteria:
            if self.model.contended:
                break
            self.p_null(question, c)
            ready += 1
        return ready

    def warm(self, question: Question, draft: str) -> int:
        """Work done while the answer is typed, none of which changes a grade: the content-free anchors of the
        question's points, the prompt up to the end of the draft, and then, while no grade waits
        for the model, each point judged on this draft (a final answer equal to the draft is then graded from
        the model's memo). Returns the prompt tokens read ahead."""
        if self.model is None:
            return 0
        rubric = rubric_for(question)
        if self._anchors_for(question, rubric) < len(rubric.criteria):
            return 0
        text = screen(draft).text if draft.strip() else ""
        if not text:
            return 0
        done = self.model.warm(self.messages(question, text, rubric.criteria[0]))
        if self.model.memoizes:
            for c in rubric.criteria:
                if self.model.contended:
                    break
                self.p_yes(question, text, c)
        return done

    def signals(self, question: Question, answer: str, prose_stems: list[str], criterion: Criterion,
                prose: float, p_null: float | None) -> dict[str, float]:
        # Key terms count only where a sentence explains them, and overlap only outside bare lists (prose_stems:
        # the stems of explaining_text): a list of terms, alone or appended to an answer, earns from neither.
        sig = {"coverage": explained_coverage(answer, criterion), "overlap": source_overlap(prose_stems, criterion)}
        if self.model is not None and p_null is not None:
            sig["p_yes"] = self.p_yes(question, answer, criterion)
            sig["p_null"] = p_null
            sig["gain"] = model_gain(sig["p_yes"], p_null, prose)
        return sig

    def grade(self, question: Question, answer: str, criteria: Sequence[str] | None = None) -> Grade:
        start = time.perf_counter()
        rubric = rubric_for(question)
        chosen = [rubric.criterion(cid) for cid in criteria] if criteria else list(rubric.criteria)
        screened = screen(answer)
        flags = list(screened.flags)
        if any(f in (Flag.EMPTY, Flag.GARBLED, Flag.NON_ENGLISH) for f in flags):
            grades = [self._no_evidence(c) for c in chosen]
            return self._finish(question, rubric, grades, flags, start)

        with self.model.exclusive() if self.model is not None else contextlib.nullcontext():
            return self._grade(question, rubric, chosen, screened, answer, flags, start)

    def _grade(self, question: Question, rubric: Rubric, chosen: list[Criterion], screened: Screened, answer: str,
               flags: list[Flag], start: float) -> Grade:
        stems = content_stems(screened.text)
        has_model = self.model is not None
        drafted = short.is_drafted(question)
        linear = (self.short_map if drafted else self.calibration).for_signals(has_model)
        grades = []
        prose = 1.0 - list_likeness(screened.text)
        prose_stems = content_stems(explaining_text(screened.text))
        # The anchors first (memoized after the first answer to this question): the answer then stays in the
        # model's prompt cache for all its points.
        nulls = {c.id: self.p_null(question, c) for c in chosen} if has_model else {}
        for c in chosen:
            sig = self.signals(question, screened.text, prose_stems, c, prose, nulls.get(c.id))
            if drafted:
                sig.update(short.signals(self.model, self._anchors, question, screened.text, c, NULL_ANSWER))
            credit = linear(sig) if not drafted or short.has_evidence(sig) else 0.0
            verdict = verdict_for(credit)
            confidence = 0.5 + 0.5 * abs(2 * credit - 1)
            if self.model is not None and self.model.gives_probabilities:
                confidence = (confidence + max(sig["p_yes"], 1 - sig["p_yes"])) / 2
            evidence = best_evidence(screened.text, c) if verdict != Verdict.MISSED else None
            if evidence is not None and not verify_quote(evidence, answer):
                evidence = None
            grades.append(CriterionGrade(
                criterion_id=c.id, verdict=verdict, score=round(credit, 4), confidence=round(confidence, 4),
                evidence=evidence, signals={k: round(v, 4) for k, v in sig.items()}, weight=c.weight, core=c.core,
            ))

        if self._off_topic(question, rubric, stems, grades):
            flags.append(Flag.OFF_TOPIC)
        if listed_term_groups(stems, prose_stems, rubric.criteria) >= KEYWORD_LIST_GROUPS:
            flags.append(Flag.KEYWORD_LIST)
        return self._finish(question, rubric, grades, flags, start)

    def _off_topic(self, question: Question, rubric: Rubric, stems: list[str], grades: list[CriterionGrade]) -> bool:
        """Nothing in the answer touches the question's vocabulary, and no criterion got credit."""
        if len(stems) < 4:
            return False
        vocab = set(content_stems(question.question + " " + question.reference_answer))
        for c in rubric.criteria:
            for group in c.key_terms:
                for term in group:
                    vocab.update(content_stems(term))
        relevance = sum(1 for s in stems if s in vocab) / len(stems)
        if not all(g.signals.get("coverage", 0) == 0 and g.score < PARTIAL for g in grades):
            return False
        gains = [g.signals["gain"] for g in grades if "gain" in g.signals]
        if gains:  # the model finds no point much likelier than in "I don't know"
            return relevance < 0.25 and max(gains) < OFF_TOPIC_GAIN
        return relevance < 0.12

    @staticmethod
    def _no_evidence(c: Criterion) -> CriterionGrade:
        return CriterionGrade(criterion_id=c.id, verdict=Verdict.NO_EVIDENCE, score=0.0, confidence=1.0,
                              weight=c.weight, core=c.core)

    def _finish(self, question: Question, rubric: Rubric, grades: list[CriterionGrade], flags: list[Flag],
                start: float) -> Grade:
        score, confidence = totals(grades)
        if confidence < LOW_CONFIDENCE and not any(f in ABSTAIN_FLAGS for f in flags):
            flags.append(Flag.LOW_CONFIDENCE)
        return Grade(
            question_id=question.id, score=round(score, 2), criteria=grades, flags=flags,
            confidence=round(confidence, 4), feedback=template_feedback(question, rubric, grades),
            model_id=self.model_id, prompt_version=self.prompt_version, rubric_version=rubric.version(),
            seconds=round(time.perf_counter() - start, 3),
        )

    def discount(self, grade: Grade, criterion_ids: Sequence[str], question: Question | None = None) -> Grade:
        """The grade with the named criteria's credit scaled by FOLLOWUP_CREDIT (points reached through a hint);
        signals["hinted"] marks them."""
        ids = set(criterion_ids)
        changed = [g.model_copy(update={"score": round(FOLLOWUP_CREDIT * g.score, 4),
                                        "verdict": verdict_for(FOLLOWUP_CREDIT * g.score) if g.verdict != Verdict.NO_EVIDENCE
                                        else g.verdict, "signals": {**g.signals, "hinted": 1.0}})
                   if g.criterion_id in ids else g for g in grade.criteria]
        score, confidence = totals(changed)
        feedback = template_feedback(question, rubric_for(question), changed) if question is not None else grade.feedback
        return grade.model_copy(update={"criteria": changed, "score": round(score, 2), "confidence": round(confidence, 4),
                                        "feedback": feedback})

    def merge(self, base: Grade, followup: Grade, question: Question | None = None) -> Grade:
        """Fold a follow-up's grade (on some criteria) into the question's grade. A criterion keeps the better of
        its first credit and FOLLOWUP_CREDIT x its follow-up credit; signals["followup"] shows the follow-up's part."""
        updates = {g.criterion_id: g for g in followup.criteria}
        merged = []
        for g in base.criteria:
            f = updates.get(g.criterion_id)
            if f is None:
                merged.append(g)
                continue
            credit = max(g.score, FOLLOWUP_CREDIT * f.score)
            merged.append(g.model_copy(update={
                "score": round(credit, 4), "verdict": verdict_for(credit) if credit > 0 or f.verdict != Verdict.NO_EVIDENCE
                else g.verdict, "confidence": max(g.confidence, f.confidence) if credit > g.score else g.confidence,
                "evidence": f.evidence if credit > g.score and f.evidence else g.evidence,
                "signals": {**g.signals, "followup": round(f.score, 4)},
            }))
        score, confidence = totals(merged)
        flags = list(dict.fromkeys(list(base.flags) + [f for f in followup.flags if f == Flag.INJECTION]))
        if base.flags and Flag.EMPTY in base.flags and score > 0:
            flags = [f for f in flags if f != Flag.EMPTY]
        feedback = base.feedback
        if question is not None:
            feedback = template_feedback(question, rubric_for(question), merged)
        return base.model_copy(update={
            "criteria": merged, "score": round(score, 2), "confidence": round(confidence, 4), "flags": flags,
            "feedback": feedback, "seconds": round(base.seconds + followup.seconds, 3),
        })
