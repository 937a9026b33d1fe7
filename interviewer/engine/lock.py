"""One writer per interview session, across threads and processes.

A session's graph state and transcript must change one answer at a time: two terminals resuming the same
session, or two browser tabs sending at once, would otherwise grade two answers against one question or
record an answer under the wrong one. The lock is an OS file lock (flock through `filelock`) on a file per
session in the user directory: the kernel releases it when a process dies, so a crash never leaves a
session locked.
"""

from __future__ import annotations

import hashlib

from filelock import FileLock, Timeout

from ..errors import SessionBusy
from ..paths import user_dir


class SessionLock:
    """Held while an `Interview` may change its session; `acquire(timeout)` waits up to `timeout` seconds."""

    def __init__(self, session_id: str) -> None:
        folder = user_dir() / "locks"
        folder.mkdir(exist_ok=True)
        # The file name is a digest: a session id never becomes a path.
        name = hashlib.sha256(session_id.encode()).hexdigest()[:32]
        self.session_id = session_id
        self._lock = FileLock(str(folder / f"{name}.lock"), thread_local=False, is_singleton=False)

    def acquire(self, timeout: float) -> "SessionLock":
        try:
            self._lock.acquire(timeout=timeout)
        except Timeout:
            raise SessionBusy(
                f"interview {self.session_id} is in use by another window or process; "
                + ("finish or close it there first" if timeout <= 0 else f"it stayed busy for {timeout:.0f} s")
            ) from None
        return self

    def release(self) -> None:
        if self._lock.is_locked:
            self._lock.release(force=True)

    @property
    def held(self) -> bool:
        return self._lock.is_locked
