"""The transcript database: numbered migrations applied on every open, and the schema they build."""

from __future__ import annotations

import sqlite3

import sqlite_utils

from interviewer.paths import database_path
from interviewer.store.db import MIGRATIONS, migrate, open_db

EXPECTED_TABLES = {"_migrations", "sessions", "turns", "followups", "answers", "verdicts", "category_mastery"}


def columns(db, table):
    return {c.name for c in db[table].columns}


def test_blank_database_gets_the_whole_schema():
    db = open_db()
    assert database_path().is_file()
    assert set(db.table_names()) == EXPECTED_TABLES
    assert "question_scores" in db.view_names()
    assert [r["name"] for r in db["_migrations"].rows] == [m.__name__ for m in MIGRATIONS]
    assert [m.__name__ for m in MIGRATIONS][:2] == ["m001_initial", "m002_indexes_and_views"]

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


def test_migrations_run_once_and_pending_ones_apply_on_open(tmp_path):
    path = tmp_path / "old.db"
    db = sqlite_utils.Database(sqlite3.connect(path))
    db["_migrations"].create({"name": str, "applied_at": str}, pk="name")
    MIGRATIONS[0](db)  # a database from before m002
    db["_migrations"].insert({"name": MIGRATIONS[0].__name__, "applied_at": "then"})
    db.close()

    db = open_db(path)
    names = [r["name"] for r in db["_migrations"].rows]
    assert names == [m.__name__ for m in MIGRATIONS]
    assert "question_scores" in db.view_names()
    assert migrate(db) == []  # nothing left to apply
    db.close()
    assert [r["name"] for r in open_db(path)["_migrations"].rows] == names


def test_plain_sqlite3_can_read_it():
    open_db().close()
    conn = sqlite3.connect(database_path())
    tables = {r[0] for r in conn.execute("select name from sqlite_master where type = 'table'")}
    assert EXPECTED_TABLES <= tables
    assert conn.execute("select count(*) from question_scores").fetchone() == (0,)
