"""Interview transcripts in SQLite: sessions, questions asked, answers, follow-ups, verdicts, mastery.

`db.open_db()` opens the database and applies any pending numbered migrations; `transcripts.Transcripts`
is the small API the engine and the CLI use. The schema is plain tables, usable from sqlite3 or Datasette.
"""

from .db import open_db
from .transcripts import Transcripts

__all__ = ["Transcripts", "open_db"]
