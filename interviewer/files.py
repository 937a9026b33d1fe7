"""Atomic file writes: a reader (or a crash) sees the old file or the new one, never a part of either.

Each write goes to a temp file of its own beside the target (a unique name from `tempfile.mkstemp`, so two
writers of the same file never share one), is flushed to disk, given its mode, and renamed over the target
(`os.replace`, atomic on POSIX within a folder). On any error the temp file is removed and the target is left
as it was. The folder must exist: these functions create none."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO

#: The mode of a written file unless the caller needs another (0o600: this user only).
MODE = 0o644


def atomic_write(path: Path | str, data: str | bytes, mode: int = MODE) -> Path:
    """Replace `path` with `data` (a str is written as UTF-8) in one step; returns the path."""
    path = Path(path)
    with atomic_file(path, mode) as f:
        f.write(_bytes(data))
    return path


def atomic_write_all(files: Iterable[tuple[Path, str | bytes]], mode: int = MODE) -> list[Path]:
    """Write several files: every one is staged first, then each is renamed into place, so an error while
    preparing them (in `files` itself, or writing any) changes none of them. Returns the paths written."""
    staged: list[tuple[Path, Path]] = []
    try:
        for path, data in files:
            path = Path(path)
            f, tmp = _temp_beside(path)
            staged.append((tmp, path))
            with f:
                f.write(_bytes(data))
                _sync(f)
            os.chmod(tmp, mode)
    except BaseException:
        for tmp, _ in staged:
            tmp.unlink(missing_ok=True)
        raise
    for tmp, path in staged:
        os.replace(tmp, path)
    for folder in {path.parent for _, path in staged}:
        _sync_folder(folder)
    return [path for _, path in staged]


@contextmanager
def atomic_file(path: Path | str, mode: int = MODE) -> Iterator[BinaryIO]:
    """A binary file to write `path`'s new content into, for content too large to hold in memory. It replaces
    `path` when the block ends; an exception in the block leaves `path` as it was."""
    path = Path(path)
    f, tmp = _temp_beside(path)
    try:
        with f:
            yield f
            _sync(f)
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    _sync_folder(path.parent)


def _temp_beside(path: Path) -> tuple[BinaryIO, Path]:
    """A new, empty temp file in `path`'s folder (mode 0o600 until it is done), opened for writing."""
    fd, name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    return os.fdopen(fd, "wb"), Path(name)


def _bytes(data: str | bytes) -> bytes:
    return data.encode("utf-8") if isinstance(data, str) else data


def _sync(f: BinaryIO) -> None:
    f.flush()
    os.fsync(f.fileno())


def _sync_folder(folder: Path) -> None:
    """Make the rename itself durable; a file system that cannot sync a folder keeps the rename anyway."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
