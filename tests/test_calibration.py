"""The shipped calibration: fitted (with its provenance), no credit without evidence, and the fit itself."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from interviewer.grader.calibration import FEATURES_LEXICAL, FEATURES_WITH_MODEL, Calibration

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "bench"))


def test_shipped_maps_say_how_they_were_made():
    import json
    from importlib import resources

    data = json.loads((resources.files("interviewer.grader") / "calibration.json").read_text("utf-8"))
    assert data["with_model"]["source"].startswith("fitted by bench/calibrate.py")  # the grader with a model
    assert "development answers" in data["with_model"]["source"]
    assert "fitting was tried" in data["lexical"]["source"]  # the model-free fallback: why it is not fitted
    for mode, features in (("with_model", FEATURES_WITH_MODEL), ("lexical", FEATURES_LEXICAL)):
        assert set(data[mode]["coef"]) == set(features)
        assert all(c >= 0 for c in data[mode]["coef"].values())


@pytest.mark.parametrize("has_model", [True, False])
def test_no_evidence_no_credit(has_model):
    linear = Calibration.load().for_signals(has_model)
    assert linear({}) == 0.0
    assert linear({f: 0.0 for f in (*FEATURES_WITH_MODEL, *FEATURES_LEXICAL)}) == 0.0
    assert linear({f: 100.0 for f in (*FEATURES_WITH_MODEL, *FEATURES_LEXICAL)}) == 1.0  # clipped


def _rows(credit_of):
    """Synthetic dumped answers: one criterion each, human verdict from a known rule on two signals."""
    rows = []
    for i in range(60):
        a, b = (i % 10) / 10, (i % 7) / 7
        verdict = {1.0: "met", 0.5: "partial", 0.0: "missed"}[credit_of(a, b)]
        rows.append({"question_id": f"q{i % 12}", "kind": "x", "split": "dev", "human": 5.0,
                     "criteria": [{"weight": 1, "core": True, "human_verdict": verdict,
                                   "signals": {"gain": a, "coverage": b}}]})
    return rows


def test_fit_is_through_the_origin_and_drops_a_harmful_signal():
    from calibrate import fit

    rows = _rows(lambda a, b: 1.0 if a > 0.6 else 0.5 if a > 0.3 else 0.0)
    linear = fit(rows, ("gain", "coverage"))
    assert linear["intercept"] == 0.0
    assert linear["coef"]["gain"] > 0.5
    anti = _rows(lambda a, b: 1.0 if b < 0.3 else 0.0)  # more coverage, less credit: not a usable signal
    assert fit(anti, ("gain", "coverage"))["coef"]["coverage"] == 0.0
