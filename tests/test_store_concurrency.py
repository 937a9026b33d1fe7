"""Many writers on one transcript database: threads and processes, none fails with "database is locked"."""

from __future__ import annotations

import multiprocessing
import threading

from interviewer.grader.models import Grade
from interviewer.store import Transcripts
from interviewer.store.db import MIGRATIONS, open_db
from interviewer.vocabulary import AnswerStatus, QuestionStatus

CONFIG = {"level": "senior", "categories": [], "questions": 3, "max_followups": 1, "seed": 1, "model": None}
GRADE = Grade(question_id="ml-fundamentals-01", score=5.0, confidence=0.8, criteria=[], model_id="lexical",
              prompt_version="p", rubric_version="v")


def _state(sid: str, finished: bool) -> dict:
    """A session's state with one question: its answer received, or graded and settled."""
    status = AnswerStatus.GRADED if finished else AnswerStatus.RECEIVED
    result = {"position": 1, "question_id": "ml-fundamentals-01", "category": "ML Fundamentals", "difficulty": 1,
              "prompt": "q", "rubric_version": "v", "asked_at": "2025-01-01T00:00",
              "status": QuestionStatus.GRADED if finished else QuestionStatus.ASKED, "grade": GRADE if finished else None,
              "answers": [{"number": 0, "kind": "answer", "text": "an answer", "status": status,
                           "grade": GRADE if finished else None, "answered_at": "2025-01-01T00:01"}],
              "finished": finished, "finished_at": "2025-01-01T00:02"}
    return {"session_id": sid, "slots": ["ML Fundamentals"], "results": {"ml-fundamentals-01": result}}


def _session_work(prefix: str, n: int, errors: list) -> None:
    store = Transcripts.open()
    try:
        for i in range(n):
            sid = f"{prefix}-{i}"
            store.create_session(sid, CONFIG)
            store.project(_state(sid, finished=False))
            store.project(_state(sid, finished=True))
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
