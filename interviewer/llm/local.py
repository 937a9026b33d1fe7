"""A local GGUF model through llama-cpp-python: CPU, or GPU with n_gpu_layers."""

from __future__ import annotations

import contextlib
import hashlib
import os
import threading
import time
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, cast

from ..errors import ModelError
from .base import CACHE_BREAK, SHUTTING_DOWN, Message, Model, check_low_priority, is_low_priority, softmax

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt
    from llama_cpp.llama_chat_format import Jinja2ChatFormatter
    from llama_cpp.llama_types import ChatCompletionRequestMessage, CreateChatCompletionResponse

#: Tokens per piece of an answer segment (see LocalModel._segments).
CHUNK = 32
LOW_PRIORITY_POLL_S = 0.02  # how often a low-priority call looks whether live work is done


def gpu_offload_supported() -> bool:
    import llama_cpp

    return bool(llama_cpp.llama_supports_gpu_offload())


def cpu_has_amx() -> bool:
    """True on CPUs with Intel AMX (Sapphire Rapids and later), as the kernel reports them."""
    try:
        with open("/proc/cpuinfo", encoding="utf-8", errors="replace") as f:
            return any(line.startswith("flags") and "amx_tile" in line.split() for line in f)
    except OSError:
        return False


def build_has_amx() -> bool:
    """True if this llama.cpp build compiled its AMX matmul in (it reports AMX_INT8 = 1)."""
    import llama_cpp

    info = llama_cpp.llama_print_system_info()
    info = info.decode("utf-8", "replace") if isinstance(info, bytes) else str(info)
    return "AMX_INT8 = 1" in info


def amx_crash_risk() -> bool:
    """llama.cpp's AMX path segfaults (a general protection fault at `ldtilecfg`, ggml-org/llama.cpp#20824)
    when the build has it and the CPU has AMX. The project's install builds without it; a build made
    elsewhere may not be."""
    return cpu_has_amx() and build_has_amx()


_PARAMS_LOCK = threading.Lock()


@contextlib.contextmanager
def _no_extra_buffer_types() -> Iterator[None]:
    """Load with `use_extra_bufts = false`, which keeps llama.cpp off its AMX (and repacking) buffer types.
    The high-level `Llama` class takes no argument for it: its default-parameters factory is wrapped for
    the length of one load."""
    import llama_cpp.llama_cpp as lib

    with _PARAMS_LOCK:
        original = lib.llama_model_default_params

        def params() -> lib.llama_model_params:
            p = original()
            p.use_extra_bufts = False
            return p

        lib.llama_model_default_params = params
        try:
            yield
        finally:
            lib.llama_model_default_params = original


@contextlib.contextmanager
def _quiet_stderr(enabled: bool = True) -> Iterator[None]:
    """llama.cpp logs to fd 2 from C; keep the terminal readable unless asked for verbosity."""
    if not enabled:
        yield
        return
    try:
        fd = os.dup(2)
    except OSError:
        yield
        return
    with open(os.devnull, "w") as devnull:
        os.dup2(devnull.fileno(), 2)
        try:
            yield
        finally:
            os.dup2(fd, 2)
            os.close(fd)


class LocalModel(Model):
    """One llama.cpp context per model, shared by the whole process behind a lock (it is not thread-safe)."""

    memoizes = True

    def __init__(
        self,
        name: str,
        path: Path,
        *,
        n_ctx: int = 8192,
        n_threads: int | None = None,
        n_gpu_layers: int = 0,
        chat_format: str | None = None,
        seed: int = 0,
        verbose: bool = False,
    ) -> None:
        super().__init__(name)
        import llama_cpp

        self.path = Path(path)
        self.lock = threading.RLock()
        self.n_gpu_layers = n_gpu_layers
        if n_gpu_layers != 0 and not gpu_offload_supported():
            raise ModelError(
                f"{name}: n_gpu_layers={n_gpu_layers} asked for, but this llama-cpp-python build has no GPU support. "
                "Use n_gpu_layers=0, or rebuild: CMAKE_ARGS='-DGGML_CUDA=on' pip install --force-reinstall "
                "--no-cache-dir llama-cpp-python"
            )
        start = time.perf_counter()
        # On an AMX CPU with a build that has the AMX path, that path would crash the process: stay off it.
        self.safe_mode = amx_crash_risk()
        guard = _no_extra_buffer_types() if self.safe_mode else contextlib.nullcontext()
        try:
            with _quiet_stderr(not verbose), guard:
                self.llm = llama_cpp.Llama(
                    model_path=str(self.path),
                    n_ctx=n_ctx,
                    n_threads=n_threads,
                    n_gpu_layers=n_gpu_layers,
                    chat_format=chat_format,
                    seed=seed,
                    verbose=verbose,
                )
        except (ValueError, RuntimeError, OSError) as e:
            raise ModelError(
                f"{name}: could not load {self.path} ({e}). Is it a complete GGUF file of an architecture this "
                f"llama-cpp-python supports? Try another file or `interviewer models check`."
            ) from None
        self.load_seconds = time.perf_counter() - start
        self._template = self.llm.metadata.get("tokenizer.chat_template")
        self._formatter: Jinja2ChatFormatter | None = None  # built on first use: it compiles the template
        self._digest: str | None = None
        self._kv_segments: list[list[int]] = []  # the token segments now in the KV cache, in order
        self._waiting = 0  # choose() calls waiting for the lock (a warm-up gives way to them)
        self._warming = 0  # read-aheads running (calls at low priority wait for them)

    @property
    def model_id(self) -> str:
        if self._digest is None:
            h = hashlib.sha256()
            with open(self.path, "rb") as f:
                h.update(f.read(1 << 20))  # header + first tensors: cheap and enough to tell files apart
            h.update(str(self.path.stat().st_size).encode())
            self._digest = h.hexdigest()[:12]
        return f"{self.name}@{self._digest}"

    @property
    def on_gpu(self) -> bool:
        return self.n_gpu_layers != 0 and gpu_offload_supported()

    # -- chat -------------------------------------------------------------------------
    def _chat(self, messages: list[Message], *, max_tokens: int, temperature: float) -> str:
        with self._hold():
            self._kv_segments = []  # create_chat_completion manages the cache its own way
            # Without stream=True the reply is one response, not chunks (the signature has no overload for it).
            out = cast("CreateChatCompletionResponse", self.llm.create_chat_completion(
                messages=_llama_messages(messages), max_tokens=max_tokens, temperature=temperature))
        usage = out.get("usage", {})
        self.stats.prompt_tokens += usage.get("prompt_tokens", 0)
        self.stats.completion_tokens += usage.get("completion_tokens", 0)
        return out["choices"][0]["message"]["content"] or ""

    # -- constrained choice -------------------------------------------------------------
    def format_prompt(self, messages: list[Message]) -> str:
        """The model's own chat template applied to the messages, ending where the assistant starts."""
        if self._formatter is None:
            from llama_cpp.llama_chat_format import Jinja2ChatFormatter

            if not self._template:
                raise ModelError(f"{self.name}: the GGUF file has no chat template; constrained choice needs one")
            llm = self.llm
            eos = llm._model.token_get_text(llm.token_eos()) if llm.token_eos() != -1 else ""
            bos = llm._model.token_get_text(llm.token_bos()) if llm.token_bos() != -1 else ""
            self._formatter = Jinja2ChatFormatter(template=self._template, eos_token=eos, bos_token=bos)
        return self._formatter(messages=_llama_messages(messages)).prompt

    def _segments(self, messages: list[Message]) -> list[list[int]]:
        """The prompt's token segments. Middle segments (the candidate's answer) are cut into CHUNK-token
        pieces at fixed offsets: an answer evaluated while it was being typed shares its leading pieces with
        the final answer, and each piece is always evaluated alone at the same position, so reusing it gives
        the very logits a fresh evaluation would."""
        prompt = self.format_prompt(messages)
        parts = prompt.split(CACHE_BREAK)
        segments = []
        for i, part in enumerate(parts):
            if not part:
                continue
            tokens = self.llm.tokenize(part.encode("utf-8"), add_bos=(i == 0), special=True)
            if 0 < i < len(parts) - 1:
                segments += [tokens[k:k + CHUNK] for k in range(0, len(tokens), CHUNK)]
            else:
                segments.append(tokens)
        return segments

    def exclusive(self) -> contextlib.AbstractContextManager[object]:
        """Hold the model for a run of calls; a read-ahead in progress gives way at its next piece. On a thread
        at low priority (llm.base.low_priority: the review grade) it holds nothing: each of its calls takes the
        model on its own, so live work gets in between any two of them."""
        return contextlib.nullcontext() if is_low_priority() else self._hold()

    @contextlib.contextmanager
    def _hold(self) -> Iterator[LocalModel]:
        """The model's lock, for one call or a run of them. A call at low priority first waits until no live
        call waits and no read-ahead runs, and counts as no waiter itself."""
        if is_low_priority():
            while True:
                check_low_priority()
                while self._waiting or self._warming:
                    time.sleep(LOW_PRIORITY_POLL_S)
                self.lock.acquire()
                if not self._waiting and not self._warming and not SHUTTING_DOWN.is_set():
                    break
                self.lock.release()
        else:
            self._waiting += 1
            try:
                self.lock.acquire()
            finally:
                self._waiting -= 1
        try:
            yield self
        finally:
            self.lock.release()

    @property
    def contended(self) -> bool:
        return self._waiting > 0

    def warm(self, messages: Sequence[Message]) -> int:
        """Evaluate every segment but the last, one at a time, giving way at once to a waiting `choose`."""
        with self.lock:
            segments = self._segments(list(messages))[:-1]
        done = 0
        self._warming += 1  # calls at low priority wait for it
        try:
            for k in range(1, len(segments) + 1):
                if self._waiting:
                    break
                with self.lock:
                    before = self.stats.prompt_tokens
                    self._eval_segments(segments[:k], reading=False)
                    done += self.stats.prompt_tokens - before
        finally:
            self._warming -= 1
        return done

    def _eval_segments(self, segments: list[list[int]], reading: bool = True) -> int:
        """Evaluate segment by segment, reusing whole cached segments only; returns tokens reused.

        Each segment is always evaluated in one eval() call starting at the same position, so the
        logits never depend on what was in the cache before. When `reading`, the last segment is always
        evaluated anew and its logits are kept; a read-ahead (not `reading`) may reuse every segment.
        """
        keep = 0
        for cached, wanted in zip(self._kv_segments, segments[:-1] if reading else segments):
            if cached != wanted:
                break
            keep += 1
        reused = sum(len(s) for s in segments[:keep])
        self.llm.n_tokens = reused
        self._kv_segments = self._kv_segments[:keep]
        total = reused + sum(len(s) for s in segments[keep:])
        if total >= self.llm.n_ctx():
            raise ModelError(f"{self.name}: prompt of {total} tokens exceeds the context of {self.llm.n_ctx()}")
        for seg in segments[keep:]:
            self.llm.eval(seg)
            self._kv_segments.append(seg)
        if reading:
            self._last_logits = self._read_logits()
        self.stats.prompt_tokens += total - reused
        self.stats.cached_tokens += reused
        return reused

    def _choose(self, messages: list[Message], options: list[str]) -> dict[str, float]:
        with self._hold():  # a warm-up in progress stops at its next piece
            return self._choose_locked(messages, options)

    def _choose_locked(self, messages: list[Message], options: list[str]) -> dict[str, float]:
        segments = self._segments(messages)
        first_tokens = [self._tokens(opt)[0] for opt in options]
        if len(set(first_tokens)) == len(first_tokens):
            self._eval_segments(segments)
            logits = self._last_logits
            return softmax({opt: float(logits[t]) for opt, t in zip(options, first_tokens)})
        # Options share a first token: score each whole option as a continuation.
        scores = {}
        for opt in options:
            toks = self._tokens(opt)
            self._eval_segments(segments)
            logp = 0.0
            for tok in toks:
                logits = self._last_logits
                logp += float(logits[tok] - _logsumexp(logits))
                self.llm.eval([tok])
                self._kv_segments.append([tok])
                self._last_logits = self._read_logits()
            scores[opt] = logp
        return softmax(scores)

    def _tokens(self, text: str) -> list[int]:
        return self.llm.tokenize(text.encode("utf-8"), add_bos=False, special=False)

    def _read_logits(self) -> npt.NDArray[np.float32]:
        import numpy as np

        return np.ctypeslib.as_array(self.llm._ctx.get_logits(), shape=(self.llm.n_vocab(),)).copy()

    def close(self) -> None:
        with self.lock:
            with contextlib.suppress(Exception):
                self.llm.close()


def _llama_messages(messages: list[Message]) -> list[ChatCompletionRequestMessage]:
    """The messages as llama-cpp-python types them: its TypedDicts spell out the {role, content} dicts they are."""
    return cast("list[ChatCompletionRequestMessage]", messages)


def _logsumexp(x: npt.NDArray[np.float32]) -> float:
    import numpy as np

    m = float(np.max(x))
    return m + float(np.log(np.sum(np.exp(x - m))))
