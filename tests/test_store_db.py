"""The transcript database: numbered migrations applied on every open (sqlite-utils' migrations, taking over
the history of databases made before them), and the schema they build."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import sqlite_utils

from interviewer.paths import database_path
from interviewer.store import Transcripts
from interviewer.store.db import MIGRATIONS, OLD_HISTORY, migrate, open_db

EXPECTED_TABLES = {"_sqlite_migrations", "sessions", "turns", "followups", "answers", "verdicts",
                   "category_mastery", "reviews"}
#: Every migration in order (all are pending on an empty database): `.name` and `.fn`.
ALL = MIGRATIONS.pending(sqlite_utils.Database(memory=True))
#: interviewer.db as the code before sqlite-utils' migrations wrote it (see the file's header).
OLD_DUMP = Path(__file__).parent / "data" / "interviewer_db_old_migrations.sql"


def columns(db, table):
    return {c.name for c in db[table].columns}


def test_blank_database_gets_the_whole_schema():
    db = open_db()
    assert database_path().is_file()
    assert set(db.table_names()) == EXPECTED_TABLES
    assert "question_scores" in db.view_names()
    assert [m.name for m in MIGRATIONS.applied(db)] == [m.name for m in ALL]
    assert [m.name for m in ALL][:2] == ["m001_initial", "m002_indexes_and_views"]

    assert {"id", "started_at", "finished_at", "status", "level", "categories", "n_questions", "seed", "model",
            "config", "score", "report"} <= columns(db, "sessions")
    assert {"id", "session_id", "position", "question_id", "category", "difficulty", "rubric_version", "asked_at",
            "finished_at", "status", "score", "followups"} <= columns(db, "turns")
    assert {"id", "turn_id", "number", "criterion_id", "prompt", "asked_at", "status"} <= columns(db, "followups")
    assert {"id", "turn_id", "followup_id", "kind", "text", "answered_at", "graded_at", "grade_seconds", "status",
            "score", "flags", "model_id", "prompt_version", "rubric_version", "grade",
            "error"} <= columns(db, "answers")
    assert {"answer_id", "turn_id", "stage", "criterion_id", "verdict", "score", "confidence", "weight", "core",
            "evidence", "signals"} <= columns(db, "verdicts")
    assert {"category", "mastery", "answered", "last_score", "updated_at"} <= columns(db, "category_mastery")
    fks = {(fk.column, fk.other_table) for fk in db["answers"].foreign_keys}
    assert ("turn_id", "turns") in fks and ("session_id", "sessions") in fks
    db.close()


def old_database(path: Path, migrations) -> sqlite_utils.Database:
    """A database as the code before sqlite-utils' migrations made it, up to `migrations`."""
    db = sqlite_utils.Database(sqlite3.connect(path))
    db[OLD_HISTORY].create({"name": str, "applied_at": str}, pk="name")
    for m in migrations:
        m.fn(db)
        db[OLD_HISTORY].insert({"name": m.name, "applied_at": "then"})
    return db


def test_migrations_run_once_and_pending_ones_apply_on_open(tmp_path):
    path = tmp_path / "old.db"
    old_database(path, ALL[:1]).close()  # a database from before m002

    db = open_db(path)
    applied = [(m.name, m.applied_at) for m in MIGRATIONS.applied(db)]
    assert [name for name, _ in applied] == [m.name for m in ALL]
    assert applied[0] == ("m001_initial", "then")  # taken over, not run again
    assert "question_scores" in db.view_names()
    assert migrate(db) == []  # nothing left to apply
    db.close()
    assert [(m.name, m.applied_at) for m in MIGRATIONS.applied(open_db(path))] == applied


def test_a_database_made_before_sqlite_utils_migrations_opens_and_nothing_runs_again(tmp_path):
    """The dump is a real interviewer.db of the earlier code: every migration recorded in `_migrations`,
    and one active session whose `answered` (7) m004 would recount (to 1) if it ran again. m001 to m003
    would fail if they ran again (the tables, indexes and column exist)."""
    path = tmp_path / "interviewer.db"
    conn = sqlite3.connect(path)
    conn.executescript(OLD_DUMP.read_text())
    old_history = conn.execute(f"select name, applied_at from {OLD_HISTORY} order by rowid").fetchall()
    conn.close()
    assert [name for name, _ in old_history] == [m.name for m in ALL[:4]]  # the dump is from before m005

    store = Transcripts(open_db(path))
    applied = [(m.name, m.applied_at) for m in MIGRATIONS.applied(store.db)]
    assert applied[:4] == old_history and [name for name, _ in applied[4:]] == [m.name for m in ALL[4:]]
    assert OLD_HISTORY not in store.db.table_names()  # one history, sqlite-utils'
    assert set(store.db.table_names()) == EXPECTED_TABLES
    assert store.session("s1")["answered"] == 7
    assert [t["question_id"] for t in store.turns("s1")] == ["mlops-01"]
    store.close()
    assert migrate(open_db(path)) == []


def test_plain_sqlite3_can_read_it():
    open_db().close()
    conn = sqlite3.connect(database_path())
    tables = {r[0] for r in conn.execute("select name from sqlite_master where type = 'table'")}
    assert EXPECTED_TABLES <= tables
    assert conn.execute("select count(*) from question_scores").fetchone() == (0,)
