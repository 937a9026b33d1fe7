"""One registry of model backends. A model name is `backend:spec`; adding a backend touches this file only
(or one `register_backend` call, as the tests' scripted fake does)."""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass

from ..errors import ModelNotFound
from ..settings import Settings, get_settings
from .base import Model

Factory = Callable[[str, str, Settings], Model]


@dataclass(frozen=True)
class Backend:
    prefix: str
    factory: Factory
    help: str


_BACKENDS: dict[str, Backend] = {}
_INSTANCES: dict[tuple, Model] = {}
_LOCK = threading.Lock()


def register_backend(prefix: str, factory: Factory, help: str = "") -> None:
    _BACKENDS[prefix] = Backend(prefix, factory, help)


def unregister_backend(prefix: str) -> None:
    _BACKENDS.pop(prefix, None)
    for key in [k for k in _INSTANCES if k[0].startswith(prefix + ":")]:
        _INSTANCES.pop(key).close()


def backends() -> dict[str, Backend]:
    return dict(_BACKENDS)


def split_name(name: str) -> tuple[str, str]:
    prefix, sep, spec = name.partition(":")
    if not sep or not spec:
        raise ModelNotFound(f"model name {name!r} should look like backend:name, e.g. local:qwen2.5-coder-1.5b "
                            f"or openai:gpt-4o-mini (backends: {', '.join(_BACKENDS)})")
    if prefix not in _BACKENDS:
        raise ModelNotFound(f"unknown model backend {prefix!r} in {name!r}; known: {', '.join(_BACKENDS)}")
    return prefix, spec


def get_model(name: str | None = None, settings: Settings | None = None) -> Model:
    """The model for a name, created once per process and settings (local models are big and not thread-safe)."""
    settings = settings or get_settings()
    name = name or settings.model
    prefix, spec = split_name(name)
    key = (name, settings.base_url, settings.n_ctx, settings.n_threads, settings.n_gpu_layers,
           settings.api_key.get_secret_value() if settings.api_key else None)
    with _LOCK:
        if key not in _INSTANCES:
            _INSTANCES[key] = _BACKENDS[prefix].factory(name, spec, settings)
        return _INSTANCES[key]


def _local(name: str, spec: str, settings: Settings) -> Model:
    from .catalog import resolve
    from .local import LocalModel

    path, packaged = resolve(spec)
    return LocalModel(
        name, path, n_ctx=settings.n_ctx, n_threads=settings.n_threads, n_gpu_layers=settings.n_gpu_layers,
        chat_format=packaged.chat_format if packaged else None,
    )


def _openai(name: str, spec: str, settings: Settings) -> Model:
    import os

    from .openai_api import OpenAIModel

    key = settings.api_key.get_secret_value() if settings.api_key else os.environ.get("OPENAI_API_KEY")
    return OpenAIModel(
        name, spec, base_url=settings.base_url or os.environ.get("OPENAI_BASE_URL"), api_key=key,
        timeout=settings.request_timeout, max_retries=settings.max_retries,
    )


register_backend("local", _local, "a GGUF file through llama-cpp-python: local:ALIAS or local:/path/model.gguf")
register_backend("openai", _openai, "any OpenAI-compatible API: openai:MODEL with --base-url / --api-key")
