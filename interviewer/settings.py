"""Typed settings. Every knob can be set by an INTERVIEWER_* environment variable or a CLI flag."""

from __future__ import annotations

import os
from functools import lru_cache
from typing import Annotated

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

DEFAULT_MODEL = "local:qwen2.5-coder-1.5b"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="INTERVIEWER_", extra="ignore")

    model: str = Field(DEFAULT_MODEL, description="Model name, e.g. local:qwen2.5-coder-1.5b or openai:gpt-4o-mini")
    base_url: str | None = Field(None, description="Base URL of an OpenAI-compatible server")
    review: bool = Field(True, description="Review each settled answer off the live path (the grade a candidate "
                         "keeps); off: the live grade is final")
    review_model: str | None = Field(None, description="Model of the review grade, e.g. a larger local GGUF or "
                                     "openai:<name> with --base-url; None: the grading model")
    api_key: SecretStr | None = Field(None, description="API key; falls back to OPENAI_API_KEY")
    n_ctx: int = Field(8192, ge=256, le=131_072,
                       description="Context tokens: the longest answer (20,000 characters) and a rubric fit")
    n_threads: int | None = Field(None, ge=1, le=1024)
    n_gpu_layers: int = Field(0, ge=-1, le=1000, description="-1 puts every layer on the GPU")
    request_timeout: float = Field(60.0, gt=0, le=3600, description="Seconds an API request may take")
    max_retries: int = Field(3, ge=0, le=100)
    max_answer_chars: int = Field(20_000, ge=100, le=1_000_000, description="Longest answer accepted, in characters")
    max_local_models: int = Field(2, ge=1, le=64,
                                  description="Local models one process loads at most (each takes ~1-2 GB)")
    keep_audio: bool = Field(False, description="Keep spoken answers' audio (WAV, 0600, in the user folder's "
                             "audio/) for the candidate's own replay; off: audio is transcribed and dropped. "
                             "Exports never include it")

    # What a UI/API server (`interviewer ui`) lets its clients choose besides its own model and endpoint.
    # Nothing by default; the terminal commands ignore both.
    allow_model_dirs: Annotated[list[str], NoDecode] = Field(
        default_factory=list, description="Folders whose GGUF files the UI's clients may load (os.pathsep-separated)")
    allow_endpoints: Annotated[list[str], NoDecode] = Field(
        default_factory=list, description="OpenAI-compatible base URLs the UI's clients may name (comma-separated)")

    uniform_errors: bool = Field(False, description="Every failure of an API model reads the same, with no status "
                                 "or server text (the UI server sets it for endpoints its clients name)")

    @field_validator("allow_model_dirs", mode="before")
    @classmethod
    def _split_dirs(cls, value: object) -> object:
        return [p for p in value.split(os.pathsep) if p.strip()] if isinstance(value, str) else value

    @field_validator("allow_endpoints", mode="before")
    @classmethod
    def _split_urls(cls, value: object) -> object:
        return [u for u in value.replace(",", " ").split()] if isinstance(value, str) else value

    def with_overrides(self, **overrides: object) -> "Settings":
        """These settings with some fields replaced (None values are ignored), validated like the originals
        (a key given as text becomes a SecretStr). Returns self when nothing changes."""
        given = {k: v for k, v in overrides.items() if v is not None}
        if not given:
            return self
        return type(self)(**{**self.model_dump(), **given})


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()
