"""Test doubles: a scripted model, and a way to serve a model backend for one block or fixture."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

from interviewer.llm import registry
from interviewer.llm.base import Message, Model

Rule = Callable[[list[Message], list[str]], dict[str, float] | None]


class ScriptedModel(Model):
    """Answers `choose` by a rule (default: always the first option, certain) and chat from a script."""

    def __init__(self, name: str = "fake:scripted", choose_rule: Rule | None = None,
                 replies: list[str] | None = None) -> None:
        super().__init__(name)
        self.choose_rule = choose_rule
        self.replies = list(replies or [])
        self.calls: list[tuple[str, list[Message]]] = []

    def _chat(self, messages: list[Message], *, max_tokens: int, temperature: float) -> str:
        self.calls.append(("chat", messages))
        return self.replies.pop(0) if self.replies else "OK"

    def _choose(self, messages: list[Message], options: list[str]) -> dict[str, float]:
        self.calls.append(("choose", messages))
        if self.choose_rule is not None:
            probs = self.choose_rule(messages, options)
            if probs is not None:
                return probs
        return {opt: (1.0 if i == 0 else 0.0) for i, opt in enumerate(options)}


@contextmanager
def backend(prefix: str, factory: registry.Factory, **options) -> Iterator[None]:
    """Model names `prefix:...` served by `factory` inside the block (`options` as for register_backend);
    afterwards the backend is gone, and every instance it made is closed and out of the registry's cache."""
    registry.register_backend(prefix, factory, **options)
    try:
        yield
    finally:
        registry._BACKENDS.pop(prefix, None)
        with registry._LOCK:
            for key in [k for k in registry._INSTANCES if k[0] == prefix]:
                registry._INSTANCES.pop(key).close()
            registry._SLOTS.notify_all()
