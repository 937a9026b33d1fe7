"""Any OpenAI-compatible API through the `openai` SDK: OpenAI, vLLM, a llama.cpp server, Ollama."""

from __future__ import annotations

import json
import math
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any
from urllib.parse import urlparse

from ..errors import ModelError, ModelNotFound
from .base import Message, Model, schema_prompt, softmax

if TYPE_CHECKING:
    from openai.types.chat import ChatCompletion


class OpenAIModel(Model):
    max_concurrency = 8  # servers batch concurrent requests; the SDK's client is thread-safe

    def __init__(
        self,
        name: str,
        model: str,
        *,
        base_url: str | None = None,
        api_key: str | None = None,
        timeout: float = 60.0,
        max_retries: int = 3,
    ) -> None:
        super().__init__(name)
        import openai

        self.model = model
        self.base_url = base_url
        # Local servers take any key; the SDK insists on one. The key lives in memory only.
        key = api_key or ("not-needed" if base_url else None)
        try:
            self.client = openai.OpenAI(base_url=base_url, api_key=key, timeout=timeout, max_retries=max_retries)
        except openai.OpenAIError as e:
            raise ModelError(
                f"{name}: {e}. Set OPENAI_API_KEY (or INTERVIEWER_API_KEY / --api-key), or --base-url for a local server"
            ) from None
        self.timeout = timeout
        self._json_mode = "json_schema"  # downgraded on the first refusal: json_schema -> json_object -> prompt
        self._logprobs = True

    @property
    def model_id(self) -> str:
        host = urlparse(self.base_url).netloc if self.base_url else "api.openai.com"
        return f"openai:{self.model}@{host}"

    @contextmanager
    def _errors(self) -> Iterator[None]:
        import openai

        where = self.base_url or "the OpenAI API"
        try:
            yield
        except openai.AuthenticationError:
            raise ModelError(f"{self.name}: {where} refused the API key (401); check OPENAI_API_KEY or --api-key") from None
        except openai.NotFoundError as e:
            raise ModelNotFound(f"{self.name}: {where} has no model {self.model!r} ({_msg(e)})") from None
        except openai.APITimeoutError:
            raise ModelError(f"{self.name}: {where} did not answer within {self.timeout:.0f}s") from None
        except openai.APIConnectionError:
            raise ModelError(f"{self.name}: cannot reach {where}; is the server running?") from None
        except openai.RateLimitError as e:
            raise ModelError(f"{self.name}: {where} rate-limited every retry ({_msg(e)}); try again later") from None
        except openai.APIStatusError as e:
            raise ModelError(f"{self.name}: {where} answered HTTP {e.status_code}: {_msg(e)}") from None

    def _create(self, **kwargs: Any) -> ChatCompletion:
        return self.client.chat.completions.create(model=self.model, **kwargs)

    def _chat(self, messages: list[Message], *, max_tokens: int, temperature: float) -> str:
        with self._errors():
            out = self._create(messages=messages, max_tokens=max_tokens, temperature=temperature)
        self._count(out)
        return out.choices[0].message.content or ""

    def _choose(self, messages: list[Message], options: list[str]) -> dict[str, float]:
        from .base import strip_cache_break

        convo = strip_cache_break(messages)
        if self._logprobs:
            try:
                with self._errors():
                    out = self._create(messages=convo, max_tokens=1, temperature=0.0, logprobs=True, top_logprobs=20)
                probs = _option_logprobs(out, options)
                if probs is not None:
                    return softmax(probs)
            except ModelError:
                pass
            self._logprobs = False
            self.gives_probabilities = False
        # Without log-probabilities: ask for the choice as constrained JSON; certainty is unknown.
        schema = {"type": "object", "properties": {"choice": {"type": "string", "enum": options}}, "required": ["choice"]}
        text = self._json_text(convo, schema, max_tokens=20)
        try:
            choice = json.loads(text)["choice"]
        except (ValueError, KeyError, TypeError):
            choice = None
        if choice not in options:
            raise ModelError(f"{self.name}: answered {text[:80]!r}, not one of {options}")
        return {opt: (1.0 if opt == choice else 0.0) for opt in options}

    def _json_text(self, messages: list[Message], json_schema: dict, *, max_tokens: int) -> str:
        """A reply constrained to `json_schema`, in the best structured-output mode the server accepts.
        `_choose` falls back on it when the server returns no log-probabilities."""
        modes = ["json_schema", "json_object", "prompt"]
        for mode in modes[modes.index(self._json_mode):]:
            kwargs: dict[str, Any] = {"max_tokens": max_tokens, "temperature": 0.0}
            convo = messages
            if mode == "json_schema":
                kwargs["response_format"] = {
                    "type": "json_schema", "json_schema": {"name": "reply", "schema": json_schema, "strict": False},
                }
            elif mode == "json_object":
                kwargs["response_format"] = {"type": "json_object", "schema": json_schema}
                convo = [{"role": "system", "content": schema_prompt(json_schema)}, *messages]
            else:
                convo = [{"role": "system", "content": schema_prompt(json_schema)}, *messages]
            try:
                with self._errors():
                    out = self._create(messages=convo, **kwargs)
            except ModelError as e:
                if mode != "prompt" and ("HTTP 400" in str(e) or "HTTP 422" in str(e) or "HTTP 500" in str(e)):
                    self._json_mode = modes[modes.index(mode) + 1]
                    continue
                raise
            self._count(out)
            return _strip_fences(out.choices[0].message.content or "")
        raise ModelError(f"{self.name}: no structured-output mode worked")  # pragma: no cover

    def _count(self, out: ChatCompletion) -> None:
        if out.usage:
            self.stats.prompt_tokens += out.usage.prompt_tokens or 0
            self.stats.completion_tokens += out.usage.completion_tokens or 0


def _option_logprobs(out: ChatCompletion, options: list[str]) -> dict[str, float] | None:
    """Map the first generated token's top log-probabilities onto the options (by prefix)."""
    try:
        logprobs = out.choices[0].logprobs
        content = logprobs.content if logprobs is not None else None
        top = content[0].top_logprobs if content else None
    except (AttributeError, IndexError, TypeError):  # a server's reply need not have the SDK's shape
        return None
    if not top:
        return None
    found: dict[str, float] = {}
    for entry in top:
        tok = entry.token.strip().lower()
        if not tok:
            continue
        for opt in options:
            if opt.lower().startswith(tok) and opt not in found:
                found[opt] = entry.logprob
                break
    if not found:
        return None
    floor = min(e.logprob for e in top) - math.log(10)
    return {opt: found.get(opt, floor) for opt in options}


def _strip_fences(text: str) -> str:
    text = text.strip()
    if text.startswith("```"):
        text = text.split("\n", 1)[1] if "\n" in text else ""
        text = text.rsplit("```", 1)[0]
    return text.strip()


def _msg(e: Exception) -> str:
    body = getattr(e, "body", None)
    if isinstance(body, dict):
        err = body.get("error", body)
        if isinstance(err, dict):
            return str(err.get("message", err))[:200]
    return str(e)[:200]
