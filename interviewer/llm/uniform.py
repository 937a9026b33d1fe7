"""A model whose every failure reads the same.

For an endpoint that a UI server's client named: how a call failed (refused, timed out, HTTP 404, a reply
that does not parse) and what the server said would let that client map the server's network. The real
error goes to the server's log only."""

from __future__ import annotations

import logging
from collections.abc import Sequence

from ..errors import ModelError
from .base import Message, Model

log = logging.getLogger(__name__)


def failed(name: str) -> ModelError:
    return ModelError(f"{name}: the endpoint gave no usable answer; check its URL, model name and key, and try again")


class Uniform(Model):
    """`inner` with every failure replaced by the same ModelError."""

    def __init__(self, inner: Model) -> None:
        super().__init__(inner.name)
        self.inner = inner
        self.max_concurrency = inner.max_concurrency

    @property
    def gives_probabilities(self) -> bool:
        return self.inner.gives_probabilities

    @gives_probabilities.setter
    def gives_probabilities(self, value: bool) -> None:
        self.inner.gives_probabilities = value

    @property
    def model_id(self) -> str:
        return self.inner.model_id

    def _chat(self, messages: list[Message], *, max_tokens: int, temperature: float) -> str:
        try:
            return self.inner._chat(messages, max_tokens=max_tokens, temperature=temperature)
        except Exception as e:  # noqa: BLE001 - every failure reads the same
            log.warning("%s failed: %s", self.name, e)
            raise failed(self.name) from None

    def _choose(self, messages: Sequence[Message], options: list[str]) -> dict[str, float]:
        try:
            return self.inner._choose(list(messages), options)
        except Exception as e:  # noqa: BLE001
            log.warning("%s failed: %s", self.name, e)
            raise failed(self.name) from None

    def close(self) -> None:
        self.inner.close()
