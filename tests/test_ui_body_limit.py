"""The web server refuses an oversized request body (413, a one-line JSON error) before anything reads it, whether
its Content-Length says so or it comes in chunks; requests of normal size, and the longest answer however it is
escaped, go through; and an answer built to make a backtracking regex stall is graded like any other. Against a
real `launch()` on 127.0.0.1 (model-free grading: no model is loaded)."""

from __future__ import annotations

import http.client
import json

import pytest
from ui_server import free_port

from interviewer.settings import Settings
from interviewer.ui.api import BYTES_PER_CHAR, body_limit
from interviewer.ui.app import launch

MAX_CHARS = 20_000
LIMIT = body_limit(MAX_CHARS)


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    mp = pytest.MonkeyPatch()
    home = tmp_path_factory.mktemp("body-limit-home")
    mp.setenv("INTERVIEWER_HOME", str(home))
    mp.setenv("GRADIO_TEMP_DIR", str(home / "gradio"))
    mp.setenv("GRADIO_ANALYTICS_ENABLED", "False")
    port = free_port()
    app = launch(port=port, settings=Settings(max_answer_chars=MAX_CHARS), quiet=True, prevent_thread_lock=True)
    try:
        yield port
    finally:
        app.close()
        mp.undo()


def post(port: int, path: str, body: bytes) -> tuple[int, bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    try:
        conn.request("POST", path, body=body, headers={"Content-Type": "application/json"})
        resp = conn.getresponse()
        return resp.status, resp.read()
    finally:
        conn.close()


def refused(conn: http.client.HTTPConnection) -> str:
    resp = conn.getresponse()
    assert resp.status == 413
    return json.loads(resp.read())["detail"]


def test_a_body_declared_too_large_is_refused_unread(server):
    """Only the headers are sent: the answer comes without a byte of the body."""
    conn = http.client.HTTPConnection("127.0.0.1", server, timeout=120)
    try:
        conn.putrequest("POST", "/gradio_api/call/answer")
        conn.putheader("Content-Type", "application/json")
        conn.putheader("Content-Length", str(LIMIT + 1))
        conn.endheaders()
        assert "too large" in refused(conn)
    finally:
        conn.close()


def test_a_chunked_body_is_cut_off_at_the_limit(server):
    """A body without a length, sent in chunks: refused once one byte more than the limit has arrived (the
    rest of it is never sent)."""
    conn = http.client.HTTPConnection("127.0.0.1", server, timeout=120)
    try:
        conn.putrequest("POST", "/gradio_api/call/answer")
        conn.putheader("Content-Type", "application/json")
        conn.putheader("Transfer-Encoding", "chunked")
        conn.endheaders()
        left = LIMIT + 1
        while left:
            chunk = b"x" * min(left, 65536)
            conn.send(b"%x\r\n%s\r\n" % (len(chunk), chunk))
            left -= len(chunk)
        assert "too large" in refused(conn)
    finally:
        conn.close()


def test_a_normal_request_goes_through(server):
    status, body = post(server, "/gradio_api/call/sessions", json.dumps({"data": [{}, 5]}).encode())
    assert status == 200 and "event_id" in json.loads(body)


def test_the_longest_answer_escaped_at_its_widest_fits(server):
    """An answer at the limit, every character a JSON-escaped surrogate pair, is under the limit; the request
    is read (and fails only for its made-up session)."""
    text = "\U0001F600" * MAX_CHARS
    body = json.dumps({"data": ["no-such-session", "t", text]}).encode()  # ensure_ascii: 12 bytes a character
    assert len(body) >= BYTES_PER_CHAR * MAX_CHARS
    status, _ = post(server, "/gradio_api/call/answer", body)
    assert status == 200, "a queued call answers with its event id; the error comes with the result"


def test_an_answer_built_to_stall_a_regex_is_graded(server):
    from gradio_client import Client

    client = Client(f"http://127.0.0.1:{server}/", verbose=False)
    started = client.predict(categories=["ML Fundamentals"], questions=1, lexical=True, api_name="/start")
    answer = ("Bias is the error that comes from wrong assumptions in the model, so a model that is too simple "
              "misses real structure in the data, while variance is the error that comes from sensitivity to the "
              "particular training sample, so a model that is too flexible fits noise. Fitting costs o("
              + " " * (MAX_CHARS - 1000) + "n) per pass because every sample is visited once.")
    reply = client.predict(session_id=started["session_id"], token=started["token"], text=answer,
                           api_name="/answer")
    assert reply["refused"] is False and reply["grade"] is not None, reply["reply"]
    refused = client.predict(session_id=started["session_id"], token=started["token"],
                             text="o(" + " " * (4 * MAX_CHARS), api_name="/answer")
    assert refused["refused"] is True, "over four times the limit: too long before any cleaning"
