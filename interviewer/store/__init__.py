"""Interview transcripts in SQLite: sessions, questions asked, answers, follow-ups, verdicts, mastery.

The read model of the interviews, whose one source of truth is the engine's checkpointed graph state:
`transcripts.Transcripts.project(state)` records a session's state after each run of the graph (in one
transaction), and the rest of `Transcripts` is what the CLI and the UI read (listings, history, exports).
`db.open_db()` opens the database and applies any pending numbered migrations. The schema is plain tables,
usable from sqlite3 or Datasette.
"""

from .db import open_db
from .transcripts import Transcripts

__all__ = ["Transcripts", "open_db"]
