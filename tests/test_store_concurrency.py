"""Many writers on one transcript database: threads and processes, none fails with "database is locked"."""

from __future__ import annotations

import multiprocessing
import threading

from interviewer.store import Transcripts
from interviewer.store.db import MIGRATIONS, open_db

CONFIG = {"level": "senior", "categories": [], "questions": 3, "max_followups": 1, "seed": 1, "model": None}


def _session_work(prefix: str, n: int, errors: list) -> None:
    store = Transcripts.open()
    try:
        for i in range(n):
            sid = f"{prefix}-{i}"
            store.create_session(sid, CONFIG)
            store.record_question(sid, 1, question_id="ml-fundamentals-01", category="ML Fundamentals",
                                  difficulty=1, rubric_version="v", prompt="q")
            aid = store.record_answer(sid, 1, 0, text="an answer", kind="answer")
            store.record_grade(aid, {"score": 5.0, "confidence": 0.8, "criteria": []}, question_id="ml-fundamentals-01")
            store.finish_turn(sid, 1, status="graded", score=5.0, grade=None, question_id="ml-fundamentals-01",
                              category="ML Fundamentals")
    except Exception as e:  # noqa: BLE001 - collected and asserted on
        errors.append(repr(e))
    finally:
        store.close()


def _process_work(prefix: str, n: int, queue) -> None:
    errors: list = []
    _session_work(prefix, n, errors)
    queue.put(errors)


def test_twenty_threads_write_at_once(interviewer_home):
    errors: list = []
    threads = [threading.Thread(target=_session_work, args=(f"t{k}", 5, errors)) for k in range(20)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    store = Transcripts.open()
    try:
        assert len(store.sessions()) == 100
        assert store.db["answers"].count == 100
    finally:
        store.close()


def test_processes_write_at_once_on_a_new_database(interviewer_home):
    """Four processes open a database that does not exist yet (each migrates) and write at once."""
    ctx = multiprocessing.get_context("spawn")
    queue = ctx.Queue()
    procs = [ctx.Process(target=_process_work, args=(f"p{k}", 10, queue)) for k in range(4)]
    for p in procs:
        p.start()
    results = [queue.get(timeout=300) for _ in procs]
    for p in procs:
        p.join(timeout=60)
    assert results == [[], [], [], []]
    db = open_db()
    try:
        assert db["sessions"].count == 40
        assert [m.name for m in MIGRATIONS.applied(db)][:1] == ["m001_initial"]
    finally:
        db.close()


def test_a_failed_transaction_leaves_nothing(interviewer_home):
    from interviewer.store.db import transaction

    store = Transcripts.open()
    try:
        try:
            with transaction(store.db):
                store.db["sessions"].insert({"id": "half", "started_at": "x", "status": "active"})
                raise RuntimeError("boom")
        except RuntimeError:
            pass
        assert store.db["sessions"].count_where("id = 'half'") == 0
        store.create_session("whole", CONFIG)  # the connection is usable afterwards
        assert store.db["sessions"].count_where("id = 'whole'") == 1
    finally:
        store.close()
