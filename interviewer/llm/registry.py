"""One registry of model backends. A model name is `backend:spec`; adding a backend touches this file only
(or one `register_backend` call, as the tests' scripted fake does)."""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass

from ..errors import ModelError, ModelNotFound
from ..settings import Settings, get_settings
from .base import Model

Factory = Callable[[str, str, Settings], Model]
CacheKey = Callable[[str, str, Settings], tuple]

#: Clients of API backends kept at once (cheap; the least recently used is dropped).
MAX_CLIENTS = 16


@dataclass(frozen=True)
class Backend:
    prefix: str
    factory: Factory
    help: str
    #: What makes two names the same instance (default: the name and every setting that reaches the backend).
    cache_key: CacheKey | None = None
    #: True for backends that hold big resources (a model in memory): at most `settings.max_local_models`
    #: live at once, and none is ever dropped while the process runs (another thread may be using it).
    heavy: bool = False


_BACKENDS: dict[str, Backend] = {}
_INSTANCES: OrderedDict[tuple, Model] = OrderedDict()
_LOCK = threading.Lock()


def register_backend(prefix: str, factory: Factory, help: str = "", *, cache_key: CacheKey | None = None,
                     heavy: bool = False) -> None:
    _BACKENDS[prefix] = Backend(prefix, factory, help, cache_key, heavy)


def unregister_backend(prefix: str) -> None:
    _BACKENDS.pop(prefix, None)
    with _LOCK:
        for key in [k for k in _INSTANCES if k[0] == prefix]:
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
    backend = _BACKENDS[prefix]
    key = (prefix, *(backend.cache_key or _default_key)(name, spec, settings))
    with _LOCK:
        if key in _INSTANCES:
            _INSTANCES.move_to_end(key)
            return _INSTANCES[key]
        if backend.heavy:
            held = [k for k in _INSTANCES if _BACKENDS.get(k[0]) is not None and _BACKENDS[k[0]].heavy]
            if len(held) >= settings.max_local_models:
                raise ModelError(
                    f"{name}: this process already holds {len(held)} local model(s), the most it loads at once "
                    f"(INTERVIEWER_MAX_LOCAL_MODELS={settings.max_local_models}); use one of those, or restart")
        model = backend.factory(name, spec, settings)
        _INSTANCES[key] = model
        light = [k for k in _INSTANCES if not (_BACKENDS.get(k[0]) and _BACKENDS[k[0]].heavy)]
        for old in light[: max(0, len(light) - MAX_CLIENTS)]:
            _INSTANCES.pop(old)  # not closed: a request in flight may still hold it; it goes with its last user
        return model


def _default_key(name: str, spec: str, settings: Settings) -> tuple:
    return (name, settings.base_url, settings.api_key.get_secret_value() if settings.api_key else None)


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


def _local_key(name: str, spec: str, settings: Settings) -> tuple:
    """A local model is the same instance for the same file and load settings, whatever else differs."""
    from .catalog import resolve

    path, _ = resolve(spec)
    return (str(path.resolve()), settings.n_ctx, settings.n_threads, settings.n_gpu_layers)


register_backend("local", _local, "a GGUF file through llama-cpp-python: local:ALIAS or local:/path/model.gguf",
                 cache_key=_local_key, heavy=True)
register_backend("openai", _openai, "any OpenAI-compatible API: openai:MODEL with --base-url / --api-key")
