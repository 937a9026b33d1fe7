"""Options shared by commands that talk to a model."""

from __future__ import annotations

import functools

import click

from ..settings import get_settings


def model_options(func):
    """--model, --base-url, --api-key, --n-gpu-layers, --n-ctx, --threads; read into typed Settings."""

    @click.option("--model", "-m", default=None, help="Model name, e.g. local:qwen2.5-coder-1.5b, "
                  "local:/path/to/model.gguf, openai:gpt-4o-mini. [env INTERVIEWER_MODEL]")
    @click.option("--base-url", default=None, help="OpenAI-compatible server URL. [env INTERVIEWER_BASE_URL]")
    @click.option("--api-key", default=None, help="API key (never stored). [env INTERVIEWER_API_KEY or OPENAI_API_KEY]")
    @click.option("--n-gpu-layers", type=int, default=None, help="Layers on the GPU for local models; -1 = all.")
    @click.option("--n-ctx", type=int, default=None, help="Context length for local models.")
    @click.option("--threads", type=int, default=None, help="CPU threads for local models.")
    @functools.wraps(func)
    def wrapper(*args, model, base_url, api_key, n_gpu_layers, n_ctx, threads, **kwargs):
        settings = get_settings().with_overrides(model=model, base_url=base_url, api_key=api_key,
                                                 n_gpu_layers=n_gpu_layers, n_ctx=n_ctx, n_threads=threads)
        return func(*args, settings=settings, **kwargs)

    return wrapper
