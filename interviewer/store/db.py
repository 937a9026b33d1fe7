"""The transcript database and its numbered migrations, applied on every open.

The migrations are sqlite-utils' own (`sqlite_utils.Migrations`, set "interviewer"): each is a
function `mNNN_name(db)`, run once and recorded by name in `_sqlite_migrations`. Never edit a migration that
has shipped: add the next one. Two things are ours around it: all pending migrations run in one write
transaction taken up front (BEGIN IMMEDIATE, see `transaction`), with the list checked again under that lock,
so processes opening a new database at once migrate it once; and a database made before the switch, whose
history is in `_migrations` (name, applied_at), has that history moved into sqlite-utils' table first, so
nothing runs twice.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path

import sqlite_utils
from sqlite_utils import Migrations

from ..errors import StoreCorrupt

#: How long a writer waits for another process's or thread's write to finish before giving up.
BUSY_TIMEOUT_S = 60.0


@contextmanager
def transaction(db: sqlite_utils.Database) -> Iterator[sqlite_utils.Database]:
    """One write transaction that takes the write lock up front (BEGIN IMMEDIATE): all of it is stored, or
    none of it. In WAL mode a deferred transaction that reads and then writes fails at once with "database
    is locked" when another connection wrote in between, whatever the busy timeout; an immediate one waits
    its turn instead. Nested calls (and sqlite-utils' own `atomic()`) become savepoints of the outer one."""
    conn = db.conn
    if conn.in_transaction:
        with db.atomic():
            yield db
        return
    conn.execute("BEGIN IMMEDIATE")
    try:
        yield db
    except BaseException:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        raise
    conn.execute("COMMIT")

#: The schema's history, in order.
MIGRATIONS = Migrations("interviewer")
#: Where the history was kept before sqlite-utils' migrations: (name primary key, applied_at).
OLD_HISTORY = "_migrations"


def now() -> str:
    """An ISO-8601 UTC timestamp, the format every time column holds."""
    return datetime.now(timezone.utc).isoformat(timespec="milliseconds")


@MIGRATIONS()
def m001_initial(db: sqlite_utils.Database) -> None:
    db.table("sessions").create(
        {
            "id": str, "started_at": str, "finished_at": str, "status": str, "level": str, "categories": str,
            "n_questions": int, "max_followups": int, "seed": int, "model": str, "config": str,
            "answered": int, "score": float, "report": str, "app_version": str,
        },
        pk="id", not_null=["started_at", "status"], defaults={"status": "active"},
    )
    db.table("turns").create(
        {
            "id": str, "session_id": str, "position": int, "question_id": str, "category": str,
            "difficulty": int, "rubric_version": str, "prompt": str, "asked_at": str, "finished_at": str,
            "status": str, "score": float, "followups": int,
        },
        pk="id", foreign_keys=[("session_id", "sessions", "id")], not_null=["session_id", "question_id"],
    )
    db.table("followups").create(
        {
            "id": str, "turn_id": str, "session_id": str, "number": int, "criterion_id": str, "prompt": str,
            "asked_at": str, "status": str,
        },
        pk="id", foreign_keys=[("turn_id", "turns", "id"), ("session_id", "sessions", "id")],
    )
    db.table("answers").create(
        {
            "id": str, "turn_id": str, "session_id": str, "followup_id": str, "kind": str, "text": str,
            "chars": int, "answered_at": str, "status": str, "score": float, "confidence": float,
            "flags": str, "feedback": str, "graded_at": str, "grade_seconds": float, "model_id": str,
            "prompt_version": str, "rubric_version": str, "grade": str, "error": str,
        },
        pk="id", foreign_keys=[("turn_id", "turns", "id"), ("session_id", "sessions", "id"),
                               ("followup_id", "followups", "id")],
    )
    db.table("verdicts").create(
        {
            "id": str, "answer_id": str, "turn_id": str, "session_id": str, "question_id": str,
            "stage": str, "criterion_id": str, "verdict": str, "score": float, "confidence": float, "weight": int,
            "core": int, "evidence": str, "signals": str,
        },
        pk="id", foreign_keys=[("answer_id", "answers", "id"), ("turn_id", "turns", "id"),
                               ("session_id", "sessions", "id")],
    )
    db.table("category_mastery").create(
        {"category": str, "mastery": float, "answered": int, "last_score": float, "updated_at": str},
        pk="category",
    )


@MIGRATIONS()
def m002_indexes_and_views(db: sqlite_utils.Database) -> None:
    db.table("turns").create_index(["session_id", "position"])
    db.table("turns").create_index(["question_id"])
    db.table("answers").create_index(["turn_id"])
    db.table("verdicts").create_index(["answer_id"])
    db.table("followups").create_index(["turn_id"])
    db.create_view(
        "question_scores",
        """
        select turns.session_id, turns.position, turns.question_id, turns.category, turns.difficulty,
               turns.status, turns.score, turns.followups, sessions.level, sessions.model, turns.finished_at
        from turns join sessions on sessions.id = turns.session_id
        where turns.finished_at is not null
        """,
    )


@MIGRATIONS()
def m003_session_owner(db: sqlite_utils.Database) -> None:
    """Sessions started in the browser belong to it: `owner` is the sha256 of a secret only it holds."""
    db.table("sessions").add_column("owner", str)


@MIGRATIONS()
def m004_live_answered(db: sqlite_utils.Database) -> None:
    """`sessions.answered` is kept current as answers arrive: count it for sessions still running."""
    db.execute(
        "update sessions set answered = (select count(*) from answers where answers.session_id = sessions.id "
        "and answers.followup_id is null) where status = 'active'"
    )


@MIGRATIONS()
def m005_reviews(db: sqlite_utils.Database) -> None:
    """The review grade of each settled question (one row per question, `basis`: the answers it reviewed)."""
    db.table("reviews").create(
        {
            "id": str, "turn_id": str, "session_id": str, "question_id": str, "basis": str, "score": float,
            "grade": str, "model_id": str, "prompt_version": str, "rubric_version": str, "seconds": float,
            "reviewed_at": str,
        },
        pk="id", foreign_keys=[("turn_id", "turns", "id"), ("session_id", "sessions", "id")],
        not_null=["turn_id", "session_id", "basis"],
    )
    db.table("reviews").create_index(["session_id"])
    db.table("turns").add_column("live_score", float)


def migrate(db: sqlite_utils.Database) -> list[str]:
    """Apply every migration not yet recorded; returns the names applied now."""
    if not MIGRATIONS.pending(db):
        return []  # the common case: nothing to do, and no write lock taken
    # Under the write lock, checked again: two processes opening a new database migrate it once. Each
    # migration's own transaction (sqlite-utils' `atomic()`) becomes a savepoint of this one.
    with transaction(db):
        _adopt_old_history(db)
        applied = [m.name for m in MIGRATIONS.pending(db)]
        MIGRATIONS.apply(db)
    return applied


def _adopt_old_history(db: sqlite_utils.Database) -> None:
    """Move a history kept in `_migrations` into sqlite-utils' table (same names, same times), then drop it."""
    old = db[OLD_HISTORY]
    if not old.exists():
        return
    MIGRATIONS.ensure_migrations_table(db)
    rows = ({"migration_set": MIGRATIONS.name, "name": r["name"], "applied_at": r["applied_at"]}
            for r in old.rows_where(order_by="rowid"))
    db.table(Migrations.migrations_table).insert_all(rows, ignore=True)
    old.drop()


def open_db(path: Path | str | None = None) -> sqlite_utils.Database:
    """The transcript database (default: paths.database_path()), migrated to the latest schema."""
    if path is None:
        from ..paths import database_path

        path = database_path()
    # Autocommit mode: transactions are only the explicit ones above.
    conn = sqlite3.connect(str(path), timeout=BUSY_TIMEOUT_S, check_same_thread=False, isolation_level=None)
    db = sqlite_utils.Database(conn)
    try:
        if str(path) != ":memory:" and db.journal_mode != "wal":
            db.enable_wal()
        db.execute("pragma foreign_keys = on")
        migrate(db)
    except sqlite3.DatabaseError as e:
        conn.close()
        raise _corrupt_or(e, path) from None
    return db


def connect(path: Path | str, timeout: float = BUSY_TIMEOUT_S) -> sqlite3.Connection:
    """A plain connection to another of the user dir's SQLite files (the checkpoints), its header read at
    once: a damaged file fails here with StoreCorrupt naming it, before anything else is written."""
    conn = sqlite3.connect(str(path), timeout=timeout, check_same_thread=False)
    try:
        conn.execute("pragma schema_version").fetchone()
    except sqlite3.DatabaseError as e:
        conn.close()
        raise _corrupt_or(e, path) from None
    return conn


def _corrupt_or(e: sqlite3.DatabaseError, path: Path | str) -> Exception:
    """StoreCorrupt for a damaged file; the error itself for anything else (locked, unwritable, a constraint:
    not the file's fault)."""
    if type(e) is not sqlite3.DatabaseError:
        return e
    # "file is not a database", "database disk image is malformed": SQLite's words for a damaged file.
    return StoreCorrupt(f"{path}: not a usable SQLite database ({e}); move it aside and a new one is "
                        "made on the next run (the sessions in it stay in the moved file)")
