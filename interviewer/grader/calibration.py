"""How signals become credit: a small linear map, fitted on human verdicts (see bench/calibrate.py).

credit(criterion) = clip(intercept + sum(coef[f] * signal[f]), 0, 1)
score(answer)     = 10 * sum(weight * credit) / sum(weight)

It is fitted per criterion, against the human verdicts of the development part of the interview answer set
(bench/answers). The shipped coefficients and where they came from live in calibration.json beside this file.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from importlib import resources

#: With a model the lexical signals are left out: they reward words, not ideas (bench/README.md, Calibration).
FEATURES_WITH_MODEL = ("gain",)
FEATURES_LEXICAL = ("coverage", "overlap")


@dataclass(frozen=True)
class LinearMap:
    intercept: float
    coef: dict[str, float]

    def __call__(self, signals: dict[str, float]) -> float:
        value = self.intercept + sum(c * signals.get(f, 0.0) for f, c in self.coef.items())
        return min(1.0, max(0.0, value))


@dataclass(frozen=True)
class Calibration:
    with_model: LinearMap
    lexical: LinearMap
    source: str

    def for_signals(self, has_model: bool) -> LinearMap:
        return self.with_model if has_model else self.lexical

    @classmethod
    def load(cls) -> "Calibration":
        data = json.loads((resources.files("interviewer.grader") / "calibration.json").read_text("utf-8"))
        return cls.from_dict(data)

    @classmethod
    def from_dict(cls, data: dict) -> "Calibration":
        return cls(
            with_model=LinearMap(data["with_model"]["intercept"], data["with_model"]["coef"]),
            lexical=LinearMap(data["lexical"]["intercept"], data["lexical"]["coef"]),
            source=data.get("source", ""),
        )

    def to_dict(self) -> dict:
        return {
            "source": self.source,
            "with_model": {"intercept": self.with_model.intercept, "coef": self.with_model.coef},
            "lexical": {"intercept": self.lexical.intercept, "coef": self.lexical.coef},
        }
