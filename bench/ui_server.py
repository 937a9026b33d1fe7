"""`interviewer ui` in a subprocess with its own user directory, on a random free port of 127.0.0.1.

Shared by the benchmarks (reliability.py) and the UI tests (tests/test_ui_api.py and the tests that use it),
which find it through pytest's `pythonpath`."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

EXE = str(Path(sys.executable).parent / "interviewer")
SMALL = "local:smollm2-135m"
#: Only a safety net so a broken run cannot hang; nothing asserts on time.
PATIENCE = 600


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class UIServer:
    """`interviewer ui` in a subprocess with its own user directory, on a random free port."""

    def __init__(self, home: Path, model: str = SMALL, env: dict | None = None) -> None:
        self.home = home
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}/"
        self.log_path = home.parent / f"ui-server-{self.port}.log"
        extra = env
        env = {**os.environ, "INTERVIEWER_HOME": str(home), "INTERVIEWER_MODEL": model, "PYTHONUNBUFFERED": "1",
               "INTERVIEWER_N_THREADS": os.environ.get("INTERVIEWER_N_THREADS", "1"),
               "GRADIO_ANALYTICS_ENABLED": "False"}
        env.pop("INTERVIEWER_API_KEY", None)
        env.pop("OPENAI_API_KEY", None)
        env.update(extra or {})
        self.log = open(self.log_path, "w")
        self.proc = subprocess.Popen([EXE, "ui", "--port", str(self.port)], stdout=self.log,
                                     stderr=subprocess.STDOUT, env=env)
        self._wait()

    def _wait(self) -> None:
        deadline = time.monotonic() + PATIENCE
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise AssertionError(f"`interviewer ui` exited with {self.proc.returncode}:\n{self.output()}")
            try:
                with urllib.request.urlopen(self.url, timeout=5) as r:
                    if r.status == 200:
                        return
            except OSError:
                time.sleep(0.5)
        self.stop()
        raise AssertionError(f"`interviewer ui` did not answer on {self.url}:\n{self.output()}")

    def output(self) -> str:
        if not self.log.closed:
            self.log.flush()
        return self.log_path.read_text(errors="replace")

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.log.close()
