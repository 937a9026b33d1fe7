"""The OpenAI-compatible backend against a real llama_cpp.server on 127.0.0.1, and its failure modes."""

from __future__ import annotations

import socket
import threading
import time

import pytest

from interviewer.errors import ModelError, ModelNotFound
from interviewer.llm.openai_api import OpenAIModel

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def api(openai_server):
    return OpenAIModel("openai:smollm2", "smollm2", base_url=openai_server, timeout=60, max_retries=0)


def test_chat(api):
    assert api.chat([{"role": "user", "content": "Say hello."}], max_tokens=10).strip()
    assert api.model_id.startswith("openai:smollm2@127.0.0.1:")


def test_choose(api):
    probs = api.choose([{"role": "user", "content": "Is 2+2=4? Reply Yes or No."}], ["Yes", "No"])
    assert set(probs) == {"Yes", "No"} and abs(sum(probs.values()) - 1) < 1e-6


def test_choose_without_logprobs_falls_back_to_structured_output(openai_server):
    m = OpenAIModel("openai:smollm2", "smollm2", base_url=openai_server, timeout=60, max_retries=0)
    m._logprobs = False  # as after a server that gave none
    probs = m.choose([{"role": "user", "content": "Is 2+2=4? Reply Yes or No."}], ["Yes", "No"])
    assert sorted(probs.values()) == [0.0, 1.0] and set(probs) == {"Yes", "No"}


def test_server_down_is_a_clear_error():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    m = OpenAIModel("openai:x", "x", base_url=f"http://127.0.0.1:{port}/v1", timeout=5, max_retries=0)
    with pytest.raises(ModelError, match="cannot reach .* is the server running"):
        m.chat([{"role": "user", "content": "hi"}])


def test_unresponsive_server_times_out():
    """A server that accepts connections and never answers: the call ends at its timeout, not later."""
    srv = socket.socket()
    srv.bind(("127.0.0.1", 0))
    srv.listen()
    conns = []
    threading.Thread(target=lambda: conns.append(srv.accept()), daemon=True).start()
    m = OpenAIModel("openai:x", "x", base_url=f"http://127.0.0.1:{srv.getsockname()[1]}/v1", timeout=2,
                    max_retries=0)
    start = time.monotonic()
    with pytest.raises(ModelError, match="did not answer within 2s"):
        m.chat([{"role": "user", "content": "hi"}])
    assert time.monotonic() - start < 20
    srv.close()


def test_wrong_model_name(openai_server):
    m = OpenAIModel("openai:nope", "nope", base_url=openai_server, timeout=30, max_retries=0)
    try:
        m.chat([{"role": "user", "content": "hi"}], max_tokens=2)
    except ModelNotFound:
        pass  # servers that check the name say so clearly
    # llama_cpp.server serves its one model under any name, which is also acceptable.


def test_missing_key_for_hosted_api(monkeypatch):
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    with pytest.raises(ModelError, match="OPENAI_API_KEY"):
        OpenAIModel("openai:gpt-4o-mini", "gpt-4o-mini")
