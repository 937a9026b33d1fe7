"""Where the interviewer keeps its files: one user directory, overridable by INTERVIEWER_HOME."""

from __future__ import annotations

import os
from pathlib import Path

import click

from .errors import UserDirError

APP_NAME = "interviewer"


def folder(path: Path) -> Path:
    """`path`, created if missing; UserDirError (naming it) when it cannot be created or written."""
    try:
        path.mkdir(parents=True, exist_ok=True)
    except FileExistsError:
        reason = "it is a file, not a folder"
    except OSError as e:
        reason = e.strerror or str(e)
    else:
        if os.access(path, os.W_OK | os.X_OK):
            return path
        reason = "it is not writable"
    raise UserDirError(f"{path}: cannot keep the interviewer's files there ({reason}); "
                       "set INTERVIEWER_HOME to a folder you can write")


def user_dir() -> Path:
    """The user's data directory (database, model cache, imported banks). Created on first use."""
    env = os.environ.get("INTERVIEWER_HOME")
    return folder(Path(env).expanduser() if env else Path(click.get_app_dir(APP_NAME)))


def cache_dir() -> Path:
    return folder(user_dir() / "cache")


def models_dir() -> Path:
    return folder(user_dir() / "models")


def user_bank_dir() -> Path:
    """Where `interviewer bank import` writes a user's own questions by default."""
    return user_dir() / "bank"


def database_path() -> Path:
    return user_dir() / "interviewer.db"


def checkpoints_path() -> Path:
    return user_dir() / "checkpoints.db"
