"""What a UI/API server offers its clients: the models and endpoints its owner chose.

A client (a browser, a gradio_client script) names a model and, for an OpenAI-compatible one, maybe an
endpoint. It may have:
- the server's own model (settings.model) and the packaged models installed with the project;
- a GGUF file inside a folder the owner allows (--allow-model-dir, INTERVIEWER_ALLOW_MODEL_DIRS), compared
  with its links followed; the model name then carries that resolved path, so the file loaded is the one checked;
- any model at the server's own endpoint, when the owner configured one (--base-url, or an openai: model);
- another endpoint only where the owner lists it (--allow-endpoint, INTERVIEWER_ALLOW_ENDPOINTS): the same
  scheme, host and port, and the same path or one below it, both read in one canonical form (`canonical_url`).
  A host spelled another way (hex, decimal, IPv6-mapped, a trailing dot) is another host. Such an endpoint
  gets the client's key, never the server's, and its failures all read the same (settings.uniform_errors).

Anything else is refused before a file is opened or a connection made, always with the same message: a
refusal says nothing about the server's files or network. The terminal commands never come here: the
machine's own user may load any file and call any endpoint.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from interviewer.errors import InterviewerError, ModelNotFound, NotOffered
from interviewer.llm.registry import backends, split_name
from interviewer.settings import Settings

NOT_OFFERED = "this server does not offer that model or endpoint: pick one its setup panel offers"
DEFAULT_PORTS = {"http": 80, "https": 443}


@dataclass(frozen=True)
class Url:
    """An endpoint URL in canonical form: scheme and host in lower case, no default port, no trailing slash."""

    origin: str  # scheme://host[:port]
    path: str  # "" or /a/b

    def __str__(self) -> str:
        return self.origin + self.path

    def within(self, allowed: "Url") -> bool:
        """True for the same origin, and the allowed path or a path below it."""
        return self.origin == allowed.origin and (self.path == allowed.path or
                                                  self.path.startswith(allowed.path + "/"))


def canonical_url(text: str) -> Url | None:
    """The canonical form of an http(s) base URL, or None for one that has no single reading: user info,
    a query or fragment, percent-escapes, backslashes, dot segments, blanks, non-ASCII, a bad port."""
    text = text.strip() if isinstance(text, str) else ""
    if not text or not text.isascii() or any(c in text for c in "@%\\?# ") or not text.isprintable():
        return None
    try:
        parts = urlsplit(text)
        port = parts.port
    except ValueError:
        return None
    scheme, host = parts.scheme.lower(), (parts.hostname or "")
    if scheme not in DEFAULT_PORTS or not host or parts.username is not None:
        return None
    path = parts.path.rstrip("/")
    if any(seg in (".", "..") for seg in path.split("/")) or "//" in path:
        return None
    netloc = f"[{host}]" if ":" in host else host
    if port is not None and port != DEFAULT_PORTS[scheme]:
        netloc += f":{port}"
    return Url(f"{scheme}://{netloc}", path)


class Offer:
    """The owner's choices, read once from the server's settings."""

    def __init__(self, settings: Settings) -> None:
        self.own_model = settings.model
        own = settings.base_url or os.environ.get("OPENAI_BASE_URL")
        self.own_url = canonical_url(own) if own else None
        self.own_endpoint = bool(own) or self._remote(settings.model)
        self.model_dirs = tuple(Path(os.path.realpath(Path(d).expanduser())) for d in settings.allow_model_dirs)
        endpoints = []
        for entry in settings.allow_endpoints:
            url = canonical_url(entry)
            if url is None:
                raise InterviewerError(f"allowed endpoint {entry!r} is not a plain http(s) base URL (no user, "
                                       "query, fragment or percent-escapes), e.g. http://127.0.0.1:8000/v1")
            endpoints.append(url)
        self.endpoints = tuple(endpoints)

    @property
    def files(self) -> bool:
        """True when clients may name GGUF files (in the allowed folders)."""
        return bool(self.model_dirs)

    def choose(self, name: str | None, base_url: str | None) -> tuple[str | None, str | None]:
        """(model name, endpoint URL) for a client's choice: the URL None for the server's own endpoint (or a
        model that calls none), the name None for model-free grading. NotOffered for anything else."""
        if name is None:
            return None, None
        try:
            prefix, spec = split_name(name)
        except ModelNotFound:
            raise NotOffered(NOT_OFFERED) from None
        backend = backends()[prefix]
        if backend.remote:
            return name, self._endpoint(name, base_url)
        if name == self.own_model:
            return name, None
        if backend.file_of is not None:
            path = backend.file_of(spec)
            if path is None:  # a packaged model
                return name, None
            if path.suffix.lower() == ".gguf" and any(path.is_relative_to(d) for d in self.model_dirs):
                return f"{prefix}:{path}", None
        raise NotOffered(NOT_OFFERED)

    def _endpoint(self, name: str, base_url: str | None) -> str | None:
        text = base_url.strip() if isinstance(base_url, str) else ""
        if not text:
            if self.own_endpoint:
                return None
            raise NotOffered(NOT_OFFERED)
        url = canonical_url(text)
        if url is not None and self.own_url is not None and url == self.own_url:
            return None
        if url is not None and any(url.within(allowed) for allowed in self.endpoints):
            return str(url)
        raise NotOffered(NOT_OFFERED)

    @staticmethod
    def _remote(name: str) -> bool:
        try:
            prefix, _ = split_name(name)
        except ModelNotFound:
            return False
        return backends()[prefix].remote
