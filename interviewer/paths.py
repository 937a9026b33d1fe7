"""Where the interviewer keeps its files: one user directory, overridable by INTERVIEWER_HOME."""

from __future__ import annotations

import os
from pathlib import Path

import click

APP_NAME = "interviewer"


def user_dir() -> Path:
    """The user's data directory (database, model cache, imported banks). Created on first use."""
    env = os.environ.get("INTERVIEWER_HOME")
    path = Path(env).expanduser() if env else Path(click.get_app_dir(APP_NAME))
    path.mkdir(parents=True, exist_ok=True)
    return path


def cache_dir() -> Path:
    path = user_dir() / "cache"
    path.mkdir(parents=True, exist_ok=True)
    return path


def models_dir() -> Path:
    path = user_dir() / "models"
    path.mkdir(parents=True, exist_ok=True)
    return path


def user_bank_dir() -> Path:
    """Where `interviewer bank import` writes a user's own questions by default."""
    return user_dir() / "bank"


def database_path() -> Path:
    return user_dir() / "interviewer.db"


def checkpoints_path() -> Path:
    return user_dir() / "checkpoints.db"
