"""Whole-bank checks beyond one file's schema: ids, categories, rubric sizes, weights."""

from __future__ import annotations

from dataclasses import dataclass, field
from importlib.resources.abc import Traversable
from pathlib import Path

from ..errors import BankError
from .storage import Bank, _iter_yaml, load_question_file

MIN_CRITERIA, MAX_CRITERIA = 4, 8


@dataclass
class Report:
    bank: Bank = field(default_factory=Bank)
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


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
        if q.rubric is None:
            msg = f"{where}: no rubric (the grader will draft one from the reference answer)"
            (report.errors if require_rubrics else report.warnings).append(msg)
            continue
        n = len(q.rubric.criteria)
        if not MIN_CRITERIA <= n <= MAX_CRITERIA:
            report.errors.append(f"{where}: rubric has {n} criteria, expected {MIN_CRITERIA}-{MAX_CRITERIA}")
        if not q.tags:
            report.warnings.append(f"{where}: no tags")
    if not report.bank.questions and not report.errors:
        report.errors.append(f"{root}: no questions found")
    for name, qs in report.bank.categories.items():
        if not qs:
            report.errors.append(f"category {name!r} is empty")
        numbers = sorted(q.number for q in qs)
        if len(set(numbers)) != len(numbers):
            report.errors.append(f"category {name!r}: duplicate question numbers {numbers}")
    return report
