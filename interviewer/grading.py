"""The one way to get a grader: `make_grader(model_name, settings)`, for the engine, the CLI and the benchmarks.

A model name picks the model through the registry (loaded once per process); None means model-free
(lexical) grading, which loads no model. That is the only place "lexical" turns into "no model".
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .settings import Settings, get_settings

if TYPE_CHECKING:
    from .grader.grader import Grader


def make_grader(model_name: str | None, settings: Settings | None = None) -> "Grader":
    """A Grader on `model_name` (e.g. local:qwen2.5-coder-1.5b, openai:gpt-4o-mini), or model-free for None."""
    # Imported here: the grader and the model backends are slow to import, and a read-only look at a
    # session never needs them.
    from .grader.grader import Grader
    from .llm.registry import get_model

    if model_name is None:
        return Grader(None)
    return Grader(get_model(model_name, settings or get_settings()))
