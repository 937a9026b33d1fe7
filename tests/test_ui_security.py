"""What a client of `interviewer ui` may make the server do: only the models and endpoints its owner offers,
refused the same way whatever the reason (before any file is opened or connection made); exports readable by
the server's user only; no server secret in /config; failed logins limited.

The HTTP tests run a real `interviewer ui` subprocess on 127.0.0.1 (bench/ui_server.py's UIServer) and real
listeners on 127.0.0.1: a trap that counts the connections it gets, and a server that answers 404."""

from __future__ import annotations

import http.server
import json
import os
import socket
import stat
import threading
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest
from test_ui_api import need_small_model
from ui_server import PATIENCE, SMALL, UIServer, free_port

from interviewer.engine import InterviewConfig
from interviewer.errors import NotOffered
from interviewer.settings import Settings
from interviewer.ui.login_limit import FREE_FAILURES, GLOBAL_FAILURES, LoginLimit
from interviewer.ui.offer import NOT_OFFERED, Offer, canonical_url
from interviewer.ui.service import Service, Source

ANSWER = "Canary releases shift a small share of traffic first, watch the error rate and latency, then widen."


# -- real listeners ---------------------------------------------------------------------------------------
class Trap:
    """A TCP listener on 127.0.0.1 that counts the connections it accepts (and answers none)."""

    def __init__(self) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.port = self.sock.getsockname()[1]
        self.connections = 0
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            self.connections += 1
            conn.close()

    def close(self) -> None:
        self.sock.close()


class NotFound(http.server.BaseHTTPRequestHandler):
    """Answers every request with an OpenAI-style 404."""

    def do_POST(self):  # noqa: N802
        body = b'{"error": {"message": "internal service: no such route", "code": "not_found"}}'
        self.send_response(404)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_GET = do_POST  # noqa: N815

    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def listeners():
    trap = Trap()
    missing = http.server.ThreadingHTTPServer(("127.0.0.1", 0), NotFound)
    threading.Thread(target=missing.serve_forever, daemon=True).start()
    closed = free_port()  # nothing listens there
    yield {"trap": trap, "missing": f"http://127.0.0.1:{missing.server_port}/v1",
           "closed": f"http://127.0.0.1:{closed}/v1"}
    trap.close()
    missing.shutdown()


def small_gguf() -> Path:
    from interviewer.llm.catalog import CATALOG

    need_small_model()
    return CATALOG["smollm2-135m"].path()


def serve(tmp_path_factory, name: str, env: dict | None = None, secret: str | None = None) -> UIServer:
    need_small_model()
    home = tmp_path_factory.mktemp(name) / "home"
    home.mkdir()
    if secret:  # what an earlier version kept as the browser storage's key
        (home / "ui-secret").write_text(secret + "\n")
    return UIServer(home, env={"INTERVIEWER_MAX_RETRIES": "0", **(env or {})})


@pytest.fixture(scope="module")
def plain_server(tmp_path_factory):
    """The default: the owner allows no model folder and no endpoint."""
    server = serve(tmp_path_factory, "ui-plain", secret="OLD-BROWSER-SECRET-5b8e1f0c9a")
    yield server
    server.stop()


@pytest.fixture(scope="module")
def open_server(tmp_path_factory, listeners):
    """An owner who allows the tiny model's folder, a folder holding a link out of it, and three endpoints:
    one refusing connections, one answering 404, and `localhost` at the trap's port."""
    allowed = tmp_path_factory.mktemp("allowed-models")
    (allowed / "escape.gguf").symlink_to("/etc/passwd")
    dirs = os.pathsep.join([str(small_gguf().parent), str(allowed)])
    urls = ",".join([listeners["closed"], listeners["missing"], f"http://localhost:{listeners['trap'].port}/v1"])
    server = serve(tmp_path_factory, "ui-open", {"INTERVIEWER_ALLOW_MODEL_DIRS": dirs,
                                                  "INTERVIEWER_ALLOW_ENDPOINTS": urls})
    server.allowed = allowed
    yield server
    server.stop()


def client_of(server):
    from gradio_client import Client

    return Client(server.url, verbose=False)


def refusal(client, **kwargs) -> str:
    """The message /start fails with."""
    from gradio_client.exceptions import AppError

    with pytest.raises(AppError) as e:
        client.predict(categories=["MLOps"], questions=1, max_followups=0, api_name="/start", **kwargs)
    return str(e.value)


def config_of(server) -> dict:
    with urllib.request.urlopen(server.url + "config", timeout=PATIENCE) as r:
        return json.loads(r.read())


def radio_choices(config: dict, label: str) -> list[str]:
    for c in config["components"]:
        if c.get("props", {}).get("label") == label:
            return [choice[0] if isinstance(choice, list) else choice for choice in c["props"]["choices"]]
    raise AssertionError(f"no component labelled {label!r}")


# -- model files ---------------------------------------------------------------------------------------------
@pytest.mark.slow
def test_server_files_are_refused_by_default_and_the_refusal_tells_nothing(plain_server):
    """No client-chosen file loads by default; an existing file, a real model file, an unreadable one and a
    missing one are refused with one and the same message."""
    client = client_of(plain_server)
    paths = [str(small_gguf()), "/etc/passwd", "/etc/shadow", "/no/such/dir/model.gguf",
             str(plain_server.home / "interviewer.db"), "../../../etc/passwd"]
    messages = {refusal(client, model=f"local:{p}") for p in paths}
    assert messages == {NOT_OFFERED}
    assert client.predict(categories=["MLOps"], questions=1, max_followups=0, model="local:smollm2-135m",
                          api_name="/start")["model"] == SMALL, "packaged models stay offered"
    assert radio_choices(config_of(plain_server), "Grading model") == [Source.PACKAGED.value]


@pytest.mark.slow
def test_files_in_an_allowed_folder_load_and_links_out_of_it_do_not(open_server):
    client = client_of(open_server)
    gguf = small_gguf()
    started = client.predict(categories=["MLOps"], questions=1, max_followups=0, model=f"local:{gguf}",
                             api_name="/start")
    assert started["model"] == f"local:{os.path.realpath(gguf)}"
    escape = open_server.allowed / "escape.gguf"
    assert refusal(client, model=f"local:{escape}") == NOT_OFFERED
    assert refusal(client, model=f"local:{open_server.allowed}/../../etc/passwd") == NOT_OFFERED
    assert Source.GGUF.value in radio_choices(config_of(open_server), "Grading model")


# -- endpoints -------------------------------------------------------------------------------------------------
@pytest.mark.slow
def test_endpoints_not_allowed_are_refused_before_any_connection(plain_server, open_server, listeners):
    """Endpoints off the list (however the host is spelled) are refused without connecting: the trap, which
    listens where they point, is never reached, and every refusal reads the same."""
    trap = listeners["trap"]
    port = trap.port
    spellings = [f"http://127.0.0.1:{port}/v1", f"http://0x7f.0.0.1:{port}/v1", f"http://2130706433:{port}/v1",
                 f"http://[::ffff:127.0.0.1]:{port}/v1", f"http://localhost.:{port}/v1",
                 f"http://x@localhost:{port}/v1", f"http://localhost:{port}/v1/../admin",
                 f"http://localhost:{port}/v10", f"http://localhost:{port}/v1?x=1", f"ftp://localhost:{port}/v1",
                 f"http://localhost:{port}/%76%31"]
    for server, urls in ((plain_server, [*spellings, f"http://localhost:{port}/v1"]), (open_server, spellings)):
        client = client_of(server)
        messages = {refusal(client, model="openai:m", base_url=url, api_key="client-key-7f3a") for url in urls}
        assert messages == {NOT_OFFERED}
    # A session at an allowed endpoint cannot be pointed elsewhere later either.
    client = client_of(open_server)
    started = client.predict(categories=["MLOps"], questions=1, max_followups=0, model="openai:m",
                             base_url=listeners["missing"], api_name="/start")
    from gradio_client.exceptions import AppError

    with pytest.raises(AppError, match="does not offer"):
        client.predict(started["session_id"], started["token"], ANSWER, spellings[0], "", api_name="/answer")
    assert trap.connections == 0


@pytest.mark.slow
def test_an_allowed_endpoint_grades(tmp_path_factory, openai_server):
    server = serve(tmp_path_factory, "ui-endpoint", {"INTERVIEWER_ALLOW_ENDPOINTS": openai_server})
    try:
        client = client_of(server)
        started = client.predict(categories=["MLOps"], questions=1, max_followups=0, model="openai:smollm2",
                                 base_url=openai_server + "/", api_name="/start")
        replied = client.predict(started["session_id"], started["token"], ANSWER, openai_server, "",
                                 api_name="/answer")
    finally:
        server.stop()
    assert replied["grade"] is not None and replied["done"]


@pytest.mark.slow
def test_failures_of_an_allowed_endpoint_all_read_the_same(open_server, listeners):
    """A refused port and an HTTP 404 (with its server's text) leave the same words in the reply and the
    session: no exception names, no status, no text from the endpoint."""
    client = client_of(open_server)
    seen = []
    for url in (listeners["closed"], listeners["missing"]):
        started = client.predict(categories=["MLOps"], questions=1, max_followups=0, model="openai:m",
                                 base_url=url, api_name="/start")
        replied = client.predict(started["session_id"], started["token"], ANSWER, url, "", api_name="/answer")
        assert replied["grade"] is None, "the endpoint cannot grade"
        state = client.predict(started["session_id"], started["token"], api_name="/state")
        text = json.dumps([replied, state])
        for leak in ("NotFound", "APIConnection", "ConnectError", "Errno", "HTTP 404", "no such route", "not_found",
                     "status code", "Timeout"):
            assert leak not in text, leak
        seen.append([m["text"] for m in replied["reply"] if m["kind"] == "notice"])
    assert seen[0] == seen[1] and seen[0]


# -- the offer, without a server ------------------------------------------------------------------------------
def test_urls_are_compared_in_one_canonical_form():
    assert str(canonical_url("HTTP://LocalHost:80/v1/")) == "http://localhost/v1"
    assert str(canonical_url("https://[::1]:8443/v1")) == "https://[::1]:8443/v1"
    for bad in ("http://u:p@host/v1", "http://host/v1?q", "http://host/v1#f", "http://host/a/../b", "http://host/%2e",
                "file:///etc/passwd", "http://host:99999/v1", "http:///v1", "http://ho st/v1", "http://høst/v1",
                "http://host\\@evil/v1", "http://host//v1"):
        assert canonical_url(bad) is None, bad
    offer = Offer(Settings(model="local:smollm2-135m", allow_endpoints=["http://Host:8000/v1"]))
    assert offer.choose("openai:m", "http://host:8000/v1/chat") == ("openai:m", "http://host:8000/v1/chat")
    for bad in ("http://host:8000/v2", "http://host:8000/v10", "https://host:8000/v1", "http://host/v1",
                "http://host.:8000/v1", ""):
        with pytest.raises(NotOffered):
            offer.choose("openai:m", bad)


def test_the_servers_own_model_and_endpoint_are_always_offered():
    own = Offer(Settings(model="openai:gpt-x", base_url="http://own:1234/v1"))
    assert own.choose("openai:gpt-x", None) == ("openai:gpt-x", None)
    assert own.choose("openai:other", "http://OWN:1234/v1/") == ("openai:other", None)
    assert own.choose(None, "http://anything/v1") == (None, None), "model-free grading calls no endpoint"
    gguf = Offer(Settings(model="local:/srv/models/m.gguf"))
    assert gguf.choose("local:/srv/models/m.gguf", None) == ("local:/srv/models/m.gguf", None)
    with pytest.raises(NotOffered):
        gguf.choose("local:/srv/models/other.gguf", None)
    with pytest.raises(NotOffered):  # a local server has no endpoint of its own to offer
        Offer(Settings(model="local:smollm2-135m")).choose("openai:gpt-4o", None)


def test_a_bad_allow_list_entry_stops_the_server():
    from interviewer.errors import InterviewerError

    with pytest.raises(InterviewerError, match="allowed endpoint"):
        Offer(Settings(allow_endpoints=["http://user@host/v1"]))


def test_the_setup_panel_offers_only_what_the_owner_allows(tmp_path):
    assert Service(Settings(model="local:smollm2-135m")).sources() == [Source.PACKAGED]
    assert Service(Settings(model="local:smollm2-135m", allow_model_dirs=[str(tmp_path)],
                            allow_endpoints=["http://h/v1"])).sources() == list(Source)
    assert Source.ENDPOINT in Service(Settings(model="openai:m")).sources()


# -- exports ------------------------------------------------------------------------------------------------------
def test_exports_are_readable_by_the_server_user_only(interviewer_home):
    service = Service(Settings(model="local:smollm2-135m"))
    view, _ = service.start(InterviewConfig(categories=["MLOps"], questions=1, lexical=True))
    files = service.export(view)
    assert stat.S_IMODE(service.downloads.stat().st_mode) == 0o700
    assert stat.S_IMODE(files[0].parent.stat().st_mode) == 0o700
    assert [stat.S_IMODE(f.stat().st_mode) for f in files] == [0o600, 0o600]
    assert view.session_id in files[0].read_text()


# -- the browser's storage ---------------------------------------------------------------------------------------
@pytest.mark.slow
def test_config_carries_no_server_secret(plain_server):
    """BrowserState's key is in /config for every client to read: it is not a secret of the server's (not
    the browser-storage key an earlier version kept in the user directory and sent there)."""
    with urllib.request.urlopen(plain_server.url + "config", timeout=PATIENCE) as r:
        text = r.read().decode()
    assert "OLD-BROWSER-SECRET-5b8e1f0c9a" not in text
    assert '"secret"' in text, "the BrowserState component is in /config (else this test checks nothing)"


# -- logins ------------------------------------------------------------------------------------------------------
def login(url: str, user: str, password: str) -> tuple[int, bytes]:
    data = urllib.parse.urlencode({"username": user, "password": password}).encode()
    try:
        with urllib.request.urlopen(urllib.request.Request(url + "login", data=data), timeout=PATIENCE) as r:
            return r.status, b""
    except urllib.error.HTTPError as e:
        return e.code, e.read()


@pytest.mark.slow
def test_failed_logins_are_limited_and_the_limit_reads_like_a_wrong_password(tmp_path_factory):
    auth = tmp_path_factory.mktemp("auth") / "logins"
    auth.write_text("alice:correct-horse-battery\n")
    server = serve(tmp_path_factory, "ui-login", {"INTERVIEWER_UI_AUTH_FILE": str(auth)})
    try:
        assert login(server.url, "alice", "correct-horse-battery")[0] == 200
        wrong = [login(server.url, "alice", f"guess-{i}") for i in range(FREE_FAILURES + 1)]
        limited = login(server.url, "alice", "correct-horse-battery")
    finally:
        server.stop()
    assert wrong[0][0] == 400 and len(set(wrong)) == 1
    assert limited == wrong[0], "while limited, even the right password gets a wrong password's answer"


def test_login_limits_per_client_double_and_expire():
    now = [0.0]
    limit = LoginLimit(clock=lambda: now[0])
    for _ in range(FREE_FAILURES):
        assert not limit.blocked("a")
        limit.failed("a")
    assert not limit.blocked("a"), "the first few failures cost nothing"
    limit.failed("a")
    assert limit.blocked("a") and not limit.blocked("b"), "one client's failures do not lock out another"
    now[0] += 2.1
    assert not limit.blocked("a")
    limit.failed("a")
    now[0] += 2.1
    assert limit.blocked("a"), "each further failure waits twice as long"
    now[0] += 2.0
    assert not limit.blocked("a")
    limit.succeeded("a")
    limit.failed("a")
    assert not limit.blocked("a"), "a success clears the count"


def test_login_limit_holds_for_all_clients_together():
    now = [0.0]
    limit = LoginLimit(clock=lambda: now[0])
    for i in range(GLOBAL_FAILURES):
        limit.failed(f"10.0.{i // 250}.{i % 250}")
    assert limit.blocked("192.0.2.1"), "many addresses do not buy more guesses"
    now[0] += 61
    assert not limit.blocked("192.0.2.1")
