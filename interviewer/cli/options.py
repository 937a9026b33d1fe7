"""Options and parameter types shared by commands: files to read, and the flags of commands that talk to a model."""

from __future__ import annotations

import functools
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from ..settings import Settings, get_settings

T = TypeVar("T")


class InputFile(click.Path):
    """An existing regular file to read. Folders, devices and pipes are refused: reading /dev/zero or /dev/full
    never ends."""

    def __init__(self) -> None:
        super().__init__(exists=True, dir_okay=False, path_type=Path)

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Path:
        path = Path(os.fsdecode(super().convert(value, param, ctx)))
        if not path.is_file():
            self.fail(f"{click.format_filename(str(value))!r} is not a regular file.", param, ctx)
        return path


class TextOrFile(click.ParamType):
    """Text given inline, or `@path` to read it from a UTF-8 file."""

    name = "text|@file"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> str:
        if not isinstance(value, str) or not value.startswith("@"):
            return value
        path = InputFile().convert(value[1:], param, ctx)
        try:
            return path.read_text("utf-8")
        except (OSError, UnicodeDecodeError) as e:
            reason = e.strerror if isinstance(e, OSError) and e.strerror else str(e)
            self.fail(f"cannot read {value[1:]!r} ({reason}).", param, ctx)


def bounded(field: str) -> click.IntRange:
    """The range Settings allows for an integer `field`, as a click type: a flag out of range is refused
    before anything is loaded, with the same bounds as its INTERVIEWER_* variable."""
    low = high = None
    for rule in Settings.model_fields[field].metadata:
        low = getattr(rule, "ge", low)
        high = getattr(rule, "le", high)
    return click.IntRange(low, high)


def model_options(func: Callable[..., T]) -> Callable[..., T]:
    """--model, --review-model, --base-url, --api-key, --n-gpu-layers, --n-ctx, --threads; read into typed
    Settings."""

    @click.option("--model", "-m", default=None, help="Model name, e.g. local:qwen2.5-coder-1.5b, "
                  "local:/path/to/model.gguf, openai:gpt-4o-mini. [env INTERVIEWER_MODEL]")
    @click.option("--review-model", default=None, help="Model of the review grade (a larger judge), named like "
                  "--model; default: the grading model. [env INTERVIEWER_REVIEW_MODEL]")
    @click.option("--base-url", default=None, help="OpenAI-compatible server URL. [env INTERVIEWER_BASE_URL]")
    @click.option("--api-key", default=None, help="API key (never stored). [env INTERVIEWER_API_KEY or OPENAI_API_KEY]")
    @click.option("--n-gpu-layers", type=bounded("n_gpu_layers"), default=None,
                  help="Layers on the GPU for local models; -1 = all.")
    @click.option("--n-ctx", type=bounded("n_ctx"), default=None, help="Context length for local models.")
    @click.option("--threads", type=bounded("n_threads"), default=None, help="CPU threads for local models.")
    @functools.wraps(func)
    def wrapper(*args: Any, model: str | None, review_model: str | None, base_url: str | None, api_key: str | None,
                n_gpu_layers: int | None, n_ctx: int | None, threads: int | None, **kwargs: Any) -> T:
        # A bad INTERVIEWER_* value fails here (the CLI's edge names the variable); the flags are in range.
        settings = get_settings().with_overrides(model=model, review_model=review_model, base_url=base_url,
                                                 api_key=api_key, n_gpu_layers=n_gpu_layers, n_ctx=n_ctx,
                                                 n_threads=threads)
        return func(*args, settings=settings, **kwargs)

    return wrapper
