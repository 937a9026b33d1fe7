"""The one way to get a grader (`make_grader(model_name, settings)`) and a reviewer (`make_reviewer`), for the
engine, the CLI and the benchmarks.

A model name picks the model through the registry (loaded once per process); None means model-free
(lexical) grading, which loads no model. That is the only place "lexical" turns into "no model".
"""

from __future__ import annotations

import threading
import weakref
from typing import TYPE_CHECKING

from .settings import Settings, get_settings

if TYPE_CHECKING:
    from .grader.grader import Grader
    from .grader.review import Reviewer


def make_grader(model_name: str | None, settings: Settings | None = None) -> "Grader":
    """A Grader on `model_name` (e.g. local:qwen2.5-coder-1.5b, openai:gpt-4o-mini), or model-free for None."""
    # Imported here: the grader and the model backends are slow to import, and a read-only look at a
    # session never needs them.
    from .grader.grader import Grader
    from .llm.registry import get_model

    if model_name is None:
        return Grader(None)
    return Grader(get_model(model_name, settings or get_settings()))


def make_reviewer(model_name: str | None, settings: Settings | None = None) -> "Reviewer":
    """The Reviewer of answers graded live by `model_name`: on settings.review_model when one is set (a larger
    judge), else on the same model (None: model-free)."""
    from .grader.review import Reviewer
    from .llm.registry import get_model

    settings = settings or get_settings()
    name = settings.review_model or model_name
    model = None if name is None else get_model(name, settings)
    # One Reviewer per model and process: what it works out once per question (each reference statement's
    # contrast) serves every later review of that question.
    with _REVIEWERS_LOCK:
        reviewer = _REVIEWERS.get(model if model is not None else _LEXICAL)
        if reviewer is None:
            reviewer = _REVIEWERS[model if model is not None else _LEXICAL] = Reviewer(model)
    return reviewer


class _Lexical:
    """The key of the model-free Reviewer in _REVIEWERS."""


_LEXICAL = _Lexical()
_REVIEWERS: "weakref.WeakKeyDictionary[object, Reviewer]" = weakref.WeakKeyDictionary()
_REVIEWERS_LOCK = threading.Lock()
