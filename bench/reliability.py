"""Reliability under load, kills and bad input. Prints a table; asserts nothing.

    python bench/reliability.py [--clients 20] [--answers 3] [--kills 5]

1. Concurrent UI clients: a real `interviewer ui` on 127.0.0.1 (model-free grading), N gradio_client
   clients each starting an interview and sending K answers at once. Counted: errors, and answers lost
   (sent and acknowledged, but not in the session's stored transcript).
2. SIGKILL during an interview: a terminal interview in a subprocess is killed at random moments while
   answers stream in, then resumed until done. Counted: answers acknowledged before the kill and missing after.
3. SIGKILL during batch grading: `interviewer grade` killed mid-run, then re-run. Counted: rows lost or
   graded twice.
4. A fuzz corpus of bad batch inputs: each must end in a clear error or a per-row report, never a traceback.
5. The security probe's findings (issue 19), re-run against a real `interviewer ui`: an answer built to make
   a backtracking regex quadratic (timed, with the wait of a concurrent GET /config), a 5 MB request body,
   server files and unknown paths as models, a client-chosen endpoint (a socket trap counts connections), and
   poison rows in a batch. Each row says what was refused or how long it took.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import random
import signal
import subprocess
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from ui_server import EXE, UIServer

ANSWER = ("Bias is error from wrong assumptions, variance is sensitivity to the particular training sample; "
          "regularization trades a little bias for less variance, and cross-validation picks the balance.")


def env_for(home: Path) -> dict:
    env = {**os.environ, "INTERVIEWER_HOME": str(home), "PYTHONUNBUFFERED": "1", "GRADIO_ANALYTICS_ENABLED": "False"}
    env.pop("INTERVIEWER_API_KEY", None)
    return env


# -- 1. concurrent clients ------------------------------------------------------------------------------
def concurrent_clients(n: int, k: int) -> dict:
    from gradio_client import Client

    home = Path(tempfile.mkdtemp(prefix="rel-ui-")) / "home"
    home.mkdir()
    server = UIServer(home)
    errors, lost, sent = [], 0, 0

    def one(i: int) -> tuple[int, int, list[str]]:
        errs, acked = [], []
        try:
            client = Client(server.url, verbose=False)
            s = client.predict(categories=[], questions=k, max_followups=0, lexical=True, api_name="/start")
            for j in range(k):
                text = f"client {i} answer {j}: {ANSWER}"
                r = client.predict(s["session_id"], s["token"], text, api_name="/answer")
                if not r["refused"]:
                    acked.append(text)
            state = client.predict(s["session_id"], s["token"], api_name="/state")
            stored = [m["text"] for m in state["messages"] if m["role"] == "candidate"]
            return len(acked), sum(1 for t in acked if t not in stored), errs
        except Exception as e:  # noqa: BLE001 - counted
            errs.append(f"{type(e).__name__}: {str(e)[:120]}")
            return len(acked), 0, errs

    start = time.perf_counter()
    try:
        with ThreadPoolExecutor(max_workers=n) as pool:
            for acked, missing, errs in pool.map(one, range(n)):
                sent += acked
                lost += missing
                errors += errs
    finally:
        server.stop()
    tracebacks = server.output().count("Traceback")
    return {"check": f"{n} UI clients x {k} answers at once", "runs": n, "errors": len(errors), "lost": lost,
            "tracebacks": tracebacks, "seconds": round(time.perf_counter() - start, 1),
            "detail": f"{sent} answers acknowledged" + (f"; first error: {errors[0]}" if errors else "")}


# -- 2. kills during an interview ------------------------------------------------------------------------
def interview_kills(kills: int, rng: random.Random) -> dict:
    from interviewer.engine import Interview

    home = Path(tempfile.mkdtemp(prefix="rel-kill-")) / "home"
    home.mkdir()
    env = env_for(home)
    os.environ["INTERVIEWER_HOME"] = str(home)
    acked: list[str] = []
    errors, tracebacks, sid = [], 0, None
    for round_ in range(kills + 1):
        args = [EXE, "interview", "--lexical", "-n", "12", "--seed", "7", "--max-followups", "1"]
        args += ["--resume", sid] if sid else []
        proc = subprocess.Popen(args, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                env=env, text=True)
        out = ""
        # Wait until the interview is up (its first line names the session), so each kill hits a running one.
        first = proc.stdout.readline()
        if first.startswith("Session id: ") and sid is None:
            sid = first.split()[2]
        out = first
        try:
            for j in range(rng.randint(1, 4) if round_ < kills else 40):
                text = f"round {round_} answer {j}: {ANSWER}"
                proc.stdin.write(text + "\n")
                proc.stdin.flush()
                time.sleep(rng.uniform(0.05, 0.6))
                acked.append(text)
            if round_ < kills:
                proc.send_signal(signal.SIGKILL)
                out += proc.communicate(timeout=30)[0]
            else:
                out += proc.communicate(timeout=120)[0]
        except (BrokenPipeError, subprocess.TimeoutExpired) as e:
            errors.append(type(e).__name__)
            proc.kill()
            out += proc.communicate()[0]
        tracebacks += out.count("Traceback")
        if sid is None:
            for line in out.splitlines():
                if line.startswith("Session id: "):
                    sid = line.split()[2]
            if sid is None:
                errors.append("no session id printed before the kill")
                acked.clear()
    lost = 0
    if sid:
        with Interview.open(sid) as it:
            stored = [m["text"] for m in it.messages() if m["role"] == "candidate"]
        # An answer written to a killed process's pipe may not have been read yet: only what the
        # interview printed a reply to counts as acknowledged; check the transcript is a prefix-consistent
        # subset of what was sent, in order, with nothing duplicated.
        lost = len(stored) - len(set(stored))
        order = [acked.index(t) for t in stored if t in acked]
        lost += sum(1 for a, b in zip(order, order[1:]) if b < a)
    return {"check": f"SIGKILL x{kills} during a terminal interview, then resume", "runs": kills + 1,
            "errors": len(errors), "lost": lost, "tracebacks": tracebacks, "seconds": "",
            "detail": "duplicated or reordered answers counted as lost"}


# -- 3. kills during batch grading -------------------------------------------------------------------------
def batch_kills(kills: int, rng: random.Random) -> dict:
    work = Path(tempfile.mkdtemp(prefix="rel-batch-"))
    env = env_for(work / "home")
    src = work / "in.jsonl"
    ids = [f"r{i}" for i in range(400)]
    src.write_text("".join(json.dumps({"id": i, "question_id": "ml-fundamentals-01", "answer": ANSWER}) + "\n"
                           for i in ids), encoding="utf-8")
    tracebacks, errors = 0, 0
    for fmt in ("jsonl", "csv"):
        out = work / f"out.{fmt}"
        for _ in range(kills):
            proc = subprocess.Popen([EXE, "grade", str(src), "-o", str(out), "--lexical"], env=env,
                                    stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
            time.sleep(rng.uniform(1.5, 4.0))
            proc.send_signal(signal.SIGKILL)
            tracebacks += proc.communicate()[0].decode(errors="replace").count("Traceback")
        done = subprocess.run([EXE, "grade", str(src), "-o", str(out), "--lexical"], env=env, capture_output=True,
                              text=True)
        tracebacks += (done.stdout + done.stderr).count("Traceback")
        errors += done.returncode != 0
    from interviewer.grader.batch import done_ids

    lost = dup = 0
    for fmt in ("jsonl", "csv"):
        out = work / f"out.{fmt}"
        got = done_ids(out)
        lost += len(set(ids) - got)
        if fmt == "jsonl":
            rows = [json.loads(x)["id"] for x in out.read_text().split("\n") if x]
        else:
            import csv
            import io

            rows = [r["id"] for r in csv.DictReader(io.StringIO(out.read_text(), newline=""))]
        dup += len(rows) - len(set(rows))
    return {"check": f"SIGKILL x{kills} during batch grading (JSONL and CSV), then re-run", "runs": 2 * (kills + 1),
            "errors": errors, "lost": lost + dup, "tracebacks": tracebacks, "seconds": "",
            "detail": f"400 rows each; {dup} graded twice"}


# -- 4. fuzz corpus ------------------------------------------------------------------------------------------
FUZZ = {
    "empty.csv": b"",
    "empty.jsonl": b"",
    "binary.csv": bytes(range(256)) * 4,
    "invalid-utf8.jsonl": b'{"id": "a", "answer": "\xff\xfe"}\n',
    "bom-and-crlf.csv": "\ufeffid,question_id,answer\r\na,ml-fundamentals-01,ok answer\r\n".encode(),
    "huge-field.csv": b"id,question_id,answer\na,ml-fundamentals-01," + b"x" * 300_000 + b"\n",
    "unclosed-quote.csv": b'id,question_id,answer\na,ml-fundamentals-01,"never closed\n',
    "extra-fields.csv": b"id,question_id,answer\na,ml-fundamentals-01,ok,extra,more\n",
    "no-header.csv": b"\n\n\n",
    "line-separators.jsonl": json.dumps({"id": "a\u2028b\x85c", "question_id": "ml-fundamentals-01",
                                         "answer": "one\u2028two"}).encode() + b"\n",
    "markup.jsonl": json.dumps({"id": "[/][bold]x[/bold]", "question_id": "[red]", "answer": "[/]"}).encode() + b"\n",
    "formula.csv": b"id,question_id,answer\n=cmd|' /C calc'!A0,ml-fundamentals-01,+1+1\n",
    "wrong-types.jsonl": b'{"id": 5, "question_id": 7, "answer": 42}\n[1,2]\n"text"\nnull\n{"id": {"a": 1}, "answer": []}\n',
    "not-json.jsonl": b"{this is not json\n",
    "deep-json.jsonl": b"[" * 100_000 + b"\n",
    "nul-bytes.csv": b"id,question_id,answer\na,ml-fundamentals-01,x\x00y\n",
    "unknown.txt": b"id,answer\n",
    "torn-tail.jsonl": b'{"id": "a", "question_id": "ml-fundamentals-01", "answer": "fine"}\n{"id": "b", "ans',
}


def fuzz() -> dict:
    work = Path(tempfile.mkdtemp(prefix="rel-fuzz-"))
    env = env_for(work / "home")
    tracebacks, bad = 0, []
    for name, data in FUZZ.items():
        src = work / name
        src.write_bytes(data)
        r = subprocess.run([EXE, "grade", str(src), "-o", str(work / f"{name}.out.jsonl"), "--lexical"], env=env,
                           capture_output=True, text=True, timeout=120)
        text = r.stdout + r.stderr
        if "Traceback" in text:
            tracebacks += 1
            bad.append(name)
        elif r.returncode != 0 and "Error:" not in text:
            bad.append(name)
    return {"check": f"{len(FUZZ)} malformed batch inputs", "runs": len(FUZZ), "errors": len(bad), "lost": 0,
            "tracebacks": tracebacks, "seconds": "", "detail": ", ".join(bad) or "each a clear error or per-row report"}


# -- 5. the security probe -------------------------------------------------------------------------------------
def probe() -> list[dict]:
    import http.client
    import socket
    import threading
    import urllib.request

    from gradio_client import Client

    home = Path(tempfile.mkdtemp(prefix="rel-probe-")) / "home"
    home.mkdir()
    server = UIServer(home)
    rows = []
    try:
        client = Client(server.url, verbose=False)
        s = client.predict(categories=[], questions=2, max_followups=0, lexical=True, api_name="/start")
        # D1: "o(" and 10,000 spaces took 23.8 s in /answer and stalled every other request.
        waits: list[float] = []
        done = threading.Event()

        def poll_config() -> None:
            while not done.is_set():
                t = time.perf_counter()
                with urllib.request.urlopen(server.url + "config", timeout=120) as r:
                    r.read()
                waits.append(time.perf_counter() - t)

        poller = threading.Thread(target=poll_config, daemon=True)
        poller.start()
        t = time.perf_counter()
        client.predict(s["session_id"], s["token"], "the cost is o(" + " " * 10_000, api_name="/answer")
        answer_s = time.perf_counter() - t
        done.set()
        poller.join(120)
        rows.append({"check": "D1: an answer ending in 'o(' + 10,000 spaces", "runs": 1, "errors": 0, "lost": 0,
                     "tracebacks": 0, "seconds": round(answer_s, 2),
                     "detail": f"GET /config meanwhile: {len(waits)} calls, slowest {max(waits, default=0):.2f} s "
                               "(was 23.8 s and 20.6 s)"})
        # D1: no size cap before processing (5 MB was accepted).
        # The headers only: the server must answer from Content-Length alone, before reading any of the body.
        conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=60)
        conn.putrequest("POST", "/gradio_api/call/answer")
        conn.putheader("Content-Type", "application/json")
        conn.putheader("Content-Length", str(5_000_000))
        conn.endheaders()
        status = conn.getresponse().status
        conn.close()
        rows.append({"check": "D1: a 5 MB request body", "runs": 1, "errors": int(status != 413), "lost": 0,
                     "tracebacks": 0, "seconds": "", "detail": f"HTTP {status}"})
        # D2: server files as models; errors that tell which paths exist.
        said = set()
        for path in ("/etc/passwd", "/etc/shadow", "/nonexistent/model.gguf", str(home / "interviewer.db")):
            try:
                client.predict(categories=[], questions=1, model=f"local:{path}", api_name="/start")
                said.add("LOADED")
            except Exception as e:  # noqa: BLE001 - the refusal is what is measured
                said.add(str(e).replace(path, "<path>"))
        rows.append({"check": "D2: 4 server paths as `local:` models", "runs": 4, "errors": int("LOADED" in said),
                     "lost": 0, "tracebacks": 0, "seconds": "",
                     "detail": f"{len(said)} distinct refusal(s): {sorted(said)[0][:90]!r}"})
        # D3: a client-chosen endpoint, spelled five ways, at a trap that counts connections.
        trap = socket.socket()
        trap.bind(("127.0.0.1", 0))
        trap.listen(16)
        trap.settimeout(0.2)
        port = trap.getsockname()[1]
        hits = 0
        for url in (f"http://127.0.0.1:{port}/v1", f"http://0x7f000001:{port}/v1", f"http://2130706433:{port}/v1",
                    f"http://[::ffff:127.0.0.1]:{port}/v1", f"http://localhost:{port}/x?y"):
            with contextlib.suppress(Exception):
                client.predict(categories=[], questions=1, model="openai:m", base_url=url, api_key="k",
                               api_name="/start")
        with contextlib.suppress(OSError):
            while True:
                trap.accept()[0].close()
                hits += 1
        trap.close()
        rows.append({"check": "D3: 5 spellings of a client-chosen endpoint", "runs": 5, "errors": hits, "lost": 0,
                     "tracebacks": 0, "seconds": "", "detail": f"{hits} connections reached the trap"})
    finally:
        server.stop()
    tracebacks = server.output().count("Traceback")
    rows[-1]["tracebacks"] = tracebacks
    rows.append(poison_rows())
    return rows


def poison_rows() -> dict:
    """D5: a lone surrogate in an answer and a 5,000-digit id used to stop every run at that row."""
    work = Path(tempfile.mkdtemp(prefix="rel-poison-"))
    src = work / "in.jsonl"
    good = [{"id": f"g{i}", "question_id": "ml-fundamentals-01", "answer": ANSWER} for i in range(3)]
    src.write_text(json.dumps(good[0]) + "\n"
                   + '{"id": "s", "question_id": "ml-fundamentals-01", "answer": "bias \\ud800 variance"}\n'
                   + '{"id": ' + "9" * 5000 + ', "question_id": "ml-fundamentals-01", "answer": "x"}\n'
                   + "".join(json.dumps(g) + "\n" for g in good[1:]), encoding="utf-8")
    out = work / "out.jsonl"
    r = subprocess.run([EXE, "grade", str(src), "-o", str(out), "--lexical"], env=env_for(work / "home"),
                       capture_output=True, text=True, timeout=300)
    graded = {json.loads(x)["id"] for x in out.read_text().splitlines() if x} if out.exists() else set()
    lost = len({g["id"] for g in good} - graded)
    return {"check": "D5: poison rows in a batch (lone surrogate, 5,000-digit id)", "runs": 1, "errors": 0,
            "lost": lost, "tracebacks": (r.stdout + r.stderr).count("Traceback"), "seconds": "",
            "detail": f"{len(graded)} rows graded (the surrogate cleaned out), the bad id reported by its line"}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--clients", type=int, default=20)
    ap.add_argument("--answers", type=int, default=3)
    ap.add_argument("--kills", type=int, default=5)
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()
    rng = random.Random(args.seed)
    rows = [fuzz(), batch_kills(args.kills, rng), interview_kills(args.kills, rng),
            concurrent_clients(args.clients, args.answers), *probe()]
    print(f"python bench/reliability.py --clients {args.clients} --answers {args.answers} --kills {args.kills}\n")
    print("| check | runs | errors | lost | tracebacks | seconds | detail |")
    print("|---|---|---|---|---|---|---|")
    for r in rows:
        print(f"| {r['check']} | {r['runs']} | {r['errors']} | {r['lost']} | {r['tracebacks']} | {r['seconds']} | "
              f"{r['detail']} |")


if __name__ == "__main__":
    main()
