"""The built wheel carries the bank, the prompts and the calibration, and loads them via importlib.resources."""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

CHECK = r"""
import sys
sys.meta_path[:] = [f for f in sys.meta_path if "editable" not in type(f).__module__.lower()
                    and "editable" not in repr(f).lower()]
sys.path.insert(0, sys.argv[1])
import interviewer
assert interviewer.__file__.startswith(sys.argv[1]), interviewer.__file__
from interviewer.bank.storage import load_bank
from interviewer.grader.calibration import Calibration
from interviewer.grader import prompts
bank = load_bank(include_user=False)
assert len(bank) == 85 and len(bank.categories) == 10, len(bank)
assert prompts.render("grade_system.j2")
Calibration.load()
from interviewer.ui.page import asset
assert ".iv-card" in asset("style.css") and "__ivPage" in asset("page.js")
print("wheel OK", len(bank))
"""


@pytest.mark.slow
def test_wheel_contains_data_and_loads_it(tmp_path):
    dist = tmp_path / "dist"
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(dist), str(ROOT)],
                   check=True, cwd=tmp_path)
    wheel = next(dist.glob("interviewer-*.whl"))
    names = zipfile.ZipFile(wheel).namelist()
    assert sum(n.startswith("interviewer/rubrics/bank/") and n.endswith(".yaml") for n in names) == 85
    assert "interviewer/prompts/grade_point.j2" in names
    assert "interviewer/grader/calibration.json" in names
    assert {"interviewer/grader/short.json", "interviewer/prompts/grade_scale.j2"} <= set(names)
    assert {"interviewer/ui/assets/style.css", "interviewer/ui/assets/page.js"} <= set(names)
    target = tmp_path / "site"
    subprocess.run([sys.executable, "-m", "pip", "install", "--no-deps", "-q", "--target", str(target), str(wheel)],
                   check=True)
    env = {**os.environ, "INTERVIEWER_HOME": str(tmp_path / "home")}
    out = subprocess.run([sys.executable, "-c", CHECK, str(target)], cwd=tmp_path, env=env,
                         capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    assert "wheel OK 85" in out.stdout
