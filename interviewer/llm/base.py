"""The one interface every model backend implements."""

from __future__ import annotations

import contextlib
import hashlib
import json
import math
import threading
import time
from collections import OrderedDict
from abc import ABC, abstractmethod
from collections.abc import Iterator, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass, field

Message = dict[str, str]

#: Put this marker in the last message to say "everything before me is shared between calls".
#: A local backend evaluates the text before it once and reuses it, always split at the same place,
#: so a result never depends on what was evaluated before. Other backends just remove it.
CACHE_BREAK = "\u2063\u2063cache-break\u2063\u2063"


_PRIORITY = threading.local()


@contextlib.contextmanager
def low_priority() -> Iterator[None]:
    """Calls this thread makes inside run after live work: a local model serves them only while no live call
    waits and no read-ahead runs, and they never make a read-ahead give way (the review grade runs so)."""
    before = getattr(_PRIORITY, "low", False)
    _PRIORITY.low = True
    try:
        yield
    finally:
        _PRIORITY.low = before


def is_low_priority() -> bool:
    """True inside `low_priority()` on this thread."""
    return bool(getattr(_PRIORITY, "low", False))


#: Set when the process is shutting down: calls at low priority are refused from then on (see `check_low_priority`).
SHUTTING_DOWN = threading.Event()


def check_low_priority() -> None:
    """Raise ModelError for a call at low priority once the process is shutting down: background work stops at
    its next call instead of holding a model that is about to be freed."""
    if SHUTTING_DOWN.is_set() and is_low_priority():
        from ..errors import ModelError

        raise ModelError("the process is shutting down")


def strip_cache_break(messages: Sequence[Message]) -> list[Message]:
    return [{**m, "content": m["content"].replace(CACHE_BREAK, "")} for m in messages]


@dataclass
class Stats:
    """Counters a backend keeps, for benchmarks and `models check`."""

    calls: int = 0
    prompt_tokens: int = 0
    cached_tokens: int = 0
    completion_tokens: int = 0
    seconds: float = 0.0
    memo_hits: int = 0
    by_kind: dict[str, int] = field(default_factory=dict)

    def add(self, kind: str, prompt: int = 0, cached: int = 0, completion: int = 0, seconds: float = 0.0) -> None:
        self.calls += 1
        self.prompt_tokens += prompt
        self.cached_tokens += cached
        self.completion_tokens += completion
        self.seconds += seconds
        self.by_kind[kind] = self.by_kind.get(kind, 0) + 1


class Model(ABC):
    """A chat model. Backends implement `_chat` and `_choose`; `warm`, `exclusive` and `contended` are optional
    and have defaults."""

    #: The registry name this model was created from, e.g. "local:qwen2.5-coder-1.5b".
    name: str
    #: True when `choose` returns real probabilities, False when it can only pick one option.
    gives_probabilities: bool = True
    #: How many calls may run at once to good effect: 1 for a local model (one context behind a lock),
    #: more for an API server that batches requests. Batch grading sizes its worker pool by it.
    max_concurrency: int = 1
    #: True when `choose` is a pure function of its arguments (a local model: same prompt, same logits), so its
    #: results are memoized: work done ahead (a draft judged while the candidate pauses) is reused exactly.
    memoizes: bool = False
    MEMO_SIZE = 1024

    def __init__(self, name: str) -> None:
        self.name = name
        self.stats = Stats()
        self._memo: OrderedDict[str, dict[str, float]] = OrderedDict()
        self._memo_lock = threading.Lock()

    @property
    def model_id(self) -> str:
        """What is recorded with every grade: the name plus something that pins the weights."""
        return self.name

    # -- public API -----------------------------------------------------------------
    def chat(self, messages: Sequence[Message], *, max_tokens: int = 256, temperature: float = 0.0) -> str:
        check_low_priority()
        start = time.perf_counter()
        text = self._chat(strip_cache_break(messages), max_tokens=max_tokens, temperature=temperature)
        self.stats.add("chat", seconds=time.perf_counter() - start)
        return text

    def choose(self, messages: Sequence[Message], options: Sequence[str]) -> dict[str, float]:
        """Probabilities of each option as the assistant's reply, summing to 1."""
        if len(set(options)) != len(options) or len(options) < 2:
            raise ValueError(f"need at least two distinct options, got {options!r}")
        check_low_priority()
        key = _memo_key(messages, options) if self.memoizes else ""
        if key:
            with self._memo_lock:
                if key in self._memo:
                    self._memo.move_to_end(key)
                    self.stats.memo_hits += 1
                    return dict(self._memo[key])
        start = time.perf_counter()
        probs = self._choose(list(messages), list(options))
        self.stats.add("choose", seconds=time.perf_counter() - start)
        if key:
            with self._memo_lock:
                self._memo[key] = dict(probs)
                while len(self._memo) > self.MEMO_SIZE:
                    self._memo.popitem(last=False)
        return probs

    def clear_memo(self) -> None:
        with self._memo_lock:
            self._memo.clear()

    @property
    def contended(self) -> bool:
        """True while a call is waiting for this model: work done ahead of time should stop and give way."""
        return False

    def exclusive(self) -> AbstractContextManager[object]:
        """A context in which this thread's calls run back to back (a local model's lock, held across a whole
        grade so that a read-ahead of the next draft cannot evict the answer between two criteria)."""
        return contextlib.nullcontext()

    def warm(self, messages: Sequence[Message]) -> int:
        """Evaluate a prompt's prefix ahead of time (everything before its last CACHE_BREAK), so that a later
        `choose` over the same prefix only pays for what follows. Returns the tokens evaluated now. Backends
        without a prompt cache do nothing. Never changes what a later call returns."""
        return 0

    def close(self) -> None:  # pragma: no cover - overridden where there is something to free
        pass

    # -- backend hooks --------------------------------------------------------------
    @abstractmethod
    def _chat(self, messages: list[Message], *, max_tokens: int, temperature: float) -> str: ...

    @abstractmethod
    def _choose(self, messages: list[Message], options: list[str]) -> dict[str, float]: ...


def _memo_key(messages: Sequence[Message], options: Sequence[str]) -> str:
    return hashlib.sha256(json.dumps([list(messages), list(options)], sort_keys=True).encode("utf-8")).hexdigest()


def softmax(logits: dict[str, float]) -> dict[str, float]:
    top = max(logits.values())
    exp = {k: math.exp(v - top) for k, v in logits.items()}
    total = sum(exp.values())
    return {k: v / total for k, v in exp.items()}


def schema_prompt(json_schema: dict) -> str:
    return "Reply with one JSON object that matches this JSON schema, and nothing else:\n" + json.dumps(json_schema)
