"""One registry of model backends. A model name is `backend:spec`; adding a backend touches this file only
(or one `register_backend` call, as the tests' scripted fake does: tests/fakes.py).

Memory stays bounded. API clients are cheap: the least recently used beyond MAX_CLIENTS is dropped. Heavy
models (a model in memory) are capped at `settings.max_local_models` alive at once; a load past the cap
evicts the least recently used heavy model that nothing is using, and waits (up to SLOT_WAIT_S) while every
one is in use. "In use" is what Python knows: a model is in use while anything outside the registry still
refers to it (a running interview's grader, a CLI run). An evicted model is never closed by the registry: it
is dropped from the cache, and its memory goes when the last reference does - so no request ever finds its
model closed under it. A model dropped while still in use counts against the cap until it is gone.
"""

from __future__ import annotations

import atexit
import contextlib
import gc
import threading
import time
import weakref
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from ..errors import ModelBusy, ModelNotFound
from ..settings import Settings, get_settings
from .base import SHUTTING_DOWN, Model

Factory = Callable[[str, str, Settings], Model]
CacheKey = Callable[[str, str, Settings], tuple]

#: Clients of API backends kept at once (cheap; the least recently used is dropped).
MAX_CLIENTS = 16
#: How long a load waits for a heavy model's slot while every loaded one is in use, in seconds.
SLOT_WAIT_S = 120.0
#: While waiting, how often the registry looks again for a model that has become idle, in seconds.
SLOT_POLL_S = 0.5


@dataclass(frozen=True)
class Backend:
    prefix: str
    factory: Factory
    help: str
    #: What makes two names the same instance (default: the name and every setting that reaches the backend).
    cache_key: CacheKey | None = None
    #: True for backends that hold big resources (a model in memory): at most `settings.max_local_models`
    #: alive at once; the least recently used idle one makes room for another (see the module's doc).
    heavy: bool = False
    #: For backends that load a file the spec names: that file (None for a spec that names no file, e.g. a
    #: packaged model's alias). A server offers its clients such files only from folders its owner allows.
    file_of: Callable[[str], Path | None] | None = None
    #: True for backends that call an endpoint (settings.base_url): a server's clients may name only the
    #: endpoints its owner allows.
    remote: bool = False


_BACKENDS: dict[str, Backend] = {}
_INSTANCES: OrderedDict[tuple, Model] = OrderedDict()
_LOCK = threading.Lock()


@atexit.register
def _close_all() -> None:
    """Free the loaded models while the process can still do it cleanly: left to llama-cpp's finalizers at
    interpreter shutdown, freeing one fails on modules already torn down (a TypeError printed at exit). Background
    work (reviews) is told to stop first: its next call is refused, and `close` waits for the one in flight."""
    SHUTTING_DOWN.set()
    with _LOCK:
        for model in _INSTANCES.values():
            with contextlib.suppress(Exception):
                model.close()
#: Signalled when a heavy model leaves the cache (a slot may be free); waiting loads also look again
#: every SLOT_POLL_S, since a model's last user lets go of it without telling the registry.
_SLOTS = threading.Condition(_LOCK)
#: Every heavy model alive, cached or not (one evicted while in use lives on until its last user is done).
_HEAVY: weakref.WeakSet[Model] = weakref.WeakSet()
_waiting = 0


def register_backend(prefix: str, factory: Factory, help: str = "", *, cache_key: CacheKey | None = None,
                     heavy: bool = False, file_of: Callable[[str], Path | None] | None = None,
                     remote: bool = False) -> None:
    _BACKENDS[prefix] = Backend(prefix, factory, help, cache_key, heavy, file_of, remote)


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
    """The model for a name, created once per process and settings (local models are big and not thread-safe).
    A heavy model past the cap takes the slot of the least recently used idle one; while every one is in
    use it waits up to SLOT_WAIT_S, then raises ModelBusy."""
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
            _make_room(name, settings.max_local_models)
            if key in _INSTANCES:  # another thread loaded it while this one waited
                _INSTANCES.move_to_end(key)
                return _INSTANCES[key]
        model = backend.factory(name, spec, settings)
        _INSTANCES[key] = model
        if backend.heavy:
            _HEAVY.add(model)
        light = [k for k in _INSTANCES if not _is_heavy(k)]
        for old in light[: max(0, len(light) - MAX_CLIENTS)]:
            _INSTANCES.pop(old)  # not closed: a request in flight may still hold it; it goes with its last user
        return model


def waiting() -> int:
    """Loads now waiting for a heavy model's slot."""
    return _waiting


def _is_heavy(key: tuple) -> bool:
    backend = _BACKENDS.get(key[0])
    return backend is not None and backend.heavy


def _make_room(name: str, cap: int) -> None:
    """Called with the lock held: return once fewer than `cap` heavy models are alive, evicting idle ones;
    wait (the lock released) while all are in use; ModelBusy after SLOT_WAIT_S."""
    global _waiting
    deadline = time.monotonic() + SLOT_WAIT_S
    while len(_HEAVY) >= cap:
        if _evict_idle() or len(_HEAVY) < cap:  # (collecting may also free one evicted earlier)
            continue
        left = deadline - time.monotonic()
        if left <= 0:
            raise ModelBusy(f"{name}: all {cap} local model slots are in use by running requests "
                            f"(INTERVIEWER_MAX_LOCAL_MODELS={cap}); try again in a moment")
        _waiting += 1
        try:
            _SLOTS.wait(min(SLOT_POLL_S, left))
        finally:
            _waiting -= 1


def _evict_idle() -> bool:
    """Drop the least recently used heavy model that nothing outside the cache refers to; True if one went.
    Garbage is collected first: a finished request's interview may hold its model through a reference cycle."""
    gc.collect()
    busy: list[tuple[tuple, Model]] = []
    try:
        for key in [k for k in _INSTANCES if _is_heavy(k)]:
            ref = weakref.ref(_INSTANCES.pop(key))
            if ref() is not None:
                gc.collect()  # the model's own cycles, if any, held it
            model = ref()
            if model is None:
                _SLOTS.notify_all()
                return True
            busy.append((key, model))
            del model
        return False
    finally:
        for key, model in reversed(busy):  # the ones in use stay, still the least recently used
            _INSTANCES[key] = model
            _INSTANCES.move_to_end(key, last=False)


def _default_key(name: str, spec: str, settings: Settings) -> tuple:
    return (name, settings.base_url, settings.api_key.get_secret_value() if settings.api_key else None,
            settings.uniform_errors)


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

    from .uniform import Uniform, failed

    key = settings.api_key.get_secret_value() if settings.api_key else os.environ.get("OPENAI_API_KEY")
    try:
        model = OpenAIModel(
            name, spec, base_url=settings.base_url or os.environ.get("OPENAI_BASE_URL"), api_key=key,
            timeout=settings.request_timeout, max_retries=settings.max_retries,
        )
    except Exception:
        if settings.uniform_errors:
            raise failed(name) from None
        raise
    return Uniform(model) if settings.uniform_errors else model


def _local_key(name: str, spec: str, settings: Settings) -> tuple:
    """A local model is the same instance for the same file and load settings, whatever else differs."""
    from .catalog import resolve

    path, _ = resolve(spec)
    return (str(path.resolve()), settings.n_ctx, settings.n_threads, settings.n_gpu_layers)


def _local_file(spec: str) -> Path | None:
    from .catalog import file_of

    return file_of(spec)


register_backend("local", _local, "a GGUF file through llama-cpp-python: local:ALIAS or local:/path/model.gguf",
                 cache_key=_local_key, heavy=True, file_of=_local_file)
register_backend("openai", _openai, "any OpenAI-compatible API: openai:MODEL with --base-url / --api-key",
                 remote=True)
